"""Building the packaged inventory files (``skillpulse nlp build-taxonomy``) from ../shared/data/taxonomy.

Apart from ``taxonomy.py`` (which only loads them) so that the build may use ``occupations.py``, which itself
reads the taxonomy's names, without an import cycle.
"""

from __future__ import annotations

import ast
import csv
import gzip
import hashlib
import json
from collections import defaultdict
from pathlib import Path

from .dwa_rank import EXEMPLARS_FILE
from .occupations import build_occupations
from .task_dwas import TASK_DWAS_FILE, build_dwa_exemplars, build_task_dwas
from .taxonomy import (
    DEFAULT_SOURCE,
    DESCRIPTIONS_FILE,
    DWA_URN,
    OCCUPATIONS_FILE,
    ONET_URN,
    SCHEMES,
    TAXONOMY_FILE,
    TITLES_FILE,
    TOOL_URN,
    _read_aliases,
    check_aliases,
    norm_label,
    slug,
)

csv.field_size_limit(1 << 24)


def _esco_kind(levels: list) -> str:
    # ESCO places e.g. programming languages under both knowledge (K) and skills (S); its skillType calls
    # them knowledge, so any place in the knowledge branch makes a concept knowledge.
    tops = {p[0] for p in levels if p and p[0]}
    return "knowledge" if "K" in tops else "skill"


