"""Profile gap (the standards view): what a credential's occupations' standard profiles list that no
competency covers. Pure: the occupation profile comes from the packaged nlp data, coverage is given.

What is listed, per O*NET-SOC code of the credential (several codes: their union, each item naming the
occupations that list it):
- O*NET tasks, core or supplemental (a task O*NET did not rate counts as supplemental). The shared O*NET data
  has no task importance ratings, so tasks are ordered as O*NET lists them, core first.
- O*NET detailed work activities (DWAs): those O*NET links to the occupation's tasks; "core" when one of them
  is a core task. From ``nlp.task_dwas`` (every occupation, the evaluation fifth included).
- O*NET technology flagged hot / in demand for the occupation, and the tools it uses.
- ESCO essential skills of the ESCO occupations that ``nlp.occupations`` matches to the SOC code.

Coverage rules (kept simple on purpose):
- a DWA, technology, tool or ESCO skill is covered when its own concept id is covered, as demand coverage
  decides it (``service.demand.coverage.match_concepts``: a confirmed or suggested link of a competency, else
  a close label match). No equivalence between schemes: an ESCO skill linked does not cover a DWA of the same
  meaning, nor the reverse;
- a task is covered when one of its DWAs is covered. A task O*NET links to no DWA (part of the occupations in
  the shared data) cannot be judged and counts as not covered; its sentence says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

CORE_TASK = "core_task"
SUPPLEMENTAL_TASK = "supplemental_task"
DWA = "dwa"
HOT_TECHNOLOGY = "hot_technology"
TOOL = "tool"
ESCO_ESSENTIAL = "esco_essential"
GROUPS: dict[str, str] = {
    CORE_TASK: "Core tasks (O*NET)",
    SUPPLEMENTAL_TASK: "Supplemental tasks (O*NET)",
    DWA: "Detailed work activities (O*NET)",
    HOT_TECHNOLOGY: "Hot technologies (O*NET)",
    TOOL: "Tools used (O*NET)",
    ESCO_ESSENTIAL: "Essential skills (ESCO)",
}
CONCEPT_KINDS = (DWA, HOT_TECHNOLOGY, TOOL, ESCO_ESSENTIAL)


@dataclass(frozen=True, slots=True)
class ProfileEntry:
    kind: str  # one of GROUPS
    id: str  # a concept id, or an O*NET task id for tasks
    label: str
    sources: tuple[str, ...]  # the occupations listing it (O*NET titles; for ESCO skills the matched ESCO
    # occupations of the SOC codes listing it)
    core: bool = False  # a DWA of a core task
    dwa_ids: tuple[str, ...] = ()  # a task's DWAs


@dataclass(slots=True)
class Profile:
    """The standard profiles of some O*NET-SOC codes, as plain data (built in the NLP pool)."""

    occupations: list[tuple[str, str]] = field(default_factory=list)  # (O*NET-SOC code, title)
    esco_occupations: list[tuple[str, str]] = field(default_factory=list)  # (ESCO URI, label)
    unknown: list[str] = field(default_factory=list)  # codes O*NET does not know
    entries: list[ProfileEntry] = field(default_factory=list)

    def concepts(self) -> list[tuple[str, str]]:
        """(concept id, label) of every listed concept (tasks are not concepts): what coverage is asked of."""
        seen: dict[str, str] = {}
        for e in self.entries:
            if e.kind in CONCEPT_KINDS:
                seen.setdefault(e.id, e.label)
        return list(seen.items())


@dataclass(frozen=True, slots=True)
class GapItem:
    kind: str
    id: str
    label: str
    covered: bool
    sentence: str
    sources: tuple[str, ...]
    core: bool = False
    dwa_ids: tuple[str, ...] = ()


@dataclass(slots=True)
class GapGroup:
    kind: str
    title: str
    items: list[GapItem] = field(default_factory=list)

    @property
    def listed(self) -> int:
        return len(self.items)

    @property
    def covered(self) -> int:
        return sum(1 for i in self.items if i.covered)

    @property
    def gaps(self) -> list[GapItem]:
        return [i for i in self.items if not i.covered]


class _Collector:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], dict] = {}

    def add(self, kind: str, id_: str, label: str, source: str, **extra: object) -> None:
        entry = self.entries.setdefault((kind, id_), {"label": label, "sources": [], "core": False})
        if source not in entry["sources"]:
            entry["sources"].append(source)
        if extra.get("core"):
            entry["core"] = True
        if "dwa_ids" in extra:
            entry["dwa_ids"] = tuple(extra["dwa_ids"])  # type: ignore[arg-type]

    def result(self) -> list[ProfileEntry]:
        order = {kind: i for i, kind in enumerate(GROUPS)}
        items = [
            ProfileEntry(kind, id_, e["label"], tuple(e["sources"]), e["core"], e.get("dwa_ids", ()))
            for (kind, id_), e in self.entries.items()
        ]
        return sorted(items, key=lambda e: order[e.kind])  # stable: O*NET's own order within a kind


def occupation_profile(socs: Sequence[str]) -> Profile:
    """What O*NET and ESCO list for these O*NET-SOC codes. Loads the packaged nlp data (run it in the NLP
    pool, where the taxonomy is already loaded); the result is picklable."""
    from nlp import load_taxonomy
    from nlp.occupations import occupation
    from nlp.task_dwas import task_dwas

    concepts = load_taxonomy().concepts

    def label(cid: str) -> str:
        concept = concepts.get(cid)
        return concept.label if concept is not None else cid

    profile, found = Profile(), _Collector()
    for soc in socs:
        occ = occupation(soc)
        if occ is None:
            profile.unknown.append(soc)
            continue
        if any(code == occ.soc for code, _ in profile.occupations):
            continue
        profile.occupations.append((occ.soc, occ.title))
        links = task_dwas(occ.soc)
        for task in occ.tasks:
            kind = CORE_TASK if task.category == "Core" else SUPPLEMENTAL_TASK
            dwas = links.get(task.id, ())
            found.add(kind, task.id, task.text, occ.title, dwa_ids=dwas)
            for dwa in dwas:
                found.add(DWA, dwa, label(dwa), occ.title, core=kind == CORE_TASK)
        for cid, hot in occ.technology:
            if hot:
                found.add(HOT_TECHNOLOGY, cid, label(cid), occ.title)
        for cid in occ.tool_ids:
            found.add(TOOL, cid, label(cid), occ.title)
        for uri, name in occ.esco_occupations:
            if (uri, name) not in profile.esco_occupations:
                profile.esco_occupations.append((uri, name))
        for cid in occ.esco_essential:  # of one of the matched ESCO occupations (the data keeps the union)
            for _, name in occ.esco_occupations:
                found.add(ESCO_ESSENTIAL, cid, label(cid), name)
    profile.entries = found.result()
    return profile


def _names(names: Iterable[str]) -> str:
    names = list(names)  # O*NET titles have commas of their own ("Welders, Cutters, Solderers, and Brazers")
    return " and ".join(names) if len(names) <= 2 else "; ".join(names[:-1]) + "; and " + names[-1]


def sentence(entry: ProfileEntry, covered: bool, dwa_labels: dict[str, str]) -> str:
    """The item in plain words, e.g. "O*NET lists 'Weld components …' as a core task of Welders, Cutters,
    Solderers, and Brazers; no competency covers it"."""
    who, what = _names(entry.sources), entry.label.rstrip(".")  # O*NET's statements end with a full stop
    text = {
        CORE_TASK: f"O*NET lists '{what}' as a core task of {who}",
        SUPPLEMENTAL_TASK: f"O*NET lists '{what}' as a supplemental task of {who}",
        DWA: f"O*NET lists '{what}' as a {'core ' if entry.core else ''}work activity of {who}",
        HOT_TECHNOLOGY: f"O*NET lists {what} as a hot technology of {who}",
        TOOL: f"O*NET lists {what} as a tool used by {who}",
        ESCO_ESSENTIAL: f"ESCO lists '{what}' as an essential skill of {who}",
    }[entry.kind]
    if entry.kind in (CORE_TASK, SUPPLEMENTAL_TASK):
        if not entry.dwa_ids:
            return (
                f"{text}; O*NET links it to no work activity here, so no competency can be shown to cover it"
            )
        if covered:
            through = next(dwa_labels[d] for d in entry.dwa_ids if d in dwa_labels)
            return f"{text}; covered through its work activity '{through.rstrip('.')}'"
    return f"{text}; {'a competency covers it' if covered else 'no competency covers it'}"


def profile_gap(profile: Profile, covered: set[str]) -> list[GapGroup]:
    """Every listed item, covered or not, in plain words, grouped as ``GROUPS`` (every group present)."""
    groups = {kind: GapGroup(kind, title) for kind, title in GROUPS.items()}
    covered_dwas = {e.id: e.label for e in profile.entries if e.kind == DWA and e.id in covered}
    for entry in profile.entries:
        if entry.kind in CONCEPT_KINDS:
            is_covered = entry.id in covered
        else:
            is_covered = any(d in covered_dwas for d in entry.dwa_ids)
        groups[entry.kind].items.append(
            GapItem(
                entry.kind,
                entry.id,
                entry.label,
                is_covered,
                sentence(entry, is_covered, covered_dwas),
                entry.sources,
                entry.core,
                entry.dwa_ids,
            )
        )
    return list(groups.values())
