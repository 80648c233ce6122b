"""Concept linking: rank taxonomy concepts for a phrase.

Candidates come from an inverted index over the content-word stems of every preferred and alternative
label (IDF-weighted overlap, a cosine), and are re-ranked with rapidfuzz string similarity on the
normalised forms, a head-word (last content stem) match and small priors (preferred label, ESCO,
O*NET hot technologies). When the occupation is known (``occupation="51-4121.06"``), its priors
(``nlp.occupations.priors``: core-task DWAs, hot technology and tools, ESCO essential / optional skills) add a
small boost. Scores are in 0..1, best first. Deterministic; results are cached per phrase.

Aliases (config/aliases.json) map US posting words (EKG, CDL, HVAC-R, A+, 10-key …) to a concept id or
label of any scheme; they are extra alternative labels here only (not in the span model's gazetteer feature).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from . import meaning
from .index_cache import cached
from .taxonomy import TOOL_URN, _read_aliases, load_taxonomy, norm_label
from .textnorm import content_stems
from .types import Concept

# weights of the re-ranking features (tuned on the esco-linking validation files)
W_COS = 0.4  # IDF-weighted cosine of content stems
W_SORT = 0.2  # rapidfuzz token_sort_ratio of the normalised forms
W_RATIO = 0.1  # rapidfuzz ratio of the normalised forms
W_EXACT = 0.1  # normalised forms equal
W_PREF = 0.06  # matched the preferred label (not an alternative)
W_SHORT = 0.1  # prior for short (general) labels: 1 / (1 + #content words)
W_TRANSVERSAL = 0.02  # ESCO transversal skills are what postings ask for most
W_SCHEME = {"esco": 0.01, "onet-tools": 0.0, "onet-dwa": 0.0, "custom": 0.01}
W_HOT = 0.02  # O*NET hot technology / in demand
W_OCC = 0.05  # × the occupation prior (0..1) with link(..., occupation=SOC); chosen on task → DWA tuning data
W_TOOL_STEM = 0.07  # an O*NET tool used matched by stems only ("welding" is not the tool "Welders")
W_ALIAS = 0.04  # matched a hand-written alias (a posting word chosen to mean this concept)
SCALE = 0.9  # divide by this (about the best attainable sum) to land in 0..1
N_RERANK = 50


class Linker:
    def __init__(self) -> None:
        self.tax = load_taxonomy()
        self.__dict__.update(cached("linker", self._index_state))

    def _index_state(self) -> dict:
        """Build the label index (~4 s of stemming 128,000 labels) and return the attributes it set, for the NLP
        index cache (nlp/index_cache.py)."""
        self._build_index()
        self._build_label_weights()
        return {k: v for k, v in self.__dict__.items() if k != "tax"}

    def _build_label_weights(self) -> None:
        """Per concept: each label's stems with their IDF and the IDF sum, and the set of all its label stems."""
        by: dict[str, list[tuple[tuple[tuple[str, float], ...], float]]] = defaultdict(list)
        for e in self.entries:
            weighted = tuple((s, self.idf.get(s, self.default_idf)) for s in e[2])
            total = sum(w for _, w in weighted)
            if total:
                by[e[0]].append((weighted, total))
        self._weights_by_concept = dict(by)
        self._stems_by_concept = {
            c: frozenset(s for weighted, _ in self._weights_by_concept.get(c, ()) for s, _ in weighted)
            for c in {e[0] for e in self.entries}
        }

    def _build_index(self) -> None:
        tax = self.tax
        self.entries: list[tuple[str, str, tuple[str, ...], bool]] = []  # (cid, norm, stems, is_pref)
        exact: dict[str, list[int]] = defaultdict(list)
        post: dict[str, list[int]] = defaultdict(list)
        for cid in tax.concepts:
            for j, label in enumerate(tax.labels(cid)):
                stems = tuple(content_stems(label))
                if not stems:
                    continue
                i = len(self.entries)
                self.entries.append((cid, " ".join(stems), stems, j == 0))
                exact[" ".join(stems)].append(i)
                exact[norm_label(label)].append(i)
                for s in set(stems):
                    post[s].append(i)
        self._add_aliases(exact, post)
        n = len(self.entries)
        self.idf = {s: math.log(1 + n / len(ids)) for s, ids in post.items()}
        self.default_idf = math.log(1 + n)
        self.post = dict(post)
        self.exact = dict(exact)
        self.norms = [math.sqrt(sum(self.idf[s] ** 2 for s in set(e[2]))) for e in self.entries]
        self.entry_norms = [e[1] for e in self.entries]
        self.post_arr = {s: np.asarray(ids, dtype=np.int32) for s, ids in post.items()}
        self.norms_arr = np.asarray(self.norms, dtype=np.float32)
        # fallback pools for one-word queries with no shared stem: one-word labels of similar length
        by_len: dict[int, list[int]] = defaultdict(list)
        for i, e in enumerate(self.entries):
            if len(e[2]) == 1:
                by_len[len(e[1])].append(i)
        self.short_ids = {
            n: sorted({i for d in (-2, -1, 0, 1, 2) for i in by_len.get(n + d, [])}) for n in range(1, 40)
        }
        self.short_entries = {n: [self.entries[i][1] for i in ids] for n, ids in self.short_ids.items()}
        self.transversal = {
            cid for cid, a in tax.attrs.items() if any(h.startswith("T") for h in a.get("h", ()))
        }
        self.hot = {cid for cid, a in tax.attrs.items() if a.get("hot") or a.get("dem")}

    def _add_aliases(self, exact: dict[str, list[int]], post: dict[str, list[int]]) -> None:
        """Hand-written posting phrasings (config/aliases.json) as extra alternative labels."""
        self.alias_entries: dict[int, str] = {}  # entry → the alias phrase, normalised
        for phrase, target in sorted(_read_aliases().items()):
            concept = self.tax.resolve(target)
            if concept is None:
                raise ValueError(f"alias {phrase!r}: no concept {target!r}")
            stems = tuple(content_stems(phrase))
            if not stems:
                continue
            i = len(self.entries)
            self.entries.append((concept.id, " ".join(stems), stems, False))
            self.alias_entries[i] = norm_label(phrase)
            exact[norm_label(phrase)].append(i)
            if len(" ".join(stems)) < 3:
                continue  # "A/R" stems to "r": only the phrase itself, never the R language's "r"
            exact[" ".join(stems)].append(i)
            for s in set(stems):
                post[s].append(i)

    def _candidates(self, stems: tuple[str, ...]) -> list[tuple[int, float]]:
        """Top labels by IDF-weighted cosine with the query stems (vectorised over posting lists)."""
        qset = sorted(set(stems))
        arrs = [self.post_arr[s] for s in qset if s in self.post_arr]
        if not arrs:
            return []
        ws = [self.idf[s] ** 2 for s in qset if s in self.post_arr]
        ids = np.concatenate(arrs)
        wts = np.repeat(np.asarray(ws, dtype=np.float32), [len(a) for a in arrs])
        nz, inv = np.unique(ids, return_inverse=True)
        acc = np.bincount(inv, weights=wts).astype(np.float32)
        qn = math.sqrt(sum(self.idf.get(s, self.default_idf) ** 2 for s in qset)) or 1.0
        cos = acc / (qn * self.norms_arr[nz])
        if nz.size > N_RERANK:
            part = np.argpartition(-cos, N_RERANK)[:N_RERANK]
            nz, cos = nz[part], cos[part]
        order = np.lexsort((nz, -cos))
        return [(int(nz[j]), float(cos[j])) for j in order]

    def link(
        self,
        phrase: str,
        k: int = 5,
        schemes: tuple[str, ...] | None = None,
        occupation: str | None = None,
        context: str | None = None,
        purpose: str | None = None,
    ) -> list[tuple[Concept, float]]:
        return list(self._link(phrase, k, schemes, occupation, context, purpose))

    @lru_cache(maxsize=100_000)  # noqa: B019 - one Linker per process, cached by get_linker()
    def _link(
        self,
        phrase: str,
        k: int,
        schemes: tuple[str, ...] | None,
        occupation: str | None = None,
        context: str | None = None,
        purpose: str | None = None,
    ) -> tuple[tuple[Concept, float], ...]:
        if meaning.ready():
            cands = meaning.candidates(self, phrase, schemes, occupation)  # shared by every context
            scored = meaning.score(cands, phrase, context, self, purpose)
            self._aliases_first(phrase, schemes, scored)
        else:
            scored = self.lexical(phrase, schemes, occupation)
        ranked = sorted(scored.items(), key=lambda x: (-x[1], x[0]))[:k]
        return tuple((self.tax.concepts[cid], round(s, 4)) for cid, s in ranked)

    def _aliases_first(self, phrase: str, schemes: tuple[str, ...] | None, scored: dict[str, float]) -> None:
        """An alias that is the phrase itself ("A/R") says what the phrase means: it ranks first."""
        top = max(scored.values(), default=0.0)
        for cid in self.aliased(phrase):
            if schemes is None or self.tax.concepts[cid].scheme in schemes:
                scored[cid] = min(1.0, max(scored.get(cid, 0.0), top + 1e-4))

    def foreign_share(self, cid: str, said: AbstractSet[str]) -> float:
        """The least share of IDF weight, over the concept's labels, of label stems not in ``said``."""
        if said.isdisjoint(self._stems_by_concept.get(cid, ())):
            return 1.0  # every label's missing share is its whole weight
        best = 1.0
        for weighted, total in self.label_weights(cid):
            missing = total - sum(w for s, w in weighted if s in said)
            if missing <= 0.0:
                return 0.0
            best = min(best, missing / total)
        return best

    def aliased(self, phrase: str) -> set[str]:
        """Concepts an alias of config/aliases.json names by exactly this phrase."""
        key = norm_label(phrase)
        return {self.entries[i][0] for i in self.exact.get(key, []) if self.alias_entries.get(i) == key}

    def named(self, phrase: str) -> set[str]:
        """Concepts one of whose labels or aliases is the phrase itself (case and spacing aside)."""
        return {self.entries[i][0] for i in self.exact.get(norm_label(phrase), [])}

    def label_weights(self, cid: str) -> list[tuple[tuple[tuple[str, float], ...], float]]:
        """Per label of the concept: its stems with their IDF, and the IDF sum (part of the index)."""
        return self._weights_by_concept.get(cid, [])

    @lru_cache(maxsize=100_000)  # noqa: B019 - one Linker per process, cached by get_linker()
    def lexical(
        self, phrase: str, schemes: tuple[str, ...] | None, occupation: str | None = None
    ) -> dict[str, float]:
        """Every lexical candidate's score (0..1): the string evidence alone."""
        prior: dict[str, float] = {}
        if occupation:
            from .occupations import priors

            prior = priors(occupation)
        stems = tuple(content_stems(phrase))
        if not stems:
            return {}
        qn = " ".join(stems)
        cands = self._lexical_candidates(phrase, stems, qn)
        best: dict[str, float] = {}
        for i, cos in sorted(cands.items(), key=lambda x: (-x[1], x[0])):
            cid = self.entries[i][0]
            if schemes is not None and self.tax.concepts[cid].scheme not in schemes:
                continue
            score = self._entry_score(i, cos, phrase, qn, prior)
            if score > best.get(cid, -1.0):
                best[cid] = score
        return {cid: min(1.0, s / SCALE) for cid, s in best.items()}

    def _lexical_candidates(self, phrase: str, stems: tuple[str, ...], qn: str) -> dict[int, float]:
        """Label entries → their stem cosine; exact label matches at 1.0; a character-similarity fallback."""
        cands = dict(self._candidates(stems))
        for i in self.exact.get(qn, []) + self.exact.get(norm_label(phrase), []):
            cands[i] = 1.0
        if cands:
            return cands
        # no shared word: character similarity against one-word labels of about the same length
        pool = self.short_entries.get(len(qn), ())
        if not pool:
            return {}
        hits = process.extract(qn, pool, scorer=fuzz.ratio, limit=N_RERANK // 4, score_cutoff=60)
        return {self.short_ids[len(qn)][h[2]]: 0.0 for h in hits}

    def _entry_score(self, i: int, cos: float, phrase: str, qn: str, prior: dict[str, float]) -> float:
        """The re-ranking features of one label entry against the query, weighted (before ``SCALE``)."""
        cid, en, es, is_pref = self.entries[i]
        c = self.tax.concepts[cid]
        score = (
            W_COS * min(cos, 1.0)
            + W_SORT * fuzz.token_sort_ratio(qn, en) / 100.0
            + W_RATIO * fuzz.ratio(qn, en) / 100.0
            + W_SHORT / (1 + len(es))
            + W_SCHEME.get(c.scheme, 0.0)
        )
        if en == qn:
            score += W_EXACT
            if c.id.startswith(TOOL_URN) and norm_label(phrase) != norm_label(c.label):
                score -= W_TOOL_STEM
        if is_pref:
            score += W_PREF
        if cid in self.transversal:
            score += W_TRANSVERSAL
        if cid in self.hot:
            score += W_HOT
        if i in self.alias_entries:
            score += W_ALIAS
            if self.alias_entries[i] == norm_label(phrase):
                score += W_ALIAS  # the very phrase an alias names ("A/R" is not "R")
        if prior:
            score += W_OCC * prior.get(cid, 0.0)
        return score


@lru_cache(maxsize=1)
def get_linker() -> Linker:
    return Linker()


def link(
    phrase: str,
    k: int = 5,
    scheme: str | Iterable[str] | None = None,
    occupation: str | None = None,
    *,
    schemes: str | Iterable[str] | None = None,
    context: str | None = None,
    purpose: str | None = None,
) -> list[tuple[Concept, float]]:
    """Rank up to ``k`` concepts for ``phrase`` (scores 0..1, best first).

    ``scheme``: "esco", "onet-tools", "onet-dwa", "custom" or a tuple of them (``schemes=``: the older name).
    ``occupation``: an O*NET-SOC code (``51-4121.06`` or ``51-4121``); its priors boost its concepts a little.
    ``context``: the sentence the phrase comes from; its meaning weighs in (``meaning.combine``).
    ``purpose``: ``"extract"`` for the extractor's own links (weights fitted on postings, ``meaning.weight_set``).
    Scores are calibrated probabilities that the concept is the right one (``meaning.combine``).
    """
    if not phrase or not phrase.strip() or k <= 0:
        return []
    wanted = scheme if scheme is not None else schemes
    if isinstance(wanted, str):
        wanted = (wanted,)
    key = tuple(sorted(set(wanted))) if wanted is not None else None
    ctx = (context or "").strip()[:1000] or None
    return get_linker().link(phrase[:500], k, key, (occupation or "").strip() or None, ctx, purpose)


def prefetch(queries: Iterable[tuple[str, str | None]]) -> int:
    """Ready the nearest concepts of phrases about to be linked, (phrase, occupation) each as
    ``link(phrase, occupation=...)`` will be asked (no scheme), all in one matrix product
    (``meaning.prefetch_nearest``): what ``link`` returns is unchanged, only sooner. Returns how many it readied."""
    if not meaning.ready():
        return 0
    wanted = [(p[:500], None, (occ or "").strip() or None) for p, occ in queries if p and p.strip()]
    return meaning.prefetch_nearest(get_linker(), wanted)


def evaluate_linking(paths: Iterable[str], k: int = 5) -> dict[str, dict]:
    """acc@1 / acc@k on esco-linking CSV files (rows with a real ESCO label; sub_span used when given)."""
    import csv

    tax = load_taxonomy()
    results: dict[str, dict] = {}
    for path in paths:
        n = hit1 = hitk = 0
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                label = row["label"].strip()
                if label in ("LABEL NOT PRESENT", "UNDERSPECIFIED") or not label:
                    continue
                phrase = (row.get("sub_span") or "").strip() or row["span"].strip()
                gold = {norm_label(label)}
                preds = link(phrase, k=k, schemes=("esco",))
                labels = [norm_label(c.label) for c, _ in preds]
                n += 1
                hit1 += bool(labels[:1] and labels[0] in gold)
                hitk += any(lab in gold for lab in labels)
        results[str(path)] = {
            "n": n,
            "acc@1": round(hit1 / n, 4) if n else 0.0,
            f"acc@{k}": round(hitk / n, 4) if n else 0.0,
        }
    _ = tax
    return results
