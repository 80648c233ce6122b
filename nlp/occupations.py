"""Occupation context: per O*NET-SOC occupation its title, job zone, tasks, detailed work activities, tools
and technology, and the ESCO occupations it corresponds to (with their essential / optional skills).

``build_occupations`` (called by ``taxonomy_build.build_taxonomy``) writes ``nlp/data/occupations.json.gz``;
``occupation(soc)`` reads it and ``priors(soc)`` turns it into concept weights in 0..1 that the linker can
add as a small boost when the posting's or credential's occupation is known.

Every occupation carries its DWA ids, those of the evaluation fifth (``nlp.splits.is_eval_occupation``)
too: task → DWA linking is measured on their task → DWA links (``skillpulse nlp evaluate-dwa``), but that
measurement ranks by meaning alone (``dwa_rank``: the DWA titles and the example tasks of the training
occupations only) with an embedding trained without those links, and reads no occupation data; machinists
and computer user support specialists, held out, are programs
our users run, and their profile is what guides linking of their postings and their profile gap.

O*NET-SOC → ESCO occupation mapping (built here, no crosswalk file): every O*NET title of an occupation (the
title, alternate and short titles) is looked up among ESCO occupation preferred / alternative labels
(lower-cased, whitespace-normalised). A hit scores 1 / (number of O*NET occupations sharing that title),
doubled when it is the ESCO preferred label; the ESCO occupations' ISCO 4-digit groups then vote with those
scores and only occupations of the winning group are kept (at most 3, each ≥ 30 % of the best score).
``ESCO_OVERRIDES`` replaces that match for a few middle-skill occupations where it was checked by hand and
found wrong (dental assistants → "specialist dentist", office clerks → "property assistant" …).
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from .taxonomy import DWA_URN, OCCUPATIONS_FILE, norm_label
from .types import Occupation, Task

# weights of ``priors``: what an occupation's own data says it does, strongest first
P_CORE_DWA = 1.0  # a DWA of one of its core tasks
P_DWA = 0.6  # a DWA of supplemental tasks only
P_HOT_TECH = 1.0  # technology flagged hot / in demand for this occupation
P_TECH = 0.5
P_TOOL = 0.7  # a tool used
P_ESSENTIAL = 0.8  # ESCO essential skill of a matched ESCO occupation
P_OPTIONAL = 0.4

MAX_ESCO = 3
# O*NET-SOC → ESCO occupation preferred labels, checked by hand where the title match went wrong
ESCO_OVERRIDES: dict[str, tuple[str, ...]] = {
    "15-1232.00": ("ICT help desk agent",),
    "29-1141.00": ("nurse responsible for general care",),
    "29-2034.00": ("radiographer",),
    "31-9091.00": ("dental chairside assistant",),
    "31-9092.00": ("medical administrative assistant", "doctors' surgery assistant"),
    "43-6014.00": ("administrative assistant", "secretary"),
    "43-9061.00": ("office clerk",),
    "53-3032.00": ("cargo vehicle driver", "dangerous goods driver"),
}
MIN_ESCO_SHARE = 0.3


def _tsv(path: Path):
    with open(path, encoding="utf-8") as fh:
        yield from csv.DictReader(fh, delimiter="\t")


def build_occupations(source: Path, tech_ids: dict[str, str], tool_ids: dict[str, str]) -> dict:
    """The packaged occupation file's content from the shared raw data."""
    onet29 = Path(source) / "onet-29.3"
    occ = _onet_occupations(onet29)
    _add_dwas(occ, onet29)
    _add_technology(occ, onet29, tech_ids, tool_ids)
    esco_out = _add_esco(occ, Path(source))
    return {
        "mapping": "O*NET titles (title, alternate, short) = ESCO occupation labels; ISCO-group vote; "
        f"hand-checked overrides for {len(ESCO_OVERRIDES)} SOCs; see nlp/occupations.py",
        "onet": dict(sorted(occ.items())),
        "esco": esco_out,
    }


def _onet_occupations(onet29: Path) -> dict[str, dict]:
    """Every O*NET-SOC occupation with its title, job zone and task statements (other fields empty)."""
    occ: dict[str, dict] = {}
    for r in _tsv(onet29 / "Occupation Data.txt"):
        code = r["O*NET-SOC Code"].strip()
        occ[code] = {
            "title": r["Title"].strip(),
            "zone": None,
            "tasks": [],
            "dwa": [],
            "core_dwa": [],
            "tools": [],
            "tech": [],
            "esco": [],
        }
    for r in _tsv(onet29 / "Job Zones.txt"):
        if r["O*NET-SOC Code"].strip() in occ:
            occ[r["O*NET-SOC Code"].strip()]["zone"] = int(r["Job Zone"])
    for r in _tsv(onet29 / "Task Statements.txt"):
        code, tid = r["O*NET-SOC Code"].strip(), r["Task ID"].strip()
        kind = (r["Task Type"] or "").strip() or None
        if code in occ:
            occ[code]["tasks"].append([tid, r["Task"].strip(), kind])
    return occ


