"""`skillpulse credentials evaluate-recognition`: the splits it reports and the input it refuses."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from service.credentials.cli import credentials_app


def test_split_picks_what_is_reported() -> None:
    result = CliRunner().invoke(credentials_app, ["evaluate-recognition", "--split", "test2", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert list(report) == ["test2"] and report["test2"]["postings"] >= 60


def test_an_unknown_split_or_a_bad_gold_file_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(credentials_app, ["evaluate-recognition", "--split", "test"])
    assert result.exit_code == 2 and "unknown split" in result.output
    bad = tmp_path / "gold.jsonl"
    bad.write_text(json.dumps({"id": "x", "split": "train", "text": "CDL-A", "gold": {}}) + "\n")
    result = CliRunner().invoke(credentials_app, ["evaluate-recognition", "--gold", str(bad)])
    assert result.exit_code == 2 and "needs a split" in result.output


def test_gold_files_may_be_given_one_by_one(tmp_path: Path) -> None:
    one = tmp_path / "one.jsonl"
    one.write_text(
        json.dumps({"id": "a", "split": "dev", "text": "Class A CDL required.", "gold": {"cdla": "required"}})
        + "\n"
    )
    two = tmp_path / "two.jsonl"
    two.write_text(json.dumps({"id": "b", "split": "test2", "text": "No CDL-A needed.", "gold": {}}) + "\n")
    result = CliRunner().invoke(
        credentials_app, ["evaluate-recognition", "--gold", str(one), "--gold", str(two), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dev"]["true_positives"] == 1 and report["test2"]["false_positives"] == 0
