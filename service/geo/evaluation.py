"""Scoring the normaliser on a file of locations with their expected codes (``skillpulse geo evaluate FILE``).

Each line: `{"id", "split", "kind", "input": text or object, "expected": {"state": [...], "county": [...] or
null, "cbsa": [...] or null, "remote": bool, "remote_states": [...], "remote_country"}}`. A null county (or
CBSA) is not determinable and not scored; a line whose expected state, county and CBSA are all empty and whose
remote is false is junk: any code given for it is invented.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from service.geo.location import Location


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def accuracy(self) -> float | None:
        return round(self.right / self.total, 4) if self.total else None


@dataclass
class Report:
    lines: int = 0
    state: Tally = field(default_factory=Tally)
    county: Tally = field(default_factory=Tally)
    cbsa: Tally = field(default_factory=Tally)
    remote: Tally = field(default_factory=Tally)
    junk: int = 0
    invented: list[str] = field(default_factory=list)
    misses: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "lines": self.lines,
            "state_accuracy": self.state.accuracy,
            "state_lines": self.state.total,
            "county_accuracy": self.county.accuracy,
            "county_lines": self.county.total,
            "cbsa_accuracy": self.cbsa.accuracy,
            "cbsa_lines": self.cbsa.total,
            "remote_accuracy": self.remote.accuracy,
            "remote_lines": self.remote.total,
            "junk_lines": self.junk,
            "invented_on_junk": len(self.invented),
        }


def read_lines(path: Path) -> list[dict]:
    lines = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None
    return lines


def _score(report: Report, line: dict, got: Location) -> None:
    want = line["expected"]
    misses = []
    if want.get("state"):
        report.state.add(got.states() == sorted(want["state"]))
        misses += [] if got.states() == sorted(want["state"]) else ["state"]
    for name, values in (("county", got.counties()), ("cbsa", got.cbsas())):
        if want.get(name):
            ok = values == sorted(want[name])
            getattr(report, name).add(ok)
            misses += [] if ok else [name]
    if want.get("remote"):
        ok = got.remote and sorted(got.remote_states) == sorted(want.get("remote_states") or [])
        ok = ok and got.remote_country == want.get("remote_country")
        report.remote.add(ok)
        misses += [] if ok else ["remote"]
    if not (want.get("state") or want.get("county") or want.get("cbsa") or want.get("remote")):
        report.junk += 1
        if got.codes():
            report.invented.append(line["id"])
            misses.append("invented")
    if misses:
        report.misses.append(
            {"id": line["id"], "input": line["input"], "missed": misses, "got": got.as_json()}
        )


def evaluate(
    lines: Iterable[dict], normalise: Callable[[object], Location], split: str | None = None
) -> Report:
    """Score every line (of one split, if given) against what `normalise` makes of its input."""
    report = Report()
    for line in lines:
        if split and line.get("split") != split:
            continue
        report.lines += 1
        _score(report, line, normalise(line["input"]))
    return report
