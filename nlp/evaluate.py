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


def predict_grouped(extractor, sentences, group: int) -> list[list[tuple[int, int]]]:
    """As postings arrive: ``group`` consecutive sentences joined into one text (tokens joined by spaces), cut
    by ``nlp.segment.segments``, each segment run as one doc of its gold tokens; spans mapped back to each
    sentence's tokens (a span that crosses a sentence end is kept on its first sentence, clipped there)."""
    from spacy.tokens import Doc

    from .segment import segments

    out: list[list[tuple[int, int]]] = [[] for _ in sentences]
    for g in range(0, len(sentences), group):
        block = list(range(g, min(g + group, len(sentences))))
        toks: list[tuple[int, int, int, int]] = []  # (sentence, token index, char start, char end)
        pos = 0
        for si in block:
            for ti, tok in enumerate(sentences[si].tokens):
                toks.append((si, ti, pos, pos + len(tok)))
                pos += len(tok) + 1
        text = " ".join(t for si in block for t in sentences[si].tokens)
        docs, members = [], []
        j = 0
        for a, b in segments(text):
            inside = []
            while j < len(toks) and toks[j][2] < b:
                if toks[j][3] > a:
                    inside.append(toks[j])
                j += 1
            if inside:
                docs.append(Doc(extractor.nlp.vocab, words=[text[t[2] : t[3]] for t in inside]))
                members.append(inside)
        stream: Iterable = docs
        for _, proc in extractor.nlp.pipeline:
            stream = proc.pipe(stream, batch_size=256) if hasattr(proc, "pipe") else map(proc, stream)
        cues = TextCues(text)
        for doc, inside in zip(stream, members, strict=True):
            for s, e, _ in extractor.doc_spans(doc):
                first, last = inside[s], inside[e - 1]
                if cues.negated(first[2], last[3]):
                    continue
                end = e - 1
                while inside[end][0] != first[0]:
                    end -= 1
                out[first[0]].append((first[1], inside[end][1] + 1))
    return out


def evaluate_files(paths: Iterable[str | Path], extractor=None, group: int = 1) -> dict[str, dict]:
    from .pipeline import get_extractor

    extractor = extractor or get_extractor()
    results: dict[str, dict] = {}
    for path in paths:
        sents = read_conll(path)
        n_words = sum(len(s.tokens) for s in sents)
        t0, c0 = time.perf_counter(), time.process_time()
        pred = (
            predict_gold_tokens(extractor, sents) if group <= 1 else predict_grouped(extractor, sents, group)
        )
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        strict, loose = score_spans(([(a, b) for a, b, _ in s.spans] for s in sents), pred)
        results[str(path)] = {
            "sentences": len(sents),
            "group": max(1, group),
            "words": n_words,
            "strict": strict.as_dict(),
            "loose": loose.as_dict(),
            "words_per_second": round(n_words / dt) if dt > 0 else 0,  # wall clock
            "words_per_cpu_second": round(n_words / dc) if dc > 0 else 0,  # this process's CPU time
        }
    return results
