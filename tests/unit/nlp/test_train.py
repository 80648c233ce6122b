"""The training command must not rot: train a few steps on a tiny slice and load the result."""

from typer.testing import CliRunner

from nlp.cli import app


def test_train_a_few_steps(tmp_path, shared_data):
    spans = shared_data / "labelled" / "skillspan"
    out = tmp_path / "model"
    r = CliRunner().invoke(
        app,
        [
            "train",
            "--train",
            str(spans / "skillspan_house_train.conll"),
            "--dev",
            str(spans / "skillspan_house_dev.conll"),
            "--partial",
            str(shared_data / "labelled" / "sayfullina2018" / "sayfullina_train.conll"),
            "--output",
            str(out),
            "--max-steps",
            "6",
            "--eval-frequency",
            "3",
            "--limit",
            "40",
        ],
    )
    assert r.exit_code == 0, r.output + repr(r.exception)
    assert (out / "meta.json").exists() and (out / "ner").is_dir()

    from nlp.pipeline import Extractor

    ex = Extractor(out)
    assert ex.has_model
    text = "Experience with Python required."
    for m in ex.extract(text):
        assert text[m.start : m.end] == m.text
