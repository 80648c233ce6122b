"""Reading SkillSpan-style CoNLL files and scoring span predictions the way the project is measured.

Format: ``token <TAB> skill-BIO [<TAB> knowledge-BIO]``, a blank line between sentences.
Scoring (see ../shared/data/README.md): gold tokens are fed to the model, gold spans are the union of the
skill and knowledge layers, labels are ignored; strict = exact token boundaries, loose = any token overlap;
micro-averaged over the file.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

Span = tuple[int, int, str]  # token start, token end (exclusive), label


@dataclass
class Sentence:
    tokens: list[str]
    spans: list[Span] = field(default_factory=list)


def bio_to_spans(tags: list[str], label: str) -> list[Span]:
    """Turn one BIO layer into spans; a stray I- starts a span (as conlleval does)."""
    out: list[Span] = []
    start: int | None = None
    for i, tag in enumerate([*tags, "O"]):
        if tag.startswith("B") or tag == "O" or tag == "" or (tag.startswith("I") and start is None):
            if start is not None:
                out.append((start, i, label))
                start = None
            if tag.startswith(("B", "I")):
                start = i
    return out


def read_conll(path: str | Path) -> list[Sentence]:
    """Read a CoNLL file (gzip when it ends in .gz); column 2 is the SKILL layer, column 3 (if any) the
    KNOWLEDGE layer."""
    sents: list[Sentence] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if not rows:
            return
        tokens = [r[0] for r in rows]
        spans = bio_to_spans([r[1] if len(r) > 1 else "O" for r in rows], "SKILL")
        spans += bio_to_spans([r[2] if len(r) > 2 else "O" for r in rows], "KNOWLEDGE")
        sents.append(Sentence(tokens, spans))
        rows.clear()

    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip():
                flush()
                continue
            parts = line.split("\t")
            if not parts[0]:
                parts[0] = "_"
            rows.append(parts)
    flush()
    return sents


def non_overlapping(spans: Iterable[Span]) -> list[Span]:
    """Resolve overlaps for a flat NER layer: keep longer spans first, SKILL before KNOWLEDGE on ties."""
    chosen: list[Span] = []
    taken: set[int] = set()
    for s in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[2] != "SKILL", s[0])):
        if any(i in taken for i in range(s[0], s[1])):
            continue
        chosen.append(s)
        taken.update(range(s[0], s[1]))
    return sorted(chosen)


@dataclass
class PRF:
    tp_p: int = 0  # predicted spans that count
    n_pred: int = 0
    tp_g: int = 0  # gold spans that are found
    n_gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp_p / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp_g / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float]:
        return {"p": round(self.precision, 4), "r": round(self.recall, 4), "f1": round(self.f1, 4)}


def score_spans(
    gold: Iterable[Iterable[tuple[int, int]]], pred: Iterable[Iterable[tuple[int, int]]]
) -> tuple[PRF, PRF]:
    """Micro strict and loose P/R/F1 over sentences; spans are (token start, token end exclusive).

    Gold spans are de-duplicated (the skill and knowledge layers may mark the same span); labels are ignored.
    """
    strict, loose = PRF(), PRF()
    for g_spans, p_spans in zip(gold, pred, strict=True):
        g = sorted({(int(a), int(b)) for a, b, *_ in g_spans})
        p = sorted({(int(a), int(b)) for a, b, *_ in p_spans})
        gset = set(g)
        pset = set(p)
        strict.n_pred += len(p)
        strict.n_gold += len(g)
        strict.tp_p += sum(1 for s in p if s in gset)
        strict.tp_g += sum(1 for s in g if s in pset)
        loose.n_pred += len(p)
        loose.n_gold += len(g)
        loose.tp_p += sum(1 for a, b in p if any(a < d and c < b for c, d in g))
        loose.tp_g += sum(1 for c, d in g if any(a < d and c < b for a, b in p))
    return strict, loose


def iter_conll_texts(paths: Iterable[str | Path]) -> Iterator[str]:
    for path in paths:
        for s in read_conll(path):
            yield " ".join(s.tokens)
