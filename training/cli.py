"""The training commands, mounted under ``skillpulse nlp`` by the service CLI (``register``): the span model
(``train``), its transformer teachers (``teach``, ``label-silver``: the `teacher` extra) and the linking
vectors (``train-embedding``). Nothing imports training/ at run time; torch is imported inside the
commands."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from nlp.reference import REFERENCE_DATA as DATA
from training.spans import GOLD_COPIES, SILVER_PATH


def train(
    train_files: list[Path] = typer.Option(
        [
            DATA / "labelled/skillspan/skillspan_house_train.conll",
            DATA / "labelled/skillspan/skillspan_tech_train.conll",
        ],
        "--train",
        help="Fully labelled (gold) CoNLL training files.",
    ),
    dev_files: list[Path] = typer.Option(
        [
            DATA / "labelled/skillspan/skillspan_house_dev.conll",
            DATA / "labelled/skillspan/skillspan_tech_dev.conll",
        ],
        "--dev",
        help="CoNLL files for model selection only (never trained on).",
    ),
    partial_files: list[Path] = typer.Option(
        [], "--partial", help="Recall-only CoNLL files (e.g. Sayfullina): unlabelled tokens are missing."
    ),
    silver_files: list[Path] = typer.Option(
        [SILVER_PATH], "--silver", help="Teacher-labelled CoNLL files (.gz read as gzip), seen once per pass."
    ),
    no_silver: bool = typer.Option(False, "--no-silver", help="Train on the gold files only."),
    gold_copies: int = typer.Option(
        GOLD_COPIES, help="Times each gold sentence is seen for every silver one."
    ),
    output: Path = typer.Option(None, help="Where to write the model (default: inside the package)."),
    config: Path = typer.Option(None, help="spaCy config (default: nlp/config/ner.cfg)."),
    max_steps: int = typer.Option(0, help="Override training.max_steps (0 = config)."),
    eval_frequency: int = typer.Option(0, help="Override training.eval_frequency (0 = config)."),
    limit: int = typer.Option(0, help="Use only the first N sentences of each split (smoke tests)."),
    seed: int = typer.Option(0, help="Override system.seed (0 = config)."),
) -> None:
    """Train the span model reproducibly (fixed seeds) and write it into the package."""
    from training import spans as training

    ov: dict = {}
    if max_steps:
        ov["training.max_steps"] = max_steps
    if eval_frequency:
        ov["training.eval_frequency"] = eval_frequency
    if seed:
        ov["system.seed"] = seed
    out = training.train(
        train_files,
        dev_files,
        partial_files,
        silver_files=[] if no_silver else silver_files,
        gold_copies=gold_copies,
        output=output or training.MODEL_DIR,
        config=config or training.CONFIG_PATH,
        overrides=ov,
        limit=limit,
    )
    typer.echo(f"model written to {out}")


def teach(
    output: Path = typer.Argument(..., help="Directory for the fine-tuned teacher (best epoch on dev)."),
    seed: int = typer.Option(13, help="Random seed (initial classifier weights, data order)."),
    epochs: int = typer.Option(5, help="Passes over SkillSpan train."),
    learn_rate: float = typer.Option(1e-4, help="AdamW peak learning rate."),
    max_steps: int = typer.Option(0, help="Stop after N updates (0 = all epochs; smoke tests)."),
    limit: int = typer.Option(0, help="Use only the first N train / dev sentences (smoke tests)."),
    threads: int = typer.Option(0, help="torch threads (0 = torch's default)."),
    base: Path = typer.Option(
        None, help="Pre-trained encoder directory (Hugging Face layout; default: the packaged MiniLM-L6)."
    ),
) -> None:
    """Fine-tune a transformer teacher on SkillSpan train (needs the `teacher` extra; training time only)."""
    from training import teacher

    if base is not None and not (base / "config.json").is_file():
        raise typer.BadParameter(
            f"{base} holds no pre-trained model (no config.json); scripts/fetch_mpnet.py DIR fetches one",
            param_hint="--base",
        )

    scores = teacher.fine_tune(
        output,
        seed=seed,
        epochs=epochs,
        learn_rate=learn_rate,
        max_steps=max_steps,
        limit=limit,
        threads=threads,
        base=base,
        report=typer.echo,
    )
    typer.echo(f"teacher written to {output}: dev strict / loose F1 {scores}")


def label_silver(
    teachers: list[Path] = typer.Argument(
        ..., help="Fine-tuned teacher directories (probabilities averaged)."
    ),
    output: Path = typer.Option(SILVER_PATH, help="Silver CoNLL file to write (.gz: gzip)."),
    threads: int = typer.Option(0, help="torch threads (0 = torch's default)."),
) -> None:
    """Label SkillSkape and Sayfullina sentences with the teachers: the span model's silver training data."""
    from training import teacher

    stats = teacher.label_silver(teachers, output, threads=threads, report=typer.echo)
    typer.echo(f"{stats['spans']} spans in {stats['sentences']} sentences written to {output}")


def train_embedding(
    shared: Path = typer.Option(DATA, help="The shared data folder (labelled/, taxonomy/)."),
    epochs: int = typer.Option(8, help="At most this many epochs; the best on SkillSkape dev is kept."),
    seed: int = typer.Option(0),
) -> None:
    """Distil MiniLM to static word-piece vectors, train them on linking pairs (needs the teacher extra)."""
    from training.embedding import train_embedding as run

    typer.echo(json.dumps(run(shared, max_epochs=epochs, seed=seed, log=typer.echo)))


def register(app: typer.Typer) -> None:
    """Add the training commands to `app` (the `skillpulse nlp` group)."""
    app.command()(train)
    app.command()(teach)
    app.command("label-silver")(label_silver)
    app.command("train-embedding")(train_embedding)
