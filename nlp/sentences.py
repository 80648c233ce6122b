"""Sentence-level concepts: what a whole sentence expresses, multi-label, with the sentence as evidence.

For competency statements, survey open answers and posting sentences. A sentence's embedding is compared
with every concept label's (``embedding.concept_matrix``); the concepts above ``SENTENCE_THRESHOLD`` count,
best first, at most ``k`` per sentence. The threshold is chosen on SkillSkape *dev* (``skillpulse nlp
evaluate-sentences --tune``) and its precision is reported on the esco-linking sentences, which were not
used for choosing it.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import embedding
from .segment import segments
from .taxonomy import load_taxonomy
from .types import Concept

SENTENCE_THRESHOLD = 0.7  # cosine; precision 0.69 on SkillSkape dev (skillpulse nlp evaluate-sentences)
MAX_PER_SENTENCE = 5
MIN_WORDS = 3  # "Requirements:" or "Benefits" is a heading, not a sentence that expresses a skill


@dataclass(frozen=True, slots=True)
class SentenceConcept:
    concept: Concept
    score: float
    start: int  # the sentence's characters in the text: the evidence
    end: int
    sentence: str


def rank_concepts(
    text: str, k: int = 5, schemes: tuple[str, ...] | None = None
) -> list[tuple[Concept, float]]:
    """The ``k`` concepts whose labels are nearest in meaning to ``text`` (cosine, best first)."""
    if not text or not text.strip() or not embedding.available():
        return []
    tax = load_taxonomy()
    vector = embedding.embed([text.strip()[:1000]])[0]
    return [(tax.concepts[c], round(s, 4)) for c, s in embedding.concept_matrix().nearest(vector, k, schemes)]


def sentence_concepts(
    text: str,
    schemes: tuple[str, ...] | None = None,
    threshold: float = SENTENCE_THRESHOLD,
    k: int = MAX_PER_SENTENCE,
) -> list[SentenceConcept]:
    """For each sentence (segment) of ``text``: the concepts it expresses above ``threshold``."""
    out: list[SentenceConcept] = []
    for start, end in segments(text or ""):
        sentence = text[start:end]
        if len(sentence.split()) < MIN_WORDS:
            continue
        for concept, score in rank_concepts(sentence, k, schemes):
            if score >= threshold:
                out.append(SentenceConcept(concept, score, start, end, sentence))
    return out
