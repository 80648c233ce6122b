"""Fit a scheme's intercept in nlp/config/linking.json on the tune split of the labelled posting set.

    python scripts/fit_scheme_intercept.py [--scheme onet-tools] [--write]

The extractor runs with the file's weights but no scheme intercepts (a copy in a temporary folder), over the
tune postings of nlp/eval/postings.jsonl; every linked mention of the scheme is right when its concept is
expected or acceptable there. The intercept b that makes sigmoid(logit(p) + b) fit those outcomes best
(log loss) is printed, and with --write stored under "scheme". The test split is never read.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheme", default="onet-tools")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    from scipy.optimize import minimize_scalar

    from nlp import meaning
    from nlp.pipeline import extract_many
    from nlp.postings_gold import load_postings_gold, split_of

    weights_file = meaning.WEIGHTS_FILE
    stored = json.loads(weights_file.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "linking.json"
        bare.write_text(json.dumps({**stored, "scheme": {}}), encoding="utf-8")
        meaning.WEIGHTS_FILE = bare  # this process only: the weights without any scheme intercept
        gold = [p for p in load_postings_gold() if split_of(p.id) == "tune"]
        found = extract_many([p.text for p in gold])
    logits, right = [], []
    for posting, mentions in zip(gold, found, strict=True):
        allowed = posting.allowed
        for m in mentions:
            if m.concept is not None and m.concept.scheme == args.scheme:
                p = min(max(m.score, 1e-4), 1 - 1e-4)
                logits.append(np.log(p / (1 - p)))
                right.append(m.concept.id in allowed)
    z, y = np.asarray(logits), np.asarray(right, dtype=float)

    def loss(b: float) -> float:
        q = 1.0 / (1.0 + np.exp(-(z + b)))
        return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))

    b = round(float(minimize_scalar(loss, bounds=(-5, 5), method="bounded").x), 3)
    share_right = round(float(y.mean()), 4)
    print(json.dumps({"scheme": args.scheme, "mentions": len(y), "right": share_right, "intercept": b}))
    if args.write:
        stored.setdefault("scheme", {})[args.scheme] = b
        weights_file.write_text(json.dumps(stored, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
