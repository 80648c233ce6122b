"""Precision and recall of credential recognition on the labelled sets nlp/eval/recognition*.jsonl.

Each posting is read against every credential of nlp/eval/recognition_credentials.json (its aliases, or the
proposals from its name and type when it sets none): a pair the gold labels and the matcher both say asks is a
true positive; requirement agreement (required / preferred / unstated) is counted over those. Splits: `dev`
(nlp/eval/recognition.jsonl: the first 57 dev postings, the 56 of the first test split, looked at and so
moved to dev, and 30 more; tune on these) and `test2` (nlp/eval/recognition_test2.jsonl, written and labelled
before the matcher was tuned again, held out from that tuning).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import nlp
from service.credentials.recognition import recognise
from service.credentials.recognition_aliases import propose_aliases

EVAL_DIR = Path(nlp.__file__).resolve().parent / "eval"
GOLD_FILE = EVAL_DIR / "recognition.jsonl"
GOLD_FILES = (GOLD_FILE, EVAL_DIR / "recognition_test2.jsonl")
CREDENTIALS_FILE = EVAL_DIR / "recognition_credentials.json"
SPLITS = ("dev", "test2")


@dataclass(frozen=True)
class EvalCredential:
    key: str
    name: str
    aliases: list[str]


@dataclass
class SplitScore:
    postings: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    level_agree: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def as_dict(self) -> dict:
        def r(x: float | None) -> float | None:
            return round(x, 4) if x is not None else None

        return {
            "postings": self.postings,
            "true_positives": self.tp,
            "false_positives": self.fp,
            "false_negatives": self.fn,
            "precision": r(self.precision),
            "recall": r(self.recall),
            "requirement_agreement": r(self.level_agree / self.tp) if self.tp else None,
        }


def load_credentials(path: Path = CREDENTIALS_FILE) -> list[EvalCredential]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        EvalCredential(c["key"], c["name"], list(c["aliases"]) or propose_aliases(c["name"], c.get("type")))
        for c in data["credentials"]
    ]


def load_gold(path: Path = GOLD_FILE) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        if row.get("split") not in SPLITS or not isinstance(row.get("gold"), dict):
            raise ValueError(
                f"{path}: posting {row.get('id')!r} needs a split ({'|'.join(SPLITS)}) and a gold object"
            )
    return rows


def score_posting(row: dict, credentials: list[EvalCredential], score: SplitScore) -> None:
    score.postings += 1
    known = {c.key for c in credentials}
    unknown = set(row["gold"]) - known
    if unknown:
        raise ValueError(f"posting {row['id']}: gold names unknown credentials {sorted(unknown)}")
    for credential in credentials:
        found = recognise(row["text"], credential.aliases)
        gold_asks = credential.key in row["gold"]
        if found.asks and gold_asks:
            score.tp += 1
            score.level_agree += found.requirement == row["gold"][credential.key]
            continue
        if found.asks == gold_asks:
            continue
        if found.asks:
            score.fp += 1
        else:
            score.fn += 1
        score.errors.append(
            {
                "id": row["id"],
                "credential": credential.key,
                "gold": row["gold"].get(credential.key, "no") if gold_asks else "no",
                "found": [f"{m.text} ({m.reason}, {m.requirement})" for m in found.mentions],
            }
        )


def evaluate(
    gold_paths: Path | tuple[Path, ...] | list[Path] = GOLD_FILES, credentials_path: Path = CREDENTIALS_FILE
) -> dict[str, SplitScore]:
    """Scores per split, of the splits the files hold (in SPLITS order)."""
    credentials = load_credentials(credentials_path)
    rows = [
        row
        for path in ([gold_paths] if isinstance(gold_paths, Path) else gold_paths)
        for row in load_gold(path)
    ]
    scores = {split: SplitScore() for split in SPLITS if any(row["split"] == split for row in rows)}
    for row in rows:
        score_posting(row, credentials, scores[row["split"]])
    return scores
