"""The packaged skill taxonomy: ESCO skills / knowledge and O*NET technology skills.

``build_taxonomy`` reads the raw files under ../shared/data/taxonomy and writes a compact gzipped JSON file
into the package (``nlp/data/taxonomy.json.gz``) plus the job-title index (``nlp/data/titles.json.gz``).
``load_taxonomy`` loads the packaged file once per process.
"""

from __future__ import annotations

import ast
import csv
import gzip
import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .types import Concept

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
TAXONOMY_FILE = DATA_DIR / "taxonomy.json.gz"
TITLES_FILE = DATA_DIR / "titles.json.gz"
DEFAULT_SOURCE = PACKAGE_DIR.parent.parent / "shared" / "data" / "taxonomy"
ONET_URN = "urn:onet:tech:"

csv.field_size_limit(1 << 24)


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or hashlib.sha256(text.encode()).hexdigest()[:10]


@dataclass
class Taxonomy:
    """Concepts by id, with alternative labels and a few attributes; lookup by normalised label."""

    version: str
    concepts: dict[str, Concept]
    alt_labels: dict[str, tuple[str, ...]]
    attrs: dict[str, dict]  # per concept: hierarchy codes (ESCO), hot/in_demand/occupations (O*NET)
    _by_label: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        by: dict[str, list[str]] = defaultdict(list)
        for cid, c in self.concepts.items():
            by[norm_label(c.label)].append(cid)
        for cid, alts in self.alt_labels.items():
            for a in alts:
                key = norm_label(a)
                if cid not in by[key]:
                    by[key].append(cid)
        self._by_label = dict(by)

    def __len__(self) -> int:
        return len(self.concepts)

    def __getitem__(self, cid: str) -> Concept:
        return self.concepts[cid]

    def get(self, cid: str) -> Concept | None:
        return self.concepts.get(cid)

    def lookup(self, label: str) -> list[Concept]:
        """Concepts whose preferred or alternative label equals ``label`` (case/space-insensitive)."""
        return [self.concepts[c] for c in self._by_label.get(norm_label(label), [])]

    def labels(self, cid: str) -> tuple[str, ...]:
        return (self.concepts[cid].label, *self.alt_labels.get(cid, ()))


def norm_label(text: str) -> str:
    return " ".join(text.lower().split())


# --------------------------------------------------------------------------------------------- build
def _esco_kind(levels: list) -> str:
    # ESCO places e.g. programming languages under both knowledge (K) and skills (S); its skillType calls
    # them knowledge, so any place in the knowledge branch makes a concept knowledge.
    tops = {p[0] for p in levels if p and p[0]}
    return "knowledge" if "K" in tops else "skill"


def build_taxonomy(source: str | Path = DEFAULT_SOURCE, out: str | Path = TAXONOMY_FILE) -> dict:
    """Build the compact taxonomy file from the shared raw data; returns summary counts."""
    source = Path(source)
    esco = source / "esco"
    onet = source / "onet"
    rows: list[list] = []  # [id, label, scheme, kind, alts, attrs]
    seen: set[str] = set()

    with open(esco / "skills_en_labels_v1.1.1.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            levels = ast.literal_eval(r["hierarchy_levels"]) if r["hierarchy_levels"] else []
            alts = sorted(
                {a.strip() for a in r["altLabels"].split("\n") if a.strip()} - {r["preferredLabel"]}
            )
            codes = sorted({p[-1] or p[-2] or "" for p in levels if p} - {""})
            uri = r["conceptUri"].strip()
            seen.add(uri)
            rows.append([uri, r["preferredLabel"].strip(), "esco", _esco_kind(levels), alts, {"h": codes}])
    with open(esco / "esco_v1.2.0_skills_missing_from_v1.1.1_labels.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            uri = r["conceptUri"].strip()
            if not r["preferredLabel"].strip() or uri in seen:
                continue  # unlabelled 1.2.0 additions are left out
            alts = sorted({a.strip() for a in r["altLabels"].split("|") if a.strip()} - {r["preferredLabel"]})
            kind = "knowledge" if r["skillType"].strip() == "knowledge" else "skill"
            seen.add(uri)
            rows.append([uri, r["preferredLabel"].strip(), "esco", kind, alts, {"h": [], "v": "1.2.0"}])

    tools: dict[str, dict] = {}
    with open(onet / "technology_skills.txt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            name = r["Example"].strip()
            t = tools.setdefault(name, {"c": set(), "hot": False, "dem": False, "occ": set()})
            t["c"].add(r["Commodity Title"].strip())
            t["hot"] |= r["Hot Technology"].strip() == "Y"
            t["dem"] |= r["In Demand"].strip() == "Y"
            t["occ"].add(r["O*NET-SOC Code"].strip())
    used: set[str] = set()
    for name in sorted(tools):
        t = tools[name]
        s = slug(name)
        while s in used:
            s += "-" + hashlib.sha256(name.encode()).hexdigest()[:6]
        used.add(s)
        attrs = {"cat": sorted(t["c"]), "hot": t["hot"], "dem": t["dem"], "occ": sorted(t["occ"])}
        rows.append([ONET_URN + s, name, "onet", "tool", [], attrs])

    rows.sort(key=lambda r: r[0])
    payload = json.dumps(rows, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    version = hashlib.sha256(payload.encode()).hexdigest()[:8]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(out, "wb", mtime=0) as gz:
        gz.write(
            json.dumps(
                {"version": version, "concepts": rows}, ensure_ascii=False, separators=(",", ":")
            ).encode()
        )

    titles = build_titles(onet)
    with gzip.GzipFile(Path(out).parent / TITLES_FILE.name, "wb", mtime=0) as gz:
        gz.write(json.dumps(titles, ensure_ascii=False, separators=(",", ":")).encode())
    return {
        "version": version,
        "esco": sum(1 for r in rows if r[2] == "esco"),
        "onet": sum(1 for r in rows if r[2] == "onet"),
        "titles_indexed": len(titles["index"]),
        "titles_held_out": len(titles["held_out"]),
    }


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


# --------------------------------------------------------------------------------------------- load
@lru_cache(maxsize=1)
def load_taxonomy(path: str | None = None) -> Taxonomy:
    """Load the packaged taxonomy (cached per process)."""
    with gzip.open(path or TAXONOMY_FILE, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    concepts: dict[str, Concept] = {}
    alts: dict[str, tuple[str, ...]] = {}
    attrs: dict[str, dict] = {}
    for cid, label, scheme, kind, alt, attr in data["concepts"]:
        concepts[cid] = Concept(id=cid, uri=cid, label=label, scheme=scheme, kind=kind)
        if alt:
            alts[cid] = tuple(alt)
        attrs[cid] = attr
    return Taxonomy(version=data["version"], concepts=concepts, alt_labels=alts, attrs=attrs)


@lru_cache(maxsize=1)
def load_titles() -> dict:
    with gzip.open(TITLES_FILE, "rt", encoding="utf-8") as fh:
        return json.load(fh)
