"""Span evaluation on CoNLL files, scored as ../shared/data/README.md describes."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from .conll import read_conll, score_spans
from .cues import TextCues


def predict_gold_tokens(extractor, sentences, batch_size: int = 256) -> list[list[tuple[int, int]]]:
    """Run the extractor's span logic on gold tokens (no tokenisation boundary errors)."""
    from spacy.tokens import Doc

    nlp = extractor.nlp
    docs = [Doc(nlp.vocab, words=s.tokens) for s in sentences]
    out: list[list[tuple[int, int]]] = []
    procs = [p for _, p in nlp.pipeline]
    stream: Iterable = docs
    for proc in procs:
        stream = proc.pipe(stream, batch_size=batch_size) if hasattr(proc, "pipe") else map(proc, stream)
    for doc in stream:
        spans = extractor.doc_spans(doc)
        cues = TextCues(doc.text)
        keep = []
        for s, e, _ in spans:
            a, b = doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text)
            if not cues.negated(a, b):
                keep.append((s, e))
        out.append(keep)
    return out


def evaluate_files(paths: Iterable[str | Path], extractor=None) -> dict[str, dict]:
    from .pipeline import get_extractor

    extractor = extractor or get_extractor()
    results: dict[str, dict] = {}
    for path in paths:
        sents = read_conll(path)
        n_words = sum(len(s.tokens) for s in sents)
        t0, c0 = time.perf_counter(), time.process_time()
        pred = predict_gold_tokens(extractor, sents)
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        strict, loose = score_spans(([(a, b) for a, b, _ in s.spans] for s in sents), pred)
        results[str(path)] = {
            "sentences": len(sents),
            "words": n_words,
            "strict": strict.as_dict(),
            "loose": loose.as_dict(),
            "words_per_second": round(n_words / dt) if dt > 0 else 0,  # wall clock
            "words_per_cpu_second": round(n_words / dc) if dc > 0 else 0,  # this process's CPU time
        }
    return results
