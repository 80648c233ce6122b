"""Measuring and fitting concept linking on the labelled linking sets of ../shared.

- **Spans** (esco-linking: a SkillSpan sentence, a span in it, the ESCO skill a person chose): the weights of
  ``meaning.combine`` are fitted on the *tuning blocks* and acc@1 / acc@5 are reported on the other blocks.
  The files keep SkillSpan's sentence order, so consecutive sentences come from the same posting: a block is
  ``BLOCK`` consecutive distinct sentences, and blocks alternate (no posting's sentences are split across
  many blocks, few across two).
- **Sentences** (Decorte et al.'s extreme multi-label task): every ESCO label of a sentence is gold;
  RP@5 = hits in the top 5 / min(5, |gold|).
- **O*NET tasks → DWAs** on the held-out fifth of occupations (``splits.is_eval_occupation``).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import meaning
from .taxonomy import load_taxonomy, norm_label

BLOCK = 40
NO_LABEL = ("LABEL NOT PRESENT", "UNDERSPECIFIED", "")


@dataclass(frozen=True, slots=True)
class SpanRow:
    sentence: str
    phrase: str
    gold: str | None  # an ESCO concept id, None when people found no ESCO skill for it
    tuning: bool


def span_rows(path: str | Path) -> list[SpanRow]:
    """The esco-linking rows whose label is an ESCO skill or explicitly none, with their block's split."""
    from .reference_readers import esco_by_label

    by_label = esco_by_label(load_taxonomy())
    order: dict[str, int] = {}
    out = []
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            sentence = r["sentence"].strip()
            block = order.setdefault(sentence, len(order)) // BLOCK
            label = r["label"].strip()
            gold = None if label in NO_LABEL else by_label.get(norm_label(label))
            if gold is None and label not in NO_LABEL:
                continue  # a label our ESCO version lacks
            phrase = (r.get("sub_span") or "").strip() or r["span"].strip()
            out.append(SpanRow(sentence, phrase, gold, block % 2 == 0))
    return out


def _candidates(row: SpanRow, with_context: bool) -> tuple[list[str], np.ndarray]:
    from .linker import get_linker

    linker = get_linker()
    lexical = linker.lexical(row.phrase, ("esco",), None)
    return meaning.features(row.phrase, row.sentence if with_context else None, lexical, ("esco",), linker)


def fit_weights(rows: list[SpanRow], l2: float = 1e-4) -> dict:
    """Logistic regression of "this candidate is the gold concept" on the candidates' features."""
    from scipy.optimize import minimize

    xs, ys = [], []
    for row in rows:
        ids, feats = _candidates(row, with_context=True)
        for cid, f in zip(ids, feats, strict=True):
            xs.append(f)
            ys.append(1.0 if cid == row.gold else 0.0)
    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = w[0] + x @ w[1:]
        p = 1.0 / (1.0 + np.exp(-z))
        eps = 1e-9
        value = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)) + l2 * np.sum(w[1:] ** 2)
        g = p - y
        grad = np.concatenate([[g.mean()], x.T @ g / len(y) + 2 * l2 * w[1:]])
        return value, grad

    res = minimize(loss, np.zeros(1 + len(meaning.FEATURES)), jac=True, method="L-BFGS-B")
    w = {"bias": round(float(res.x[0]), 4)}
    w.update({f: round(float(v), 4) for f, v in zip(meaning.FEATURES, res.x[1:], strict=True)})
    return {**w, "scheme": {}, "rows": len(y)}


def span_scores(rows: list[SpanRow], k: int = 5, threshold: float = 0.5) -> dict:
    """acc@1 / acc@k over rows with a gold concept; precision and coverage of the top-1 at ``threshold``
    over all rows (a row whose gold is "no ESCO skill" makes any confident answer wrong)."""
    from .linker import link

    n = hit1 = hitk = 0
    confident = right = 0
    for row in rows:
        ranked = link(row.phrase, k=k, scheme="esco", context=row.sentence)
        ids = [c.id for c, _ in ranked]
        if row.gold is not None:
            n += 1
            hit1 += bool(ids[:1] == [row.gold])
            hitk += row.gold in ids
        if ranked and ranked[0][1] >= threshold:
            confident += 1
            right += ids[0] == row.gold
    return {
        "n": n,
        "acc@1": round(hit1 / n, 4) if n else 0.0,
        f"acc@{k}": round(hitk / n, 4) if n else 0.0,
        f"precision@p>={threshold}": round(right / confident, 4) if confident else 0.0,
        f"answered@p>={threshold}": round(confident / len(rows), 4) if rows else 0.0,
    }


def sentence_gold(path: str | Path) -> list[tuple[str, frozenset[str], bool]]:
    """esco-linking sentences with all their ESCO labels, and the block split."""
    gold: dict[str, set[str]] = defaultdict(set)
    tuning: dict[str, bool] = {}
    for row in span_rows(path):
        tuning[row.sentence] = row.tuning
        if row.gold:
            gold[row.sentence].add(row.gold)
    return [(s, frozenset(g), tuning[s]) for s, g in gold.items()]


def rp_at_k(ranked: list[list[str]], gold: list[frozenset[str]], k: int = 5) -> float:
    total = sum(len(set(r[:k]) & g) / min(k, len(g)) for r, g in zip(ranked, gold, strict=True) if g)
    n = sum(1 for g in gold if g)
    return round(total / n, 4) if n else 0.0


def task_dwa_scores(shared: Path, k: int = 5) -> dict:
    """acc@1 and RP@k of ranking DWAs (``dwa_rank``: the DWA titles' meaning and the votes of the packaged
    example tasks, which hold training occupations only) for the task statements of the held-out occupations.

    ``without_identical``: the same with the example statements that are, casefolded, the text of an
    evaluation task left out of the index (O*NET gives some statements to several occupations)."""
    from . import dwa_rank
    from .reference_readers import task_dwas

    tax = load_taxonomy()
    tasks = task_dwas(Path(shared) / "taxonomy" / "onet-29.3" / "Tasks to DWAs.txt", tax, held_out=True)
    items = sorted(tasks.items())
    gold = [frozenset(g) for _, g in items]
    vectors = dwa_rank._encode([task for task, _ in items])
    exemplars = dwa_rank.load_exemplars()
    asked = {task.casefold() for task, _ in items}
    keep = [i for i, t in enumerate(exemplars.texts) if " ".join(t.split()).casefold() not in asked]
    ranker = dwa_rank.get_ranker()
    apart = dwa_rank.DwaRanker(
        dwa_rank.Exemplars(tuple(exemplars.texts[i] for i in keep), tuple(exemplars.dwas[i] for i in keep)),
        vectors=ranker.examples[keep],
    )

    def measure(with_ranker: dwa_rank.DwaRanker) -> dict:
        ranked = [[c for c, _ in row] for row in with_ranker.rank_vectors(vectors, k)]
        acc1 = sum(1 for r, g in zip(ranked, gold, strict=True) if r[:1] and r[0] in g) / len(items)
        return {"n": len(items), "acc@1": round(acc1, 4), f"RP@{k}": rp_at_k(ranked, gold, k)}

    return {
        **measure(ranker),
        "examples": len(exemplars.texts),
        "without_identical": {**measure(apart), "examples": len(keep)},
    }
