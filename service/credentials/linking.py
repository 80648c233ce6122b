"""Linking competency statements to skill concepts, and merging new proposals with what designers decided.

`propose_links` runs in the NLP process pool (a top-level function with picklable arguments and results):
the extractor finds the skill spans of each statement and links them to concepts (method "concept"); the whole
statement (or its short label) is also linked as one phrase, and its best concept, when close enough, is a
"fuzzy" proposal. `plan_links` is pure: machine proposals never overwrite a human decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from service.credentials.formats.records import ParsedAlignment

MENTION_MIN_SCORE = 0.25  # span → concept probability (nlp.meaning); a designer reviews these
PHRASE_MIN_SCORE = 0.25  # whole statement / label → concept, the same calibrated probability
SECOND_MIN_SCORE = 0.5  # a phrase's second concept too, if this likely (twins: an ESCO skill and a DWA)
MAX_PROPOSALS = 6  # per competency: a reviewer reads them all
SENTENCE_SCHEMES = ("esco",)
SENTENCE_PROPOSALS = 1  # the statement's nearest ESCO skill in meaning...
SENTENCE_MIN_SCORE = 0.75  # ...when this high (nlp.sentence_rank): top-1 precision 0.73 on SkillSkape dev
DWA_PROPOSALS = (
    1  # and its best O*NET work activity (nlp.dwa_rank: the DWA titles and O*NET's example tasks)...
)
DWA_MIN_SCORE = 0.5  # ...when this likely (calibrated; see nlp/README.md)
HUMAN = ("confirmed", "rejected")
# Scores of alignments a source file asserts: exact alignments export as exact again, major as major, broad
# as broad (see service.credentials.queries.alignment_of).
ASSERTED_EXACT_SCORE = 1.0
ASSERTED_MAJOR_SCORE = 0.85
ASSERTED_BROAD_SCORE = 0.75


def asserted_score(alignment: ParsedAlignment) -> float:
    """The score an alignment a source asserts is stored with; the CTDL export maps it back to the same kind
    (service/credentials/queries.py: alignment_of)."""
    if alignment.exact:
        return ASSERTED_EXACT_SCORE
    return ASSERTED_MAJOR_SCORE if alignment.major else ASSERTED_BROAD_SCORE


# In Credential.extra: the extractor version every competency of the credential was last linked with. A
# credential without it, or with another version than the packaged model's, is re-linked by the scheduled job.
LINKED_VERSION = "linked_version"


def current_extractor_version() -> str:
    """Pool entry point: the packaged model and taxonomy's version (what `propose_links` reports)."""
    return str(_nlp()[3])


@dataclass(frozen=True, slots=True)
class Proposal:
    concept_id: str
    label: str
    score: float
    method: str  # "concept" | "fuzzy" | "manual"


@dataclass(slots=True)
class LinkResults:
    proposals: list[list[Proposal]]
    occupations: list[str | None] = field(default_factory=list)  # O*NET-SOC code per title, None if unknown
    concept_labels: dict[str, str] = field(default_factory=dict)  # known concept id/uri → (id, label)
    concept_ids: dict[str, str] = field(default_factory=dict)
    extractor_version: str = ""


def _nlp():  # noqa: ANN202 - the nlp package's public API, imported in the worker process
    import nlp
    from nlp.dwa_rank import rank_dwas_many

    return (
        nlp.extract_many,
        nlp.link,
        nlp.code_occupation,
        nlp.EXTRACTOR_VERSION,
        nlp.sentence_concepts,
        nlp.clauses,
        rank_dwas_many,
    )


