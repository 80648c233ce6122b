"""The training command must not rot: `skillpulse nlp train` a few steps on a tiny slice and load the result.

Through the service's CLI, as a user runs it: the training commands are mounted on the `nlp` group there
(training/ is never imported at run time), so nlp.cli's app alone does not have them."""

from typer.testing import CliRunner

from service.cli import app


def test_train_a_few_steps(tmp_path, shared_data):
    spans = shared_data / "labelled" / "skillspan"
    out = tmp_path / "model"
    r = CliRunner().invoke(
        app,
        [
            "nlp",
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