def _add_dwas(occ: dict[str, dict], onet29: Path) -> None:
    """Each occupation's DWA ids, and those reached from its core tasks."""
    core_tasks = {(code, t[0]) for code, o in occ.items() for t in o["tasks"] if t[2] == "Core"}
    dwa: dict[str, set[str]] = defaultdict(set)
    core: dict[str, set[str]] = defaultdict(set)
    for r in _tsv(onet29 / "Tasks to DWAs.txt"):
        code = r["O*NET-SOC Code"].strip()
        if code not in occ:
            continue
        d = DWA_URN + r["DWA ID"].strip()
        dwa[code].add(d)
        if (code, r["Task ID"].strip()) in core_tasks:
            core[code].add(d)
    for code, ds in dwa.items():
        occ[code]["dwa"] = sorted(ds)
        occ[code]["core_dwa"] = sorted(core[code])


def _add_technology(
    occ: dict[str, dict], onet29: Path, tech_ids: dict[str, str], tool_ids: dict[str, str]
) -> None:
    """Each occupation's technology skills (with the hot / in-demand flag) and tools used."""
    tech: dict[str, dict[str, bool]] = defaultdict(dict)
    for r in _tsv(onet29 / "Technology Skills.txt"):
        code = r["O*NET-SOC Code"].strip()
        hot = r["Hot Technology"].strip() == "Y" or r["In Demand"].strip() == "Y"
        cid = tech_ids[r["Example"].strip()]
        tech[code][cid] = tech[code].get(cid, False) or hot
    for code, ts in tech.items():
        if code in occ:
            occ[code]["tech"] = [[cid, hot] for cid, hot in sorted(ts.items())]
    tools: dict[str, set[str]] = defaultdict(set)
    for r in _tsv(onet29 / "Tools Used.txt"):
        tools[r["O*NET-SOC Code"].strip()].add(tool_ids[r["Example"].strip()])
    for code, ts in tools.items():
        if code in occ:
            occ[code]["tools"] = sorted(ts)


def _onet_titles(occ: dict[str, dict], source: Path) -> dict[str, set[str]]:
    """Every occupation's normalised titles: its title, alternate and short titles."""
    titles: dict[str, set[str]] = defaultdict(set)
    for code, o in occ.items():
        titles[code].add(norm_label(o["title"]))
    for r in _tsv(source / "onet" / "alternate_titles.txt"):
        code = r["O*NET-SOC Code"].strip()
        for t in (r["Alternate Title"], r["Short Title"]):
            if t and t.strip() and code in occ:
                titles[code].add(norm_label(t))
    return titles


def _add_esco(occ: dict[str, dict], source: Path) -> dict[str, dict]:
    """Each occupation's ESCO occupations (title match or override); the ESCO occupations used, with skills."""
    esco_dir = source / "esco"
    esco_occ, by_label = _esco_occupations(esco_dir)
    titles = _onet_titles(occ, source)
    sharing: dict[str, int] = defaultdict(int)
    for ts in titles.values():
        for t in ts:
            sharing[t] += 1
    used: set[str] = set()
    by_pref = {o["label"]: uri for uri, o in esco_occ.items()}
    for code, ts in titles.items():
        occ[code]["esco"] = _match_esco(ts, sharing, by_label, esco_occ)
        if code in ESCO_OVERRIDES:
            missing = [lab for lab in ESCO_OVERRIDES[code] if lab not in by_pref]
            if missing:
                raise ValueError(f"ESCO_OVERRIDES[{code!r}]: no ESCO occupation {missing}")
            occ[code]["esco"] = [by_pref[lab] for lab in ESCO_OVERRIDES[code]]
        used.update(occ[code]["esco"])
    skills = _esco_skills(esco_dir, used)
    return {
        uri: {
            "label": esco_occ[uri]["label"],
            "isco": esco_occ[uri]["isco"],
            **skills.get(uri, {"ess": [], "opt": []}),
        }
        for uri in sorted(used)
    }