def propose_links(
    items: list[tuple[str, str | None]],
    titles: list[str] | None = None,
    concept_refs: list[str] | None = None,
) -> LinkResults:
    """Proposals for each (text, label); O*NET-SOC codes for occupation titles; labels of known concepts.
    Runs in a worker process: everything in and out is plain data."""
    extract_many, link, code_occupation, version, sentence_concepts, clauses, rank_dwas_many = _nlp()
    results = LinkResults(proposals=[], extractor_version=str(version))
    texts = [text for text, _ in items]
    mentions = extract_many(texts, batch_size=64) if texts else []
    dwas = rank_dwas_many(texts, k=DWA_PROPOSALS)
    for (text, label), found, text_dwas in zip(items, mentions, dwas, strict=True):
        best: dict[str, Proposal] = {}
        for mention in found:
            concept = mention.concept
            if concept is None or mention.score < MENTION_MIN_SCORE:
                continue
            current = best.get(concept.id)
            if current is None or mention.score > current.score:
                best[concept.id] = Proposal(
                    concept.id, concept.label, round(float(mention.score), 4), "concept"
                )
        # the whole statement (or its label), and each verb clause of a compound one ("Schedule appointments
        # and manage patient check-in" teaches two things), linked as phrases in the statement's context
        for phrase in (label or text, *clauses(text)):
            for rank, (concept, score) in enumerate(link(phrase, k=2, context=text)):
                need = PHRASE_MIN_SCORE if rank == 0 else SECOND_MIN_SCORE
                if score >= need and score > getattr(best.get(concept.id), "score", -1.0):
                    best[concept.id] = Proposal(concept.id, concept.label, round(float(score), 4), "fuzzy")
        # what the statement as a whole expresses: a skill and a work activity (tools come from its spans; a
        # short tool label lies near many sentences that use a tool of its kind)
        found = [
            (f.concept, f.score)
            for f in sentence_concepts(
                text, schemes=SENTENCE_SCHEMES, threshold=SENTENCE_MIN_SCORE, k=SENTENCE_PROPOSALS
            )
        ]
        found += [(c, s) for c, s in text_dwas if s >= DWA_MIN_SCORE]
        for concept, score in found:
            if concept.id not in best:
                best[concept.id] = Proposal(concept.id, concept.label, round(float(score), 4), "fuzzy")
        ranked = sorted(best.values(), key=lambda p: (-p.score, p.concept_id))[:MAX_PROPOSALS]
        results.proposals.append(ranked)
    if titles and code_occupation is not None:
        for title in titles:
            coded = code_occupation(title)
            results.occupations.append(coded[0] if coded else None)
    if concept_refs:
        results.concept_labels, results.concept_ids = _describe_concepts(concept_refs)
    return results


def _describe_concepts(refs: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Label and id of each reference (a concept id or uri) that the packaged taxonomy knows."""
    from nlp import load_taxonomy

    taxonomy = load_taxonomy()
    by_uri = {}
    labels: dict[str, str] = {}
    ids: dict[str, str] = {}
    for ref in refs:
        concept = taxonomy.get(ref)
        if concept is None:
            if not by_uri:
                by_uri = {c.uri: c for c in taxonomy.concepts.values()}
            concept = by_uri.get(ref)
        if concept is not None:
            labels[ref] = concept.label
            ids[ref] = concept.id
    return labels, ids


def describe_concepts(refs: list[str]) -> LinkResults:
    """Pool entry point for looking concepts up alone (adding a link by hand)."""
    labels, ids = _describe_concepts(refs)
    return LinkResults(proposals=[], concept_labels=labels, concept_ids=ids)


@dataclass(frozen=True, slots=True)
class LinkState:
    id: int
    concept_id: str
    status: str
    method: str
    score: float


@dataclass(slots=True)
class LinkPlan:
    insert: list[tuple[Proposal, str]] = field(default_factory=list)  # (proposal, status)
    update: list[tuple[int, Proposal, str]] = field(default_factory=list)  # (link id, proposal, status)
    delete: list[int] = field(default_factory=list)


def plan_links(
    existing: list[LinkState], proposals: list[Proposal], asserted: list[Proposal] = ()
) -> LinkPlan:
    """What to change so that a competency's links reflect new machine proposals (and concepts its source file
    asserts, which count as confirmed) without touching a human decision.

    - a confirmed or rejected link, or one added by hand, keeps its status and method whatever the machine
      says (only its score follows a fresh proposal);
    - a suggested link the machine no longer proposes goes; one it still proposes gets the new score;
    - an asserted concept confirms a suggested link, or arrives confirmed.
    """
    plan = LinkPlan()
    proposed = {p.concept_id: p for p in proposals}
    for p in asserted:  # the source's own alignment wins over the machine's guess for the same concept
        proposed[p.concept_id] = p
    asserted_ids = {p.concept_id for p in asserted}
    seen = set()
    for link in existing:
        seen.add(link.concept_id)
        fresh = proposed.get(link.concept_id)
        if link.status in HUMAN or link.method == "manual":
            if (
                fresh is not None
                and fresh.method != "manual"
                and link.method != "manual"
                and fresh.score != link.score
            ):
                plan.update.append((link.id, fresh, link.status))
            continue
        if fresh is None:
            plan.delete.append(link.id)
            continue
        status = "confirmed" if link.concept_id in asserted_ids else "suggested"
        if fresh.score != link.score or fresh.method != link.method or status != link.status:
            plan.update.append((link.id, fresh, status))
    for concept_id, p in proposed.items():
        if concept_id not in seen:
            plan.insert.append((p, "confirmed" if concept_id in asserted_ids else "suggested"))
    return plan
