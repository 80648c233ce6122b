"""Training the span model: CoNLL → DocBin conversion and a thin wrapper around ``spacy train``.

Reproducible: fixed seeds in the config ([system] seed), deterministic data order, single process.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import nlp as nlp_package
from nlp.conll import non_overlapping, read_conll
from nlp.reference import REFERENCE_DATA

log = logging.getLogger(__name__)

NLP_DIR = Path(nlp_package.__file__).resolve().parent
CONFIG_PATH = NLP_DIR / "config" / "ner.cfg"
MODEL_DIR = NLP_DIR / "model"  # the trained model ships inside nlp/
DEFAULT_DATA = REFERENCE_DATA
DEFAULT_TRAIN = [
    DEFAULT_DATA / "labelled" / "skillspan" / "skillspan_house_train.conll",
    DEFAULT_DATA / "labelled" / "skillspan" / "skillspan_tech_train.conll",
]
# SkillSkape + Sayfullina sentences labelled by the fine-tuned transformer teachers (training/teacher.py),
# kept in the repository beside this module: `skillpulse nlp train` reproduces the model without torch
TRAINING_DIR = Path(__file__).resolve().parent
SILVER_PATH = TRAINING_DIR / "teacher_silver.conll.gz"
DEFAULT_SILVER = [SILVER_PATH]
GOLD_COPIES = 2  # gold sentences are seen twice for every silver one
DEFAULT_DEV = [
    DEFAULT_DATA / "labelled" / "skillspan" / "skillspan_house_dev.conll",
    DEFAULT_DATA / "labelled" / "skillspan" / "skillspan_tech_dev.conll",
]
DEFAULT_PARTIAL: list[Path] = []  # recall-only data (e.g. Sayfullina) — off unless asked


def conll_to_docbin(
    paths: Iterable[str | Path],
    out: str | Path,
    *,
    partial: bool = False,
    limit: int = 0,
    single_label: bool = False,
) -> int:
    """Write gold-tokenised docs with SKILL / KNOWLEDGE entities to ``out`` (.spacy); returns #docs.

    ``single_label``: SKILL and KNOWLEDGE become one label ``SKILL`` (the measure ignores labels; the
    extractor then derives the kind from the linked concept and the phrase's shape).
    ``partial``: the file labels only some phrases (Sayfullina), so tokens outside them are marked *missing*
    rather than *outside*: they teach recall without teaching that everything else is not a skill.
    """
    import spacy
    from spacy.tokens import Doc, DocBin

    vocab = spacy.blank("en").vocab
    db = DocBin(store_user_data=False)
    n = 0
    for path in paths:
        for sent in read_conll(path):
            if limit and n >= limit:
                break
            doc = Doc(vocab, words=sent.tokens)
            spans = [(s, e, "SKILL" if single_label else lab) for s, e, lab in sent.spans]
            ents = [
                doc.char_span(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), label=lab)
                for s, e, lab in non_overlapping(spans)
            ]
            ents = [e for e in ents if e is not None]
            if partial:
                doc.set_ents(ents, default="missing")
            else:
                doc.set_ents(ents, default="outside")
            db.add(doc)
            n += 1
    db.to_disk(out)
    return n


def train(
    train_files: Sequence[str | Path] = tuple(DEFAULT_TRAIN),
    dev_files: Sequence[str | Path] = tuple(DEFAULT_DEV),
    partial_files: Sequence[str | Path] = tuple(DEFAULT_PARTIAL),
    silver_files: Sequence[str | Path] = tuple(DEFAULT_SILVER),
    gold_copies: int = GOLD_COPIES,
    output: str | Path = MODEL_DIR,
    config: str | Path = CONFIG_PATH,
    overrides: dict | None = None,
    limit: int = 0,
    workdir: str | Path | None = None,
    single_label: bool = False,
) -> Path:
    """Train the span model and copy the best checkpoint (by dev ents F) to ``output``.

    Training data: the gold files ``gold_copies`` times, then the silver files (teacher-labelled) once.
    The dev files are used only for model selection (early stopping), never as training data.
    """
    from spacy.cli.train import train as spacy_train

    from nlp import architectures  # noqa: F401  (the config names layers and a component registered there)

    tmp_owned = workdir is None
    work = Path(workdir or tempfile.mkdtemp(prefix="skillpulse-train-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        train_path = work / "train.spacy"
        dev_path = work / "dev.spacy"
        import spacy
        from spacy.tokens import DocBin

        files = [*list(train_files) * max(1, gold_copies), *silver_files]
        n_train = conll_to_docbin(files, train_path, limit=limit, single_label=single_label)
        if partial_files:
            part = work / "partial.spacy"
            conll_to_docbin(partial_files, part, partial=True, limit=limit, single_label=single_label)
            merged = DocBin(store_user_data=False)
            vocab = spacy.blank("en").vocab
            for p in (train_path, part):
                for doc in DocBin().from_disk(p).get_docs(vocab):
                    merged.add(doc)
            merged.to_disk(train_path)
        n_dev = conll_to_docbin(dev_files, dev_path, limit=limit, single_label=single_label)
        log.info("train docs %d, dev docs %d", n_train, n_dev)
        ov = {"paths.train": str(train_path), "paths.dev": str(dev_path)}
        ov.update(overrides or {})
        out_dir = work / "out"
        spacy_train(Path(config), out_dir, overrides=ov, use_gpu=-1)
        best = out_dir / "model-best"
        if not best.exists():
            best = out_dir / "model-last"
        output = Path(output)
        if output.exists():
            shutil.rmtree(output)
        shutil.copytree(best, output)
        return output
    finally:
        if tmp_owned:
            shutil.rmtree(work, ignore_errors=True)