def _esco_occupations(esco_dir: Path) -> tuple[dict[str, dict], dict[str, dict[str, float]]]:
    occ: dict[str, dict] = {}
    by_label: dict[str, dict[str, float]] = defaultdict(dict)
    with open(esco_dir / "occupations_en.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            uri = r["conceptUri"].strip()
            occ[uri] = {"label": r["preferredLabel"].strip(), "isco": r["iscoGroup"].strip()}
            by_label[norm_label(r["preferredLabel"])][uri] = 2.0
            for a in r["altLabels"].split("\n"):
                if a.strip():
                    by_label[norm_label(a)].setdefault(uri, 1.0)
    return occ, by_label


def _match_esco(titles, sharing, by_label, esco_occ) -> list[str]:
    score: dict[str, float] = defaultdict(float)
    for t in titles:
        for uri, w in by_label.get(t, {}).items():
            score[uri] += w / sharing[t]
    if not score:
        return []
    groups: dict[str, float] = defaultdict(float)
    for uri, s in score.items():
        groups[esco_occ[uri]["isco"]] += s
    group = max(sorted(groups), key=lambda g: groups[g])
    ranked = sorted((u for u in score if esco_occ[u]["isco"] == group), key=lambda u: (-score[u], u))
    best = score[ranked[0]]
    return [u for u in ranked[:MAX_ESCO] if score[u] >= MIN_ESCO_SHARE * best]


def _esco_skills(esco_dir: Path, wanted: set[str]) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, set[str]]] = {}
    with open(esco_dir / "occupationSkillRelations_v1.1.1.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            uri = r["occupationUri"].strip()
            if uri not in wanted:
                continue
            d = out.setdefault(uri, {"ess": set(), "opt": set()})
            d["ess" if r["relationType"].strip() == "essential" else "opt"].add(r["skillUri"].strip())
    return {u: {k: sorted(v) for k, v in d.items()} for u, d in out.items()}


# --------------------------------------------------------------------------------------------- load
@lru_cache(maxsize=1)
def _data() -> dict:
    with gzip.open(OCCUPATIONS_FILE, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _code(soc: str) -> str | None:
    """``51-4121.06`` as is; a 6-digit SOC (``51-4121``) → its ``.00`` occupation, else its first detailed."""
    occ = _data()["onet"]
    soc = (soc or "").strip()
    if soc in occ:
        return soc
    base = soc.split(".")[0]
    if base + ".00" in occ:
        return base + ".00"
    detailed = sorted(c for c in occ if c.startswith(base + "."))
    return detailed[0] if detailed else None


@lru_cache(maxsize=2048)
def occupation(soc: str) -> Occupation | None:
    """The O*NET-SOC occupation (``51-4121.06`` or a 6-digit SOC such as ``51-4121``), or None if unknown."""
    code = _code(soc)
    if code is None:
        return None
    data = _data()
    o = data["onet"][code]
    esco = tuple(u for u in o["esco"] if u in data["esco"])
    return Occupation(
        soc=code,
        title=o["title"],
        job_zone=o["zone"],
        tasks=tuple(Task(id=t[0], text=t[1], category=t[2]) for t in o["tasks"]),
        dwa_ids=tuple(o["dwa"]),
        core_dwa_ids=tuple(o["core_dwa"]),
        tool_ids=tuple(o["tools"]),
        technology=tuple((cid, bool(hot)) for cid, hot in o["tech"]),
        esco_occupations=tuple((u, data["esco"][u]["label"]) for u in esco),
        esco_essential=tuple(sorted({s for u in esco for s in data["esco"][u]["ess"]})),
        esco_optional=tuple(sorted({s for u in esco for s in data["esco"][u]["opt"]})),
    )


@lru_cache(maxsize=2048)
def _priors(soc: str) -> tuple[tuple[str, float], ...]:
    occ = occupation(soc)
    if occ is None:
        return ()
    w: dict[str, float] = {}

    def put(cid: str, value: float) -> None:
        if value > w.get(cid, 0.0):
            w[cid] = value

    core = set(occ.core_dwa_ids)
    for d in occ.dwa_ids:
        put(d, P_CORE_DWA if d in core else P_DWA)
    for cid, hot in occ.technology:
        put(cid, P_HOT_TECH if hot else P_TECH)
    for cid in occ.tool_ids:
        put(cid, P_TOOL)
    for cid in occ.esco_optional:
        put(cid, P_OPTIONAL)
    for cid in occ.esco_essential:
        put(cid, P_ESSENTIAL)
    return tuple(sorted(w.items()))


def priors(soc: str) -> dict[str, float]:
    """Concept id → weight in 0..1 for an occupation: core-task DWAs, hot technology and tools, ESCO essential
    skills above supplemental DWAs, other technology and ESCO optional skills. Empty for an unknown SOC."""
    return dict(_priors((soc or "").strip()))
