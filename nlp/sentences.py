"""Sentence-level concepts: what a whole sentence expresses, multi-label, with the sentence as evidence.

For competency statements, survey open answers and posting sentences. ``rank_concepts`` ranks a sentence's
concepts by its embedding's cosine with each label together with its pieces' (list items, verb clauses, the
extractor's skill spans) and the words it shares with the labels (``sentence_rank``); ``nearest_concepts`` by
the cosine alone. The concepts scoring ``SENTENCE_THRESHOLD`` or more count, best first, at most ``k`` per
sentence. The weights and the threshold are chosen on SkillSkape *dev* (``skillpulse nlp fit-sentences``,
``skillpulse nlp evaluate-sentences --skillskape``); esco-linking, where RP@5 is reported, is never tuned on.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import embedding, sentence_rank
from .segment import segments
from .taxonomy import load_taxonomy
from .types import Concept

SENTENCE_THRESHOLD = 0.75  # SkillSkape dev: precision 0.74, 440 kept (the cosine alone at 0.7: 0.68, 253)
MAX_PER_SENTENCE = 5
MIN_WORDS = 3  # "Requirements:" or "Benefits" is a heading, not a sentence that expresses a skill


@dataclass(frozen=True, slots=True)
class SentenceConcept:
    concept: Concept
    score: float
    start: int  # the sentence's characters in the text: the evidence
    end: int
    sentence: str


def nearest_concepts(
    text: str, k: int = 5, schemes: tuple[str, ...] | None = None
) -> list[tuple[Concept, float]]:
    """The ``k`` concepts whose labels are nearest in meaning to ``text`` (the embedding's cosine alone)."""
    if not text or not text.strip() or not embedding.available():
        return []
    tax = load_taxonomy()
    vector = embedding.embed([text.strip()[:1000]])[0]
    return [(tax.concepts[c], round(s, 4)) for c, s in embedding.concept_matrix().nearest(vector, k, schemes)]


def rank_concepts(
    text: str,
    k: int = 5,
    schemes: tuple[str, ...] | None = None,
    spans: tuple[str, ...] | None = None,
) -> list[tuple[Concept, float]]:
    """The ``k`` concepts ``text`` most likely expresses, best first (``sentence_rank``). ``spans``: the skill
    spans already found in it (default: the extractor's span model is asked)."""
    if not text or not text.strip() or not embedding.available():
        return []
    tax = load_taxonomy()
    found = sentence_rank.spans_of([text])[0] if spans is None else spans
    # ranked by the raw score; shown at most 1 (a sentence naming a label exactly can score a little above)
    return [(tax.concepts[c], round(min(s, 1.0), 4)) for c, s in sentence_rank.rank(text, k, schemes, found)]


def sentence_concepts(
    text: str,
    schemes: tuple[str, ...] | None = None,
    threshold: float = SENTENCE_THRESHOLD,
    k: int = MAX_PER_SENTENCE,
) -> list[SentenceConcept]:
    """For each sentence (segment) of ``text``: the concepts it expresses scoring ``threshold`` or more."""
    out: list[SentenceConcept] = []
    text = text or ""
    ranges = [(s, e) for s, e in segments(text) if len(text[s:e].split()) >= MIN_WORDS]
    if not ranges or not embedding.available():
        return out
    spans = sentence_rank.spans_of([text[s:e] for s, e in ranges])  # one batch through the span model
    for (start, end), found in zip(ranges, spans, strict=True):
        sentence = text[start:end]
        for concept, score in rank_concepts(sentence, k, schemes, found):
            if score >= threshold:
                out.append(SentenceConcept(concept, score, start, end, sentence))
    return out
