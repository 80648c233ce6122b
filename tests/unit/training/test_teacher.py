"""The teacher commands must not rot: fine-tune MiniLM a few steps on a tiny slice, label silver with it (two
teachers averaged), and train the span model on that silver. The committed silver labels must be what
training reads by default."""

from typer.testing import CliRunner

from nlp.conll import read_conll
from service.cli import app
from training import teacher
from training.spans import DEFAULT_SILVER, SILVER_PATH


def test_repair_bio_starts_spans_at_stray_inside_tags():
    assert teacher.repair_bio(["I-SKILL", "I-SKILL", "O", "B-KNOWLEDGE", "I-SKILL"]) == [
        "B-SKILL",
        "I-SKILL",
        "O",
        "B-KNOWLEDGE",
        "B-SKILL",
    ]
    assert teacher.tag_spans(["B-SKILL", "I-SKILL", "O", "B-KNOWLEDGE", "B-SKILL"]) == [
        (0, 2),
        (3, 4),
        (4, 5),
    ]


def test_silver_rows_keep_the_skillspan_layout():
    lines = list(teacher.iter_conll_lines([["Python", "and", "SQL"]], [["B-KNOWLEDGE", "O", "B-SKILL"]]))
    assert lines == ["Python\tO\tB\n", "and\tO\tO\n", "SQL\tB\tO\n", "\n"]


def test_teach_names_a_base_that_holds_no_model(tmp_path):
    r = CliRunner().invoke(app, ["nlp", "teach", str(tmp_path / "teacher"), "--base", str(tmp_path)])
    assert r.exit_code == 2
    assert "no config.json" in r.output and not (tmp_path / "teacher").exists()


def test_teach_then_label_then_train(tmp_path, shared_data):
    spans = shared_data / "labelled" / "skillspan"
    out = tmp_path / "teacher"
    r = CliRunner().invoke(
        app,
        [
            "nlp",
            "teach",
            str(out),
            "--epochs",
            "1",
            "--max-steps",
            "3",
            "--limit",
            "24",
            "--threads",
            "1",
            "--base",
            str(teacher.base_model_dir()),
        ],
    )
    assert r.exit_code == 0, r.output + repr(r.exception)
    assert (out / "config.json").exists() and (out / "tokenizer.json").exists()
    assert "dev strict / loose F1" in r.output

    sentences = [s.tokens for s in read_conll(spans / "skillspan_tech_train.conll")[:30]]
    silver = tmp_path / "silver.conll.gz"
    stats = teacher.label_silver([out, out], silver, sentences=sentences, threads=1)
    back = read_conll(silver)
    assert [s.tokens for s in back] == sentences  # every word kept, in order, gzip read back
    assert stats["sentences"] == 30 and stats["words"] == sum(map(len, sentences))
    assert stats["spans"] == sum(len({(a, b) for a, b, _ in s.spans}) for s in back)

    model = tmp_path / "model"
    r = CliRunner().invoke(
        app,
        [
            "nlp",
            "train",
            "--train",
            str(spans / "skillspan_tech_train.conll"),
            "--silver",
            str(silver),
            "--dev",
            str(spans / "skillspan_tech_dev.conll"),
            "--output",
            str(model),
            "--max-steps",
            "4",
            "--eval-frequency",
            "2",
            "--limit",
            "20",
        ],
    )
    assert r.exit_code == 0, r.output + repr(r.exception)
    assert (model / "ner").is_dir()


def test_shipped_silver_is_read_by_default_training():
    sents = read_conll(SILVER_PATH)
    assert len(sents) > 10_000
    n_spans = sum(len(s.spans) for s in sents)
    assert n_spans > 20_000  # the teachers mark skills: silver is no empty file
    assert DEFAULT_SILVER == [SILVER_PATH]
