"""skillpulse NLP: skill extraction, concept linking, requirement cues and job-title coding.

Pure functions of text and packaged data (model and compact taxonomy ship inside this package). Nothing
heavy happens at import time: the pipeline, taxonomy and indexes load on first use and are cached per process.
"""

from __future__ import annotations

from .coordination import clauses
from .linker import link
from .occupation_text import code_occupation
from .pipeline import Extractor, extract, extract_many, get_extractor
from .sentences import SentenceConcept, rank_concepts, sentence_concepts
from .taxonomy import Taxonomy, load_taxonomy
from .types import Concept, Mention

__all__ = [
    "EXTRACTOR_VERSION",
    "Concept",
    "Extractor",
    "Mention",
    "SentenceConcept",
    "Taxonomy",
    "clauses",
    "code_occupation",
    "extract",
    "extract_many",
    "extractor_version",
    "get_extractor",
    "link",
    "load_taxonomy",
    "rank_concepts",
    "sentence_concepts",
]


def extractor_version() -> str:
    """Identifies model + taxonomy, e.g. ``skillspan-ner-1a2b3c4d.9f3e+tax-c7db77b6``."""
    from .version import extractor_version as _v

    return _v()


def __getattr__(name: str):
    # EXTRACTOR_VERSION is computed lazily from the packaged files (hashing them only, no model load).
    if name == "EXTRACTOR_VERSION":
        from .version import static_version

        value = static_version()
        globals()[name] = value
        return value
    raise AttributeError(name)
