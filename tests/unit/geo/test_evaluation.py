"""The evaluation's scoring (pure), and the packaged evaluation file against its targets."""

from __future__ import annotations

from service.geo import Location, Place, normalise
from service.geo.cli import EVAL_FILE
from service.geo.evaluation import evaluate, read_lines


def _line(id_, expected, input_="x"):
    base = {
        "state": [],
        "county": [],
        "cbsa": [],
        "remote": False,
        "remote_states": [],
        "remote_country": None,
    }
    return {"id": id_, "split": "dev", "input": input_, "expected": {**base, **expected}}


def test_scoring_counts_wrong_codes_and_invented_ones() -> None:
    answers = {
        "a": Location((Place("OH", "39095", "45780"),)),
        "b": Location((Place("OH", "39049"),)),
        "junk": Location((Place("TX"),)),
    }
    lines = [
        _line("a", {"state": ["OH"], "county": ["39095"]}, "a"),
        _line("b", {"state": ["OH"], "county": ["39095"]}, "b"),
        _line("c", {"state": ["OH"], "county": None}, "b"),
        _line("j", {}, "junk"),
    ]
    report = evaluate(lines, lambda value: answers[value])
    assert (report.state.right, report.state.total) == (3, 3)
    assert (report.county.right, report.county.total) == (1, 2)  # the null county is not scored
    assert report.invented == ["j"]


def test_packaged_evaluation_meets_the_targets() -> None:
    lines = read_lines(EVAL_FILE)
    assert len(lines) >= 500
    report = evaluate(lines, normalise, "holdout")
    assert report.state.accuracy >= 0.99 and report.county.accuracy >= 0.95
    assert report.invented == []
