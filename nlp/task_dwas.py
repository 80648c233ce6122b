"""O*NET task → detailed work activity (DWA) links, per O*NET-SOC occupation, for *every* occupation.

``nlp/data/occupations.json.gz`` holds each occupation's DWA ids as a set (its profile, which guides linking);
this file keeps which task each DWA belongs to, which the service's profile-gap view needs to say which tasks a
credential covers. Task → DWA linking is measured on the evaluation fifth of occupations (``nlp.splits``) by
meaning and the training occupations' examples (``nlp.dwa_rank``, ``skillpulse nlp evaluate-dwa``), which
reads neither file; keep it so. ``build_task_dwas`` (called by ``taxonomy_build.build_taxonomy``) writes
``nlp/data/task_dwas.json.gz`` from ``onet-29.3/Tasks to DWAs.txt``; ``task_dwas(soc)`` reads it.
``build_dwa_exemplars`` writes ``dwa_rank``'s examples (``nlp/data/dwa_exemplars.json.gz``): the training
occupations' task statements only.

The shared O*NET 29.3 extract links tasks to DWAs for only part of the occupations; an occupation it does not
cover has no entry here (its tasks have no known DWA).
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from .splits import is_eval_occupation
from .taxonomy import DATA_DIR, DWA_URN

TASK_DWAS_FILE = DATA_DIR / "task_dwas.json.gz"


def build_task_dwas(source: Path) -> dict[str, dict[str, list[str]]]:
    """O*NET-SOC code → task id → the DWA concept ids O*NET links to it, sorted."""
    links: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    path = Path(source) / "onet-29.3" / "Tasks to DWAs.txt"
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            code, task = r["O*NET-SOC Code"].strip(), r["Task ID"].strip()
            links[code][task].add(DWA_URN + r["DWA ID"].strip())
    return {
        code: {task: sorted(dwas) for task, dwas in sorted(tasks.items())}
        for code, tasks in sorted(links.items())
    }


def build_dwa_exemplars(source: Path) -> dict:
    """The labelled examples of ``dwa_rank``: task statement -> its DWA concept ids, of the *training*
    occupations only (no occupation of ``splits.is_eval_occupation``: the file never holds an evaluation
    occupation's tasks). A statement several occupations share is one row with the union of their links."""
    links: dict[str, set[str]] = defaultdict(set)
    occupations: set[str] = set()
    path = Path(source) / "onet-29.3" / "Tasks to DWAs.txt"
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            code = r["O*NET-SOC Code"].strip()
            if is_eval_occupation(code):
                continue
            occupations.add(code)
            links[" ".join(r["Task"].split())].add(DWA_URN + r["DWA ID"].strip())
    return {
        "occupations": len(occupations),
        "tasks": [[text, sorted(dwas)] for text, dwas in sorted(links.items())],
    }


@lru_cache(maxsize=1)
def _data() -> dict[str, dict[str, list[str]]]:
    if not TASK_DWAS_FILE.exists():
        return {}
    with gzip.open(TASK_DWAS_FILE, "rt", encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=2048)
def task_dwas(soc: str) -> dict[str, tuple[str, ...]]:
    """Task id → DWA concept ids of an O*NET-SOC occupation (``51-4121.00``); empty when O*NET links none."""
    return {task: tuple(dwas) for task, dwas in _data().get((soc or "").strip(), {}).items()}
