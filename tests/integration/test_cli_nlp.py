"""`skillpulse nlp …` is mounted on the service CLI: extract from stdin, evaluate a CoNLL file. In-process
(tests/support/cli.py): what the commands print is under test here, not the process they run in."""

from __future__ import annotations

import json
import os

from tests.support.cli import run_cli


def test_nlp_extract_reads_stdin_and_prints_json_lines():
    result = run_cli(dict(os.environ), "nlp", "extract", input="Must have Python. Kubernetes is a plus.")
    assert result.returncode == 0, result.stderr
    mentions = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    by_text = {m["text"]: m for m in mentions}
    assert by_text["Python"]["requirement"] == "required"
    assert by_text["Kubernetes"]["requirement"] == "preferred"


def test_nlp_evaluate_scores_a_conll_file(tmp_path):
    conll = tmp_path / "tiny.conll"
    conll.write_text("Strong\tO\tO\nPython\tO\tB\nskills\tO\tO\n\nTeam\tB\tO\nwork\tI\tO\n\n")
    result = run_cli(dict(os.environ), "nlp", "evaluate", str(conll))
    assert result.returncode == 0, result.stderr
    assert "tiny.conll" in result.stdout
    assert "strict" in result.stdout.lower()
