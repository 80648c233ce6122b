"""Choosing ``nlp.dwa_rank``'s K, TEMPERATURE and VOTE_WEIGHT on occupations nothing was trained on.

The shipped embedding was trained on the task → DWA pairs of *every* training occupation, so on a split of the
training occupations the DWA titles' cosine is far better than on unseen ones (0.48 / 0.82 acc@1 / RP@5 against
0.29 / 0.52 on the evaluation fifth): weights chosen there would trust it too much. So this script

1. takes a tuning quarter of the training occupations (``is_tuning_occupation``: a hash of the code; never an
   occupation of ``splits.is_eval_occupation``);
2. trains an embedding with the shipped recipe (``training/embedding.py``: same pairs, seed and number of
   epochs) but without the task → DWA pairs of the tuning occupations' statements;
3. ranks the tuning occupations' tasks with that embedding, the examples being the tasks of the other training
   occupations (as the evaluation fifth is ranked against the shipped examples of all training occupations),
   for every (k, temperature, vote weight) of a grid, and prints acc@1 / RP@5.

``python -m training.dwa_tuning [--work DIR] [--write]`` (training time only: torch, the ``teacher`` extra). The trained
vectors are kept in ``DIR`` so the grid can be rerun without training; ``--write`` writes the best
(acc@1 + RP@5) parameters and the probability calibration at them to ``nlp/config/dwa_rank.json``.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from nlp.dwa_rank import PARAMS_FILE, SCHEME, DwaRanker, Exemplars
from nlp.linking_eval import rp_at_k
from nlp.reference import REFERENCE_DATA
from nlp.splits import is_eval_occupation
from nlp.taxonomy import DWA_URN, load_taxonomy, norm_label

EPOCHS = 7  # the shipped model's (meta.json: chosen on SkillSkape dev)
SEED = 0
GRID_K = (5, 10, 20, 40, 80)
GRID_T = (0.02, 0.05, 0.1, 0.2, 1.0)
GRID_W = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 1000.0)


def is_tuning_occupation(soc: str) -> bool:
    """A quarter of the training occupations (never an evaluation one)."""
    code = soc.strip()
    if is_eval_occupation(code):
        return False
    return int(hashlib.md5(f"dwa-tune|{code}".encode()).hexdigest()[:8], 16) % 4 == 0  # noqa: S324


def split_tasks(shared: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(examples, queries): task statement → DWA ids of the other training occupations / the tuning ones."""
    examples: dict[str, set[str]] = defaultdict(set)
    queries: dict[str, set[str]] = defaultdict(set)
    with open(shared / "taxonomy" / "onet-29.3" / "Tasks to DWAs.txt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            code = r["O*NET-SOC Code"].strip()
            if is_eval_occupation(code):
                continue
            text = " ".join(r["Task"].split())
            (queries if is_tuning_occupation(code) else examples)[text].add(DWA_URN + r["DWA ID"].strip())
    return dict(examples), dict(queries)


def train_vectors(shared: Path, drop: set[str], log=print) -> np.ndarray:
    """The shipped recipe's piece vectors, trained without the pairs whose text is in ``drop`` (casefolded)."""
    import torch

    from training.embedding import LR, _Trainer, base_model, build_pairs, distil

    torch.manual_seed(SEED)
    tax = load_taxonomy()
    model_dir, tokenizer = base_model()
    pairs = build_pairs(shared, tax)
    kept = [(t, c) for t, c in pairs.train if " ".join(t.split()).casefold() not in drop]
    log(f"pairs: {len(kept):,} of {len(pairs.train):,} (the tuning occupations' task pairs left out)")
    trainer = _Trainer(distil(model_dir, log), tokenizer, tax)
    optimiser = torch.optim.Adagrad(trainer.bag.parameters(), lr=LR)
    rnd = random.Random(SEED)
    for epoch in range(1, EPOCHS + 1):
        loss = trainer.epoch(kept, rnd, optimiser)
        log(f"epoch {epoch}: loss {loss:.3f}")
    return trainer.bag.weight.data.numpy().astype(np.float16)


class _Encoder:
    """``embedding.Embedder`` with other piece vectors (texts normalised as ``embedding.embed`` does)."""

    def __init__(self, vectors: np.ndarray) -> None:
        from nlp.embedding import Embedder

        self.embedder = Embedder()
        self.embedder.vectors = vectors.astype(np.float32)

    def texts(self, texts: list[str]) -> np.ndarray:
        return self.embedder.encode([norm_label(t.strip()[:1000]) for t in texts])

    def labels(self, texts: list[str]) -> np.ndarray:  # as ConceptMatrix: the label as it is
        return self.embedder.encode(texts)


def calibrate(scores: np.ndarray, ranker: DwaRanker, vectors: np.ndarray, gold: list[frozenset[str]]) -> dict:
    """Logistic fit of "this candidate is one of the task's DWAs" on the score of each of a task's best 5."""
    from scipy.optimize import minimize

    xs, ys = [], []
    for row, g in zip(ranker.top(scores, vectors, 5), gold, strict=True):
        for cid, score in row:
            xs.append(score)
            ys.append(1.0 if cid in g else 0.0)
    x, y = np.asarray(xs), np.asarray(ys)

    def loss(w: np.ndarray) -> float:
        p = 1.0 / (1.0 + np.exp(-(w[0] + w[1] * x)))
        return float(-np.mean(y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9)))

    a, b = minimize(loss, np.zeros(2), method="Nelder-Mead").x
    first = [(row[0][1], row[0][0] in g) for row, g in zip(ranker.top(scores, vectors, 1), gold, strict=True)]
    at = {}
    for t in (0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7):
        answered = [right for score, right in first if 1.0 / (1.0 + np.exp(-(a + b * score))) >= t]
        at[f"p>={t}"] = {
            "answered": round(len(answered) / len(first), 4),
            "precision": round(sum(answered) / len(answered), 4) if answered else 0.0,
        }
    return {"bias": round(float(a), 3), "scale": round(float(b), 3), "candidates": len(y), "top1": at}


