"""Readers of the reference data (nlp/reference.py says where it lives) that evaluation (nlp/linking_eval.py)
and training (training/embedding.py) share: SkillSkape's labelled sentences, O*NET's task → DWA pairs."""

from __future__ import annotations

import ast
import csv
from collections import defaultdict
from pathlib import Path

from .splits import is_eval_occupation
from .taxonomy import DWA_URN, Taxonomy, norm_label


def esco_by_label(tax: Taxonomy) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in tax.concepts.values():
        if c.scheme == "esco":
            out.setdefault(norm_label(c.label), c.id)
    return out


def skillskape(path: Path, by_label: dict[str, str]) -> list[tuple[str, frozenset[str]]]:
    """SkillSkape rows: a sentence and the ESCO concepts of its labels (``UNK`` and unknown ones dropped)."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            labels = [lab for lab in ast.literal_eval(r["skills"]) if lab != "UNK"]
            ids = frozenset(by_label[norm_label(lab)] for lab in labels if norm_label(lab) in by_label)
            out.append((r["sentence"], ids))
    return out


def task_dwas(path: Path, tax: Taxonomy, held_out: bool) -> dict[str, set[str]]:
    """O*NET task statement → its DWAs, for the evaluation fifth of occupations or for the rest."""
    out: dict[str, set[str]] = defaultdict(set)
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            cid = DWA_URN + r["DWA ID"].strip()
            if cid in tax.concepts and is_eval_occupation(r["O*NET-SOC Code"]) == held_out:
                out[r["Task"].strip()].add(cid)
    return dict(out)
