"""The packaged concept inventory: ESCO skills / knowledge, O*NET 29.3 technology skills and tools used
(scheme ``onet-tools``) and O*NET detailed work activities (scheme ``onet-dwa``).

``nlp.taxonomy_build.build_taxonomy`` reads the raw files under ../shared/data/taxonomy and writes compact
gzipped JSON files into the package: ``nlp/data/taxonomy.json.gz`` (concepts),
``nlp/data/descriptions.json.gz`` (ESCO descriptions, loaded only when asked for),
``nlp/data/occupations.json.gz`` (per O*NET-SOC occupation: tasks, DWAs, tools, matched ESCO occupations; see
``occupations.py``) and the job-title index (``nlp/data/titles.json.gz``). ``load_taxonomy`` loads the
packaged file once per process.
"""

from __future__ import annotations

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

from .index_cache import cached
from .reference import REFERENCE_DATA
from .types import Concept

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
TAXONOMY_FILE = DATA_DIR / "taxonomy.json.gz"
TITLES_FILE = DATA_DIR / "titles.json.gz"
DESCRIPTIONS_FILE = DATA_DIR / "descriptions.json.gz"
OCCUPATIONS_FILE = DATA_DIR / "occupations.json.gz"
ALIASES_FILE = PACKAGE_DIR / "config" / "aliases.json"
DEFAULT_SOURCE = REFERENCE_DATA / "taxonomy"
ONET_URN = "urn:onet:tech:"
TOOL_URN = "urn:onet:tool:"
DWA_URN = "urn:onet:dwa:"
SCHEMES = ("esco", "onet-tools", "onet-dwa", "custom")

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

    def description(self, cid: str) -> str | None:
        """ESCO: its description; a DWA: its IWA title; an O*NET tool: its commodity title(s)."""
        c = self.concepts.get(cid)
        if c is None:
            return None
        a = self.attrs.get(cid, {})
        if c.scheme == "onet-dwa":
            return a.get("iwa_t")
        if c.scheme == "onet-tools":
            return "; ".join(a.get("cat", ())) or None
        return load_descriptions().get(cid)

    def resolve(self, target: str) -> Concept | None:
        """A concept id, or a label (ESCO first, then O*NET tools, then DWAs): how aliases name a target."""
        if target in self.concepts:
            return self.concepts[target]
        found = self.lookup(target)
        for scheme in SCHEMES:
            for c in found:
                if c.scheme == scheme:
                    return c
        return None


def norm_label(text: str) -> str:
    return " ".join(text.lower().split())


def _read_aliases(path: Path = ALIASES_FILE) -> dict[str, str]:
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {k: v for k, v in data.items() if not k.startswith("_")}


def check_aliases(aliases: dict[str, str], ids: set[str], labels: set[str]) -> list[str]:
    """Alias phrases whose target (a concept id or a label) names no concept."""
    return sorted(p for p, t in aliases.items() if t not in ids and norm_label(t) not in labels)


# --------------------------------------------------------------------------------------------- load
@lru_cache(maxsize=1)
def load_taxonomy(path: str | None = None) -> Taxonomy:
    """Load the packaged taxonomy (cached per process, and the packaged one in the NLP index cache)."""
    if path is None:
        return cached("taxonomy", lambda: _read_taxonomy(TAXONOMY_FILE))
    return _read_taxonomy(path)


def _read_taxonomy(path: str | Path) -> Taxonomy:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
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
def load_descriptions() -> dict[str, str]:
    """ESCO descriptions by concept URI (a separate file, so ``load_taxonomy`` stays quick)."""
    if not DESCRIPTIONS_FILE.exists():
        return {}
    with gzip.open(DESCRIPTIONS_FILE, "rt", encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def load_titles() -> dict:
    with gzip.open(TITLES_FILE, "rt", encoding="utf-8") as fh:
        return json.load(fh)