def grid(
    encoder: _Encoder, examples: dict[str, set[str]], queries: dict[str, set[str]]
) -> tuple[list[dict], dict]:
    tax = load_taxonomy()
    dwa_ids = [c for c, concept in tax.concepts.items() if concept.scheme in SCHEME]
    labels = (dwa_ids, encoder.labels([tax.concepts[c].label for c in dwa_ids]))
    ex_texts = sorted(examples)
    exemplars = Exemplars(tuple(ex_texts), tuple(tuple(sorted(examples[t])) for t in ex_texts))
    ranker = DwaRanker(exemplars, vectors=encoder.texts(ex_texts), labels=labels)
    q_texts = sorted(queries)
    gold = [frozenset(queries[t]) for t in q_texts]
    vectors = encoder.texts(q_texts)
    label_scores = vectors @ ranker.labels.T
    top, near = ranker.neighbours(vectors, max(GRID_K))

    def measure(scores: np.ndarray) -> tuple[float, float]:
        ranked = [[c for c, _ in row] for row in ranker.top(scores, vectors, 5)]
        acc1 = sum(1 for r, g in zip(ranked, gold, strict=True) if r and r[0] in g) / len(gold)
        return round(acc1, 4), rp_at_k(ranked, gold, 5)

    rows = [
        {
            "k": 0,
            "temperature": 0,
            "vote_weight": 0,
            **dict(zip(("acc@1", "RP@5"), measure(label_scores), strict=True)),
        }
    ]
    for k, temperature in itertools.product(GRID_K, GRID_T):
        vote = ranker.vote(top[:, :k], near[:, :k], temperature)
        for w in GRID_W:
            acc1, rp5 = measure(label_scores + w * vote)
            rows.append({"k": k, "temperature": temperature, "vote_weight": w, "acc@1": acc1, "RP@5": rp5})
    best = max(rows, key=lambda r: (r["acc@1"] + r["RP@5"], r["acc@1"]))
    scores = label_scores + best["vote_weight"] * ranker.vote(
        top[:, : best["k"]], near[:, : best["k"]], best["temperature"] or 1.0
    )
    chosen = {"best (acc@1 + RP@5)": best, "calibration": calibrate(scores, ranker, vectors, gold)}
    # (c) the lexical linker's DWA scores (string evidence, which no embedding training touched) added on top
    from nlp.linker import get_linker

    linker = get_linker()
    column = {cid: j for j, cid in enumerate(ranker.ids)}
    lexical = np.zeros_like(scores)
    for i, text in enumerate(q_texts):
        for cid, value in linker.lexical(text, SCHEME, None).items():
            lexical[i, column[cid]] = value
    chosen["lexical"] = {str(w): measure(scores + w * lexical) for w in (0.05, 0.1, 0.2, 0.4, 0.8)}
    return rows, chosen


def main(argv: list[str]) -> None:
    work = (
        Path(argv[argv.index("--work") + 1])
        if "--work" in argv
        else Path.home() / ".cache" / "skillpulse" / "dwa-tuning"
    )
    shared = REFERENCE_DATA
    examples, queries = split_tasks(shared)
    print(f"tuning: {len(queries):,} statements; examples: {len(examples):,}", file=sys.stderr)
    path = work / "vectors.npy"
    if not path.exists():
        work.mkdir(parents=True, exist_ok=True)
        drop = {t.casefold() for t in queries}
        np.save(path, train_vectors(shared, drop, log=lambda m: print(m, file=sys.stderr, flush=True)))
    rows, chosen = grid(_Encoder(np.load(path)), examples, queries)
    for row in rows:
        print(json.dumps(row))
    print(json.dumps(chosen), file=sys.stderr)
    if "--write" in argv:
        best, fit = chosen["best (acc@1 + RP@5)"], chosen["calibration"]
        params = {
            "k": best["k"],
            "temperature": best["temperature"],
            "vote_weight": best["vote_weight"],
            "bias": fit["bias"],
            "scale": fit["scale"],
            "tuning": {
                "statements": len(queries),
                "best": best,
                "titles_alone": rows[0],
                "top1": fit["top1"],
            },
            "fitted_on": "python -m training.dwa_tuning --write (a quarter of the training occupations, with an "
            "embedding trained without their task pairs; never the evaluation fifth)",
        }
        PARAMS_FILE.write_text(json.dumps(params, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
