"""Taxonomy knowledge as a model feature: each token says whether it starts, continues, ends or alone makes up
a phrase that names an ESCO skill / knowledge concept or an O*NET tool.

The ``skill_gazetteer`` pipeline component (first in the pipeline) writes one small integer per token into
``doc.user_data``; the ``skillpulse.GazetteerEmbed.v1`` embedding reads it beside the usual hashed word
features, so the trained model learns how far to trust a dictionary hit (ESCO lists "mathematics", postings
rarely ask for it as such) instead of a fixed rule deciding. Matching is longest-first, case-insensitive.
ESCO concepts that exist only because the linking validation data names them (the labelled v1.2.0
additions) are left out, so no evaluation data leaks into the features.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy
from spacy.language import Language
from spacy.ml.models.tok2vec import MultiHashEmbed
from spacy.util import registry
from thinc.api import Embed, Maxout, Model, chain, concatenate, with_array
from thinc.types import Floats2d

from .index_cache import cached

USER_DATA_KEY = "skillpulse_gaz"
_BILU = 5  # 0 outside, 1 begin, 2 inside, 3 last, 4 unit
N_TAGS = _BILU * _BILU  # ESCO tag × O*NET tag


def _bilu(length: int) -> list[int]:
    return [4] if length == 1 else [1] + [2] * (length - 2) + [3]


@lru_cache(maxsize=2)
def _phrases() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(ESCO labels, O*NET technology-skill names), lower-cased, from the packaged taxonomy (no DWAs, no
    tools used)."""
    from .taxonomy import load_taxonomy

    tax = load_taxonomy()
    esco: set[str] = set()
    onet: set[str] = set()
    for cid, concept in tax.concepts.items():
        attrs = tax.attrs.get(cid, {})
        if attrs.get("v") == "1.2.0":
            continue
        if concept.scheme == "onet-dwa" or cid.startswith("urn:onet:tool:"):
            continue  # DWAs are sentences, not spans; tools used are not in the feature the model learnt
        target = onet if concept.scheme == "onet-tools" else esco
        for label in (concept.label, *tax.alt_labels.get(cid, ())):
            label = label.strip().lower()
            if len(label) >= 2:
                target.add(label)
    return tuple(sorted(esco)), tuple(sorted(onet))


class PhraseIndex:
    """Phrases as sequences of lower-cased tokens, found anywhere in a text's tokens (what spaCy's PhraseMatcher
    with ``attr="LOWER"`` finds, from a plain picklable index that loads in a fraction of a second)."""

    def __init__(self, phrases: list[tuple[str, ...]]) -> None:
        self.phrases = frozenset(p for p in phrases if p)
        self.prefixes = frozenset(p[:k] for p in self.phrases for k in range(2, len(p)))
        self.first = frozenset(p[0] for p in self.phrases)  # most words start no phrase: one set lookup each
        self.longest = max(map(len, self.phrases), default=0)

    def find(self, words: list[str]) -> list[tuple[int, int]]:
        """Every (start, end) token range whose words are a phrase, overlapping ones included."""
        found = []
        n = len(words)
        for i, word in enumerate(words):
            if word not in self.first:
                continue
            if (word,) in self.phrases:
                found.append((i, i + 1))
            for j in range(i + 2, min(n, i + self.longest) + 1):
                seq = tuple(words[i:j])
                if seq in self.phrases:
                    found.append((i, j))
                if seq not in self.prefixes:
                    break
        return found


def _tokenised(nlp: Language) -> list[PhraseIndex]:
    """The two indexes (ESCO, O*NET): each phrase through the model's tokenizer, as PhraseMatcher patterns were."""
    return [
        PhraseIndex([tuple(t.lower_ for t in doc) for doc in nlp.tokenizer.pipe(phrases, batch_size=1000)])
        for phrases in _phrases()
    ]


class SkillGazetteer:
    """Tags tokens with dictionary matches; holds no state of its own (built from the packaged taxonomy)."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self._indexes: list[PhraseIndex] | None = None

    def build(self) -> list[PhraseIndex]:
        """The two phrase indexes (ESCO, O*NET), built on first use (~5 s for ~105,000 phrases, or read from the
        NLP index cache, nlp/index_cache.py) and kept."""
        if self._indexes is None:
            tokenizer = hashlib.sha256(
                self.nlp.tokenizer.to_bytes()
            ).hexdigest()  # the phrases' tokens depend on it
            self._indexes = cached("gazetteer", lambda: _tokenised(self.nlp), key=tokenizer)
        return self._indexes

    def tags(self, doc) -> numpy.ndarray:
        indexes = self.build()
        words = [t.lower_ for t in doc]
        out = numpy.zeros(len(doc), dtype="uint64")
        for scale, index in zip((1, _BILU), indexes, strict=True):
            taken = numpy.zeros(len(doc), dtype=bool)
            for start, end in sorted(index.find(words), key=lambda m: (m[0] - m[1], m[0])):
                if taken[start:end].any():
                    continue
                taken[start:end] = True
                out[start:end] += numpy.asarray(_bilu(end - start), dtype="uint64") * scale
        return out

    def __call__(self, doc):
        doc.user_data[USER_DATA_KEY] = self.tags(doc)
        return doc

    def pipe(self, docs, batch_size: int = 128):
        for doc in docs:
            yield self(doc)

    # nothing to save: the phrases come from the packaged taxonomy
    def to_disk(self, path, *, exclude=()) -> None:  # noqa: ARG002
        return None

    def from_disk(self, path, *, exclude=()):  # noqa: ARG002
        return self

    def to_bytes(self, *, exclude=()) -> bytes:  # noqa: ARG002
        return b""

    def from_bytes(self, data: bytes, *, exclude=()):  # noqa: ARG002
        return self


@Language.factory("skill_gazetteer")
def make_skill_gazetteer(nlp: Language, name: str) -> SkillGazetteer:  # noqa: ARG001
    return SkillGazetteer(nlp)


def _tag_ids() -> Model:
    def forward(model: Model, docs, is_train: bool):  # noqa: ARG001
        ops = model.ops
        out = []
        for doc in docs:
            tags = doc.user_data.get(USER_DATA_KEY)
            if tags is None or len(tags) != len(doc):
                tags = numpy.zeros(len(doc), dtype="uint64")
            out.append(ops.asarray2i(numpy.asarray(tags, dtype="int32").reshape(-1, 1)))
        return out, lambda d_out: []

    return Model("gazetteer_tags", forward)


@registry.architectures("skillpulse.GazetteerEmbed.v1")
def gazetteer_embed(
    width: int, attrs: list[str], rows: list[int], include_static_vectors: bool, gazetteer_width: int = 16
) -> Model[list, list[Floats2d]]:
    """spaCy's MultiHashEmbed plus an embedding of the token's gazetteer tag, mixed by one maxout layer."""
    words = MultiHashEmbed(width=width, attrs=attrs, rows=rows, include_static_vectors=include_static_vectors)
    gaz = chain(_tag_ids(), with_array(Embed(nO=gazetteer_width, nV=N_TAGS, column=0)))
    mix = with_array(Maxout(nO=width, nI=width + gazetteer_width, nP=2, normalize=True, dropout=0.0))
    model = chain(concatenate(words, gaz), mix)
    model.set_dim("nO", width)
    return model
