"""Fit the meaning model's posting weights on the tune split of the labelled posting set.

    python -m training.posting_calibration [--write]

``config/linking.json`` holds weights fitted on the esco-linking tuning blocks, where a phrase's context is
one SkillSpan sentence. In a posting the context is a segment that often lists several duties, so its
cosine with the right concept is low and plainly right links come out unsure ("WMS" → *Warehouse management
system*, p 0.11 in its list). This refits the logistic model on what the extractor itself asks while reading
the tune postings of ``nlp/eval/postings.jsonl`` (occupation coded from title and text, as the worker does):
every call of the linker is recorded (with the file's weights, any fitted ``"extract"`` set left out, so a
re-run gives the same fit), every candidate of every call becomes a row (the FEATURES, the
occupation prior, the scheme), and a candidate is right when its concept is expected or acceptable in that
posting. The fit (log loss, a little L2) is printed and, with ``--write``, stored as ``"extract"`` in
``linking.json``: the weights ``meaning.combine`` uses for the extractor's links (``purpose="extract"``).
The test split is never read.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

SCHEMES = ("onet-tools", "onet-dwa")  # intercepts beside ESCO's (0)
L2 = 1e-3


def record_calls(postings, socs) -> list[tuple[int, tuple]]:
    """(posting index, linker call arguments) for every link the extractor asks for, posting by posting."""
    from nlp.linker import get_linker
    from nlp.pipeline import extract

    linker = get_linker()
    calls: list[tuple[int, tuple]] = []
    original = linker.link
    current = [0]

    def recording(phrase, k=5, schemes=None, occupation=None, context=None, purpose=None):  # noqa: ANN001, ANN202
        calls.append((current[0], (phrase, schemes, occupation, context)))
        return original(phrase, k, schemes, occupation, context, purpose)

    linker.link = recording  # type: ignore[method-assign]  # this process only, while recording
    try:
        for i, (posting, soc) in enumerate(zip(postings, socs, strict=True)):
            current[0] = i
            extract(posting.text, occupation=soc)
    finally:
        del linker.link
    return calls


def candidate_rows(postings, calls) -> tuple[np.ndarray, np.ndarray]:
    """One row per (call, candidate): FEATURES, occupation prior, scheme indicators; and whether it is right."""
    from nlp import meaning
    from nlp.linker import get_linker
    from nlp.occupations import priors

    linker = get_linker()
    tax = linker.tax
    xs, ys = [], []
    for i, (phrase, schemes, occupation, context) in dict.fromkeys(calls):
        lexical = linker.lexical(phrase, schemes, occupation)
        ids, rows = meaning.features(phrase, context, lexical, schemes, linker, occupation)
        prior = priors(occupation) if occupation else {}
        allowed = postings[i].allowed
        for cid, row in zip(ids, rows, strict=True):
            scheme = tax.concepts[cid].scheme
            xs.append([*row, prior.get(cid, 0.0), *(float(scheme == s) for s in SCHEMES)])
            ys.append(float(cid in allowed))
    return np.asarray(xs, dtype=np.float64), np.asarray(ys)


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Logistic regression weights [bias, features…, occupation, scheme intercepts…] by L-BFGS."""
    from scipy.optimize import minimize

    xb = np.hstack([np.ones((len(x), 1)), x])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = xb @ w
        p = 1.0 / (1.0 + np.exp(-z))
        eps = 1e-9
        value = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)) + L2 * float(w[1:] @ w[1:])
        grad = xb.T @ (p - y) / len(y)
        grad[1:] += 2 * L2 * w[1:]
        return float(value), grad

    return minimize(loss, np.zeros(xb.shape[1]), jac=True, method="L-BFGS-B").x


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    from nlp import meaning
    from nlp.concepts_eval import posting_occupations
    from nlp.postings_gold import load_postings_gold, split_of

    postings = [p for p in load_postings_gold() if split_of(p.id) == "tune"]
    socs = posting_occupations(postings, "title")
    weights_file = meaning.WEIGHTS_FILE
    stored = json.loads(weights_file.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "linking.json"  # the extractor as it reads without a fitted "extract" set
        bare.write_text(json.dumps({k: v for k, v in stored.items() if k != "extract"}), encoding="utf-8")
        meaning.WEIGHTS_FILE = bare  # this process only
        meaning.weights.cache_clear()
        x, y = candidate_rows(postings, record_calls(postings, socs))
    w = fit(x, y)
    names = ["bias", *meaning.FEATURES, "occupation"]
    posting: dict[str, object] = {n: round(float(v), 4) for n, v in zip(names, w, strict=False)}
    posting["scheme"] = {s: round(float(v), 4) for s, v in zip(SCHEMES, w[len(names) :], strict=True)}
    posting["rows"] = len(y)
    posting["fitted_on"] = (
        "python -m training.posting_calibration --write (tune split of nlp/eval/postings.jsonl)"
    )
    print(json.dumps(posting), f"share right {y.mean():.4f}")
    if args.write:
        stored["extract"] = posting
        weights_file.write_text(json.dumps(stored, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {weights_file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
