"""The extractor: trained spaCy span model + O*NET tool gazetteer + post-rules + cues + linking.

Everything loads lazily on first use and is cached per process (``get_extractor``), so the module imports
cheaply and the public functions can be shipped to a ProcessPoolExecutor.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .clause_links import not_a_skill, verb_clauses
from .coordination import best_link, conjunct_links
from .cues import TextCues
from .entities import html_aware_tokenizer, remap, unescape_entities
from .item_links import item_ranges
from .linker import prefetch
from .mention_make import make_mention, mention_kind
from .segment import segments
from .taxonomy import load_taxonomy
from .titles import is_job_title
from .types import Mention
from .version import MODEL_DIR, load_settings, static_version

MAX_MENTION_CHARS = 300
INNER = "INNER"  # the label of an alias phrase found inside a longer span (Extractor.inner_aliases)

_TRIM_WORDS = frozenset(
    "a an the and or of to in on for with as at by from our your their its this that these those "
    "etc e.g. i.e. eg ie such including include includes".split()
)
_PUNCT = re.compile(r"^[\W_]+$")


SPAN_MEMO_SIZE = 8192  # segments whose spans are remembered (a batch of postings' worth)


def _junk(tok) -> bool:
    return tok.is_space or tok.lower_ in _TRIM_WORDS or bool(_PUNCT.match(tok.text))


class Extractor:
    """Holds the spaCy pipeline and the gazetteer; pure functions of text after construction."""

    def __init__(self, model_dir: str | Path | None = None) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        from . import architectures  # noqa: F401  (registers the model's own layers and components)

        self.settings = load_settings()
        # segment text -> the span texts doc_spans found in it, for sentence_concepts after extract_many
        self._span_memo: dict[str, tuple[str, ...]] = {}
        path = Path(model_dir) if model_dir else MODEL_DIR
        if (path / "meta.json").exists():
            self.nlp = spacy.load(path, exclude=["senter", "parser", "tagger", "lemmatizer"])
            self.has_model = "ner" in self.nlp.pipe_names
        else:  # no trained model shipped: gazetteer only (still deterministic and offline)
            self.nlp = spacy.blank("en")
            self.has_model = False
        self.nlp.max_length = 10**9
        html_aware_tokenizer(self.nlp)
        if "skill_gazetteer" in self.nlp.pipe_names:  # build its phrase index now, not inside the first text
            self.nlp.get_pipe("skill_gazetteer").build()
        labels = set(self.nlp.get_pipe("ner").labels) if self.has_model else set()
        if self.has_model and float(self.settings.get("o_bias", 0.0)):
            self._shift_outside(float(self.settings["o_bias"]))
        self.single_label = self.has_model and "KNOWLEDGE" not in labels
        self.nlp.tokenizer.max_cache_size = int(self.settings["tokenizer_cache"])
        self.tax = load_taxonomy()
        self.matcher: PhraseMatcher | None = None
        gaz = self.settings["gazetteer"] if self.has_model else "onet"
        if gaz != "none":
            self.matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
            names = []
            for cid, c in self.tax.concepts.items():
                if not cid.startswith("urn:onet:tech:"):  # technology skills, not tools used or DWAs
                    continue
                a = self.tax.attrs.get(cid, {})
                if gaz == "onet_hot" and not (a.get("hot") or a.get("dem")):
                    continue
                if len(c.label) < int(self.settings["gazetteer_min_len"]):
                    continue
                names.append(c.label)
            patterns = list(self.nlp.tokenizer.pipe(sorted(set(names))))
            self.matcher.add("TOOL", patterns)
        self.alias_matcher = self._alias_matcher()

        self.version = static_version() if path == MODEL_DIR else f"custom-{path.name}+tax-{self.tax.version}"

    def _alias_matcher(self):  # noqa: ANN202 - spaCy PhraseMatcher
        """The hand-written posting words of config/aliases.json ("MIG", "forklift", "EKG", "CDL-A"), matched
        case-insensitively as spans where the model found none: the span model, trained on SkillSpan's
        office and tech postings, misses much of the trades' and health care's vocabulary."""
        from spacy.matcher import PhraseMatcher

        from .taxonomy import ALIASES_FILE

        if not self.has_model or not ALIASES_FILE.exists():
            return None
        data = json.loads(ALIASES_FILE.read_text(encoding="utf-8"))
        phrases = []
        for phrase, target in data.items():
            if phrase.startswith("_") or len(phrase) < 2:
                continue
            concept = self.tax.resolve(target)
            # soft skills ("team player", "proactive") stay with the model: postings use such words loosely
            hierarchy = self.tax.attrs.get(concept.id, {}).get("h", ()) if concept else ()
            if concept is None or any(h.startswith("T") for h in hierarchy):
                continue
            phrases.append(phrase)
        phrases = sorted(set(phrases))
        matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        matcher.add("ALIAS", list(self.nlp.tokenizer.pipe(phrases)))
        return matcher

    def _shift_outside(self, delta: float) -> None:
        """Lower the score of the NER's OUT action by ``delta``: a recall knob tuned on dev (the greedy
        transition model has no span threshold; this shifts its one decision boundary that matters)."""
        ner = self.nlp.get_pipe("ner")
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        upper = ner.model.get_ref("upper")
        b = upper.get_param("b").copy()
        b[names.index("O")] -= delta
        upper.set_param("b", b)

    # ----------------------------------------------------------------- token spans
    def doc_spans(self, doc) -> list[tuple[int, int, str]]:
        """Token spans (start, end, label) for a processed doc: model entities, then gazetteer hits
        that overlap none of them, then trimmed of leading/trailing function words and punctuation."""
        spans = [(e.start, e.end, e.label_) for e in doc.ents]
        taken = set()
        for s, e, _ in spans:
            taken.update(range(s, e))
        for matcher in (self.matcher, self.alias_matcher):
            if matcher is None:
                continue
            hits = sorted(matcher(doc), key=lambda m: (m[1], -(m[2] - m[1])))
            for _, s, e in hits:
                if not any(i in taken for i in range(s, e)):
                    spans.append((s, e, "KNOWLEDGE"))
                    taken.update(range(s, e))
        if self.settings["trim"]:
            spans = [t for t in (self._trim(doc, s, e, lab) for s, e, lab in spans) if t]
        spans = sorted(set(spans))
        if len(self._span_memo) >= SPAN_MEMO_SIZE:
            self._span_memo.clear()
        self._span_memo[doc.text] = tuple(doc[s:e].text for s, e, _ in spans)
        return spans

    def span_texts(self, texts: list[str]) -> list[tuple[str, ...]]:
        """The texts of ``doc_spans`` of each text (a segment), remembered from the extraction that read it
        (``extract_many`` then ``sentence_concepts`` over the same segments runs the model once)."""
        found = {t: self._span_memo[t] for t in dict.fromkeys(texts) if t in self._span_memo}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        for text, doc in zip(missing, self.nlp.pipe(missing), strict=True):
            self.doc_spans(doc)
            found[text] = self._span_memo.get(doc.text, ())
        return [found[t] for t in texts]

    @staticmethod
    def _trim(doc, s: int, e: int, label: str) -> tuple[int, int, str] | None:
        while s < e:
            t = doc[s]
            if t.text in ("(", "[", ".") or not _junk(t):
                break
            s += 1
        while s < e:
            t = doc[e - 1]
            if t.text in (")", "]", "+", "#") or not _junk(t):
                break
            e -= 1
        if s >= e:
            return None
        return (s, e, label)

    # ----------------------------------------------------------------- mentions
    def inner_aliases(self, doc, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """Alias phrases (config/aliases.json) inside or across a span that is not the phrase itself: "tire
        service" in "tire service, brake jobs and inspections", "lift 50 lbs" across the span "lift 50". They
        name their concept too (labelled ``INNER``: the span's own link stays; ``_mentions`` drops one that
        repeats it)."""
        if self.alias_matcher is None:
            return []
        out = []
        for _, s, e in self.alias_matcher(doc):
            if any(s < b and a < e and (a, b) != (s, e) for a, b, _ in spans):
                out.append((s, e, INNER))
        return sorted(set(out))

    def _char_spans(self, doc, base: int) -> list[tuple[int, int, str]]:
        """``doc_spans`` and their ``inner_aliases`` as character offsets into the whole text (the segment
        starts at ``base``)."""
        spans = self.doc_spans(doc)
        return [
            (base + doc[s:e].start_char, base + doc[s:e].end_char, lab)
            for s, e, lab in spans + self.inner_aliases(doc, spans)
        ]

    @property
    def links_items(self) -> bool:
        return float(self.settings.get("item_threshold", 1.1)) <= 1.0 and self.has_model

    def _mentions(
        self,
        text: str,
        doc,
        base: int,
        cues: TextCues,
        occupation: str | None = None,
        spans: list[tuple[int, int, str]] | None = None,
        items: list[tuple[int, int]] | None = None,
    ) -> list[Mention]:
        """Mentions of one segment's doc; offsets, negation and requirement cues are the whole text's.
        ``spans`` (``_char_spans``) and ``items`` (``item_links.item_ranges``), when already found, are reused."""
        out: list[Mention] = []
        thr = float(self.settings["link_threshold"])
        spans = self._char_spans(doc, base) if spans is None else spans
        named: set[str] = set()  # what the spans themselves link to (an inner alias repeating one is dropped)
        for start, end, label in sorted(spans, key=lambda sp: sp[2] == INNER):
            mtext = text[start:end]
            if end - start > MAX_MENTION_CHARS or cues.negated(start, end) or not_a_skill(mtext):
                continue
            if is_job_title(mtext):  # "CNC operator", "Office Clerk": the posting's heading, not a skill
                continue
            for cstart, cend, concept, score in conjunct_links(mtext, thr, doc.text, occupation):
                if not_a_skill(mtext[cstart:cend]):  # "willingness to learn" → "learn"
                    continue
                if label == INNER and (concept is None or concept.id in named):
                    continue
                if concept is not None:
                    named.add(concept.id)
                kind = self._kind("KNOWLEDGE" if label == INNER else label, mtext, concept)
                cue = cues.requirement(start, end)  # a conjunct takes the whole phrase's cue
                out.append(self._mention(text, start + cstart, start + cend, kind, concept, score, cue))
        taken = [(start, end) for start, end, label in spans if label != INNER]
        out.extend(self._item_mentions(text, doc.text, base, cues, taken, occupation, items))
        out.extend(self._clause_mentions(text, doc.text, base, cues, {m.concept for m in out}, occupation))
        return out

    def _clause_mentions(self, text: str, segment: str, base: int, cues: TextCues, known: set, occupation):
        """The segment's verb clauses (``clause_links.verb_clauses``) linked whole, each kept when its concept
        reaches ``clause_threshold`` and is not one the segment's spans and items already name."""
        thr = float(self.settings.get("clause_threshold", 1.1))
        if thr > 1.0 or not self.has_model:
            return []
        out = []
        for s, e in verb_clauses(segment):
            start, end = base + s, base + e
            if cues.negated(start, end):
                continue
            for cs, ce, concept, score in conjunct_links(text[start:end], thr, segment, occupation):
                if concept is None or concept in known or not_a_skill(text[start + cs : start + ce]):
                    continue
                known.add(concept)
                kind = self._kind("SKILL", text[start + cs : start + ce], concept)
                cue = cues.requirement(start, end)
                out.append(self._mention(text, start + cs, start + ce, kind, concept, score, cue))
        return out

    _mention = staticmethod(make_mention)

    def _item_mentions(
        self,
        text: str,
        segment: str,
        base: int,
        cues: TextCues,
        taken: list[tuple[int, int]],
        occupation: str | None,
        items: list[tuple[int, int]] | None = None,
    ) -> list[Mention]:
        """The segment's list items that no span covers, linked at ``item_threshold``: the span model, trained
        on SkillSpan's office and tech postings, misses much of the trades' and health care's phrasing ("load
        and unload freight, verify bills of lading, secure freight"); such lists name a skill an item."""
        if not self.links_items:
            return []
        thr = float(self.settings.get("item_threshold", 1.1))
        out = []
        for start, end in item_ranges(text, segment, base, cues, taken) if items is None else items:
            concept, score = best_link(text[start:end], thr, segment, occupation)
            if concept is not None:
                kind = self._kind("SKILL", text[start:end], concept)
                out.append(
                    self._mention(text, start, end, kind, concept, score, cues.requirement(start, end))
                )
        return out

    def _read_chunk(
        self, texts: list[str], socs: list, chunk: list[tuple[int, int, object]], results
    ) -> None:
        """Mentions of a few texts' segments: their spans and list items first, the nearest concepts of what
        will be linked readied in one go (``linker.prefetch``), then each segment read."""
        cues = {i: TextCues(texts[i]) for i in dict.fromkeys(i for i, _, _ in chunk)}
        spans = [self._char_spans(doc, start) for _, start, doc in chunk]
        items: list[list[tuple[int, int]] | None] = [None] * len(chunk)
        queries: list[tuple[str, str | None]] = []
        for n, ((i, start, doc), found) in enumerate(zip(chunk, spans, strict=True)):
            text = texts[i]
            queries += [
                (" ".join(text[s:e].split()), socs[i]) for s, e, _ in found if e - s <= MAX_MENTION_CHARS
            ]
            if self.links_items:
                items[n] = item_ranges(text, doc.text, start, cues[i], [(s, e) for s, e, _ in found])
                queries += [(text[s:e], socs[i]) for s, e in items[n] or ()]
        prefetch(queries)
        for (i, start, doc), found, ranges in zip(chunk, spans, items, strict=True):
            results[i].extend(self._mentions(texts[i], doc, start, cues[i], socs[i], found, ranges))

    def _kind(self, label: str, text: str, concept) -> str:
        return mention_kind(self.single_label, label, text, concept)

    def extract(self, text: str) -> list[Mention]:
        return self.extract_many([text])[0]

    def extract_many(
        self,
        texts: Iterable[str],
        batch_size: int = 64,
        n_process: int = 1,
        occupations: Iterable[str | None] | None = None,
    ) -> list[list[Mention]]:
        originals = [t if isinstance(t, str) else str(t or "") for t in texts]
        decoded = [unescape_entities(t) for t in originals]  # "&amp;" → "&", offsets mapped back at the end
        texts = [t for t, _ in decoded]
        socs = list(occupations) if occupations is not None else [None] * len(texts)
        if len(socs) != len(texts):
            raise ValueError("occupations: one O*NET-SOC code (or None) per text")
        # one doc per segment (a sentence, bullet or clause), as the model was trained: no span crosses one
        pieces: list[tuple[int, int, int]] = []  # (text index, start, end)
        for i, t in enumerate(texts):
            for start, end in segments(t):
                pieces.append((i, start, end))
        results: list[list[Mention]] = [[] for _ in texts]
        # tokenise here, so worker processes (n_process > 1) see exactly this tokenizer's output
        make_doc = self.nlp.make_doc
        docs = self.nlp.pipe(
            (make_doc(texts[i][s:e]) for i, s, e in pieces), batch_size=batch_size, n_process=n_process
        )
        chunk: list[tuple[int, int, object]] = []  # the segments of up to batch_size texts, read together
        for (i, start, _), doc in zip(pieces, docs, strict=True):
            if chunk and i >= chunk[0][0] + max(1, batch_size):
                self._read_chunk(texts, socs, chunk, results)
                chunk = []
            chunk.append((i, start, doc))
        self._read_chunk(texts, socs, chunk, results)
        return [remap(r, where, o) for r, (_, where), o in zip(results, decoded, originals, strict=True)]


@lru_cache(maxsize=1)
def get_extractor() -> Extractor:
    """The process-wide extractor (loaded on first use)."""
    return Extractor()


def extract(text: str, occupation: str | None = None) -> list[Mention]:
    """Skill and knowledge mentions in ``text`` (character offsets into it); negated ones are left out.
    ``occupation``: the text's O*NET-SOC code when known; its profile guides linking."""
    if not text:
        return []
    return get_extractor().extract_many([text], occupations=[occupation])[0]


def extract_many(
    texts: Iterable[str],
    batch_size: int = 64,
    n_process: int = 1,
    occupations: Iterable[str | None] | None = None,
) -> list[list[Mention]]:
    """``extract`` over many texts with ``nlp.pipe`` batching; one list of mentions per input text;
    ``occupations``: one O*NET-SOC code (or None) per text."""
    return get_extractor().extract_many(
        texts, batch_size=batch_size, n_process=n_process, occupations=occupations
    )
