"""EXTRACTOR_VERSION: which model, rules, settings and packaged data made a stored mention or link.

Computed from the packaged files alone (hashing them, reading the taxonomy's header; no model load), so a
process can tell whether stored postings and competency links are current before it loads anything.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from .taxonomy import load_taxonomy

PACKAGE_DIR = Path(__file__).resolve().parent
MODEL_DIR = PACKAGE_DIR / "model"
SETTINGS_FILE = PACKAGE_DIR / "config" / "extractor.json"
RULES_REVISION = "12"  # bump when tokenisation, post-rules, cues or occupation coding change what is stored


@lru_cache(maxsize=1)
def load_settings() -> dict:
    defaults = {
        "gazetteer": "onet_hot",  # none | onet | onet_hot
        "gazetteer_min_len": 2,
        "link_threshold": 0.3,
        "item_threshold": 1.1,  # list items no span covers, linked at this probability or above (> 1: off)
        "clause_threshold": 1.1,  # verb clauses linked whole, kept at this probability or above (> 1: off)
        "trim": True,
        "o_bias": 0.0,  # subtracted from the NER's OUT action score (recall knob)
        "tokenizer_cache": 200_000,
    }
    if SETTINGS_FILE.exists():
        defaults.update(json.loads(SETTINGS_FILE.read_text(encoding="utf-8")))
    return defaults


def _model_version() -> str:
    meta = MODEL_DIR / "meta.json"
    if not meta.exists():
        return "nomodel"
    h = hashlib.sha256()
    for p in sorted(MODEL_DIR.rglob("*")):
        if p.is_file() and p.name in ("model", "cfg", "meta.json", "moves"):
            h.update(p.read_bytes())
    return h.hexdigest()[:8]


@lru_cache(maxsize=1)
def static_version() -> str:
    """The version from the packaged files alone (cheap: hashes the model, reads the taxonomy header)."""
    import gzip

    from .taxonomy import TAXONOMY_FILE

    with gzip.open(TAXONOMY_FILE, "rt", encoding="utf-8") as fh:
        head = fh.read(64)
    m = re.search(r'"version":"([0-9a-f]+)"', head)
    tax = m.group(1) if m else load_taxonomy().version
    h = hashlib.sha256((RULES_REVISION + json.dumps(load_settings(), sort_keys=True)).encode())
    for name in (
        "config/cues.json",
        "config/aliases.json",
        "config/linking.json",
        "config/sentences.json",  # what sentence_concepts returns
        "data/occupations.json.gz",
        "data/embed/meta.json",
        "data/dwa_exemplars.json.gz",  # the DWA ranker's examples (nlp.dwa_rank: competency proposals)
        "config/dwa_rank.json",
    ):
        f = PACKAGE_DIR / name  # data that changes what extract() / link() return
        if f.exists():
            h.update(f.read_bytes())
    settings = h.hexdigest()[:4]
    return f"skillspan-ner-{_model_version()}.{settings}+tax-{tax}"


def extractor_version() -> str:
    return static_version()