def build_taxonomy(source: str | Path = DEFAULT_SOURCE, out: str | Path = TAXONOMY_FILE) -> dict:
    """Build the packaged inventory files from the shared raw data; returns summary counts."""
    source = Path(source)
    onet = source / "onet"
    rows, descriptions = _esco_rows(source / "esco")
    onet_rows, tech_ids, tool_ids = _onet_rows(onet, source / "onet-29.3")
    rows.extend(onet_rows)
    rows.sort(key=lambda r: r[0])
    ids = {r[0] for r in rows}
    labels = {norm_label(lab) for r in rows for lab in (r[1], *r[4])}
    missing = check_aliases(_read_aliases(), ids, labels)
    if missing:
        raise ValueError(f"aliases whose target is not in the taxonomy: {missing}")
    payload = json.dumps(rows, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    version = hashlib.sha256(payload.encode()).hexdigest()[:8]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_gz(out, {"version": version, "concepts": rows})
    _write_gz(out.parent / DESCRIPTIONS_FILE.name, dict(sorted(descriptions.items())))

    occupations = build_occupations(source, tech_ids, tool_ids)
    _write_gz(out.parent / OCCUPATIONS_FILE.name, occupations)
    _write_gz(out.parent / TASK_DWAS_FILE.name, build_task_dwas(source))
    exemplars = build_dwa_exemplars(source)  # training occupations only
    _write_gz(out.parent / EXEMPLARS_FILE.name, exemplars)

    titles = build_titles(onet)
    _write_gz(out.parent / TITLES_FILE.name, titles)
    return {
        "version": version,
        **{scheme: sum(1 for r in rows if r[2] == scheme) for scheme in SCHEMES[:3]},
        "onet_technology": sum(1 for r in rows if r[0].startswith(ONET_URN) and "v" not in r[5]),
        "onet_tools_used": len(tool_ids),
        "descriptions": len(descriptions),
        "occupations": len(occupations["onet"]),
        "occupations_with_esco": sum(1 for o in occupations["onet"].values() if o["esco"]),
        "titles_indexed": len(titles["index"]),
        "titles_held_out": len(titles["held_out"]),
        "dwa_exemplar_tasks": len(exemplars["tasks"]),
        "dwa_exemplar_occupations": exemplars["occupations"],
    }


def _alts(r: dict, sep: str = "\n") -> list[str]:
    return sorted({a.strip() for a in r["altLabels"].split(sep) if a.strip()} - {r["preferredLabel"]})


def _esco_rows(esco: Path) -> tuple[list[list], dict[str, str]]:
    """ESCO skills rows ``[id, label, "esco", kind, alts, attrs]`` and their descriptions.

    v1.1.1 labels with hierarchy codes, then labelled v1.2.0 additions, then skills_en rows the labels
    file lacks (their 1.1.1 label an alternative where a 1.2.0 addition has the same id)."""
    rows: list[list] = []
    seen: set[str] = set()
    with open(esco / "skills_en_labels_v1.1.1.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            levels = ast.literal_eval(r["hierarchy_levels"]) if r["hierarchy_levels"] else []
            codes = sorted({p[-1] or p[-2] or "" for p in levels if p} - {""})
            uri = r["conceptUri"].strip()
            seen.add(uri)
            rows.append(
                [uri, r["preferredLabel"].strip(), "esco", _esco_kind(levels), _alts(r), {"h": codes}]
            )
    descriptions: dict[str, str] = {}
    extra: dict[str, list] = {}  # in skills_en but not in the labels file (no hierarchy codes)
    with open(esco / "skills_en_v1.1.1.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            uri = r["conceptUri"].strip()
            text = " ".join((r.get("description") or "").split())
            if text:
                descriptions[uri] = text
            if uri in seen or not r["preferredLabel"].strip():
                continue
            kind = "knowledge" if r["skillType"].strip() == "knowledge" else "skill"
            extra[uri] = [uri, r["preferredLabel"].strip(), "esco", kind, _alts(r), {"h": []}]
    with open(esco / "esco_v1.2.0_skills_missing_from_v1.1.1_labels.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            uri = r["conceptUri"].strip()
            if not r["preferredLabel"].strip() or uri in seen:
                continue  # unlabelled 1.2.0 additions are left out
            kind = "knowledge" if r["skillType"].strip() == "knowledge" else "skill"
            seen.add(uri)
            rows.append(
                [uri, r["preferredLabel"].strip(), "esco", kind, _alts(r, "|"), {"h": [], "v": "1.2.0"}]
            )
    for uri, row in extra.items():
        if (
            uri in seen
        ):  # also a labelled 1.2.0 addition: keep its label as today, the 1.1.1 one as an alternative
            for r in rows:
                if r[0] == uri and row[1] != r[1]:
                    r[4] = sorted({*r[4], row[1]})
            continue
        seen.add(uri)
        rows.append(row)
    return rows, descriptions


def _onet_rows(onet: Path, onet29: Path) -> tuple[list[list], dict[str, str], dict[str, str]]:
    """O*NET technology (29.3, plus 29.2 names 29.3 dropped), tools used and DWA rows; tech and tool ids."""
    rows: list[list] = []
    legacy = _onet_examples(onet / "technology_skills.txt", with_flags=True)  # O*NET 29.2
    tech = _onet_examples(onet29 / "Technology Skills.txt", with_flags=True)
    tech_ids = _slugs(tech, ONET_URN)
    for name, t in sorted(tech.items()):
        attrs = {"cat": sorted(t["c"]), "hot": t["hot"], "dem": t["dem"], "occ": sorted(t["occ"])}
        rows.append([tech_ids[name], name, "onet-tools", "tool", [], attrs])
    # 29.2 technology names that 29.3 dropped keep their ids (stored results name them), without occupations
    legacy_ids = _slugs(legacy, ONET_URN)
    taken = set(tech_ids.values())
    for name, t in sorted(legacy.items()):
        if name not in tech and legacy_ids[name] not in taken:
            attrs = {"cat": sorted(t["c"]), "hot": False, "dem": False, "occ": [], "v": "29.2"}
            rows.append([legacy_ids[name], name, "onet-tools", "tool", [], attrs])
    tools = _onet_examples(onet29 / "Tools Used.txt", with_flags=False)
    tool_ids = _slugs(tools, TOOL_URN)
    for name, t in sorted(tools.items()):
        attrs = {"cat": sorted(t["c"]), "occ": sorted(t["occ"])}
        rows.append([tool_ids[name], name, "onet-tools", "tool", [], attrs])
    with open(onet29 / "DWA Reference.txt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            attrs = {
                "iwa": r["IWA ID"].strip(),
                "iwa_t": r["IWA Title"].strip(),
                "gwa": r["Element ID"].strip(),
                "gwa_t": r["Element Name"].strip(),
            }
            rows.append(
                [DWA_URN + r["DWA ID"].strip(), r["DWA Title"].strip(), "onet-dwa", "skill", [], attrs]
            )
    return rows, tech_ids, tool_ids


def _write_gz(path: Path, obj) -> None:
    with gzip.GzipFile(path, "wb", mtime=0) as gz:
        gz.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode())


def _onet_examples(path: Path, with_flags: bool) -> dict[str, dict]:
    """O*NET "Example" names (technology skills or tools used): commodity titles, flags, occupations."""
    out: dict[str, dict] = {}
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            name = r["Example"].strip()
            t = out.setdefault(name, {"c": set(), "hot": False, "dem": False, "occ": set()})
            t["c"].add(r["Commodity Title"].strip())
            t["occ"].add(r["O*NET-SOC Code"].strip())
            if with_flags:
                t["hot"] |= r["Hot Technology"].strip() == "Y"
                t["dem"] |= r["In Demand"].strip() == "Y"
    return out


def _slugs(names, prefix: str) -> dict[str, str]:
    """name → ``prefix + slug(name)``, a hash suffix on the (rare) collisions, in sorted name order."""
    used: set[str] = set()
    ids: dict[str, str] = {}
    for name in sorted(names):
        s = slug(name)
        while s in used:
            s += "-" + hashlib.sha256(name.encode()).hexdigest()[:6]
        used.add(s)
        ids[name] = prefix + s
    return ids


def is_held_out(title: str) -> bool:
    """A fixed 5% slice of the O*NET alternate titles is kept out of the index to measure title coding."""
    return int(hashlib.md5(title.lower().encode()).hexdigest()[:8], 16) % 20 == 0  # noqa: S324


def build_titles(onet: Path) -> dict:
    occupations: dict[str, str] = {}
    with open(onet / "occupation_data.txt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            occupations[r["O*NET-SOC Code"].strip()] = r["Title"].strip()
    index: dict[str, set[str]] = defaultdict(set)
    held: dict[str, set[str]] = defaultdict(set)
    for code, title in occupations.items():
        index[title].add(code)
    with open(onet / "alternate_titles.txt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            code = r["O*NET-SOC Code"].strip()
            for t in (r["Alternate Title"], r["Short Title"]):
                t = t.strip()
                if not t:
                    continue
                (held if is_held_out(t) else index)[t].add(code)
    with open(onet / "sample_of_reported_titles.txt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            t = r["Reported Job Title"].strip()
            if t:
                (held if is_held_out(t) else index)[t].add(r["O*NET-SOC Code"].strip())
    for t in list(held):
        if t in index:  # the same title also reached the index through another row
            del held[t]
    return {
        "occupations": occupations,
        "index": {t: sorted(c) for t, c in sorted(index.items())},
        "held_out": {t: sorted(c) for t, c in sorted(held.items())},
    }
