from typer.testing import CliRunner

from nlp.cli import app
from nlp.conll import read_conll, score_spans

CONLL = (
    "Strong\tO\tO\n"
    "communication\tB-Skill\tO\n"
    "skills\tI-Skill\tO\n"
    "and\tO\tO\n"
    "Python\tO\tB-Knowledge\n"
    ".\tO\tO\n"
    "\n"
    "Manage\tB-Skill\tO\n"
    "a\tI-Skill\tO\n"
    "team\tI-Skill\tO\n"
    "\n"
)


def test_read_conll(tmp_path):
    f = tmp_path / "tiny.conll"
    f.write_text(CONLL, encoding="utf-8")
    sents = read_conll(f)
    assert [s.tokens for s in sents] == [
        ["Strong", "communication", "skills", "and", "Python", "."],
        ["Manage", "a", "team"],
    ]
    assert sorted(sents[0].spans) == [(1, 3, "SKILL"), (4, 5, "KNOWLEDGE")]
    assert sents[1].spans == [(0, 3, "SKILL")]


def test_strict_and_loose_scoring():
    gold = [[(1, 3), (4, 5)], [(0, 3)]]
    pred = [[(0, 3), (4, 5)], [(2, 3), (5, 6)]]
    strict, loose = score_spans(gold, pred)
    # strict: only (4,5) matches -> P = 1/4, R = 1/3
    assert (strict.tp_p, strict.n_pred, strict.tp_g, strict.n_gold) == (1, 4, 1, 3)
    assert abs(strict.f1 - 2 * (1 / 4) * (1 / 3) / (1 / 4 + 1 / 3)) < 1e-9
    # loose: (0,3)~(1,3), (4,5), (2,3)~(0,3) count; (5,6) does not -> P = 3/4; all gold found -> R = 1
    assert (loose.tp_p, loose.n_pred, loose.tp_g, loose.n_gold) == (3, 4, 3, 3)
    assert abs(loose.f1 - 2 * 0.75 / 1.75) < 1e-9


def test_union_of_layers_deduplicated():
    strict, _ = score_spans([[(0, 2, "SKILL"), (0, 2, "KNOWLEDGE")]], [[(0, 2)]])
    assert (strict.tp_p, strict.n_pred, strict.tp_g, strict.n_gold) == (1, 1, 1, 1)


def test_evaluate_command(tmp_path):
    f = tmp_path / "tiny.conll"
    f.write_text(CONLL, encoding="utf-8")
    r = CliRunner().invoke(app, ["evaluate", str(f)])
    assert r.exit_code == 0, r.output
    assert "tiny.conll" in r.output and "words/s" in r.output
    r = CliRunner().invoke(app, ["evaluate", "--json", str(f)])
    assert r.exit_code == 0, r.output
    import json

    res = json.loads(r.output)["files"][str(f)]
    assert set(res["strict"]) == {"p", "r", "f1"} and res["words"] == 9


def test_extract_command():
    r = CliRunner().invoke(app, ["extract"], input="Experience with Python and SQL is required.\n")
    assert r.exit_code == 0, r.output
    import json

    rows = [json.loads(line) for line in r.output.splitlines() if line.strip()]
    assert any(row["text"] == "Python" for row in rows)
