"""Benchmark: extract_many words per second on one core.

    python bench/bench_extract.py [--files F.conll ...] [--repeat 3] [--batch-size 64] [--json]

Text: SkillSpan dev sentences grouped into posting-sized texts (about 20 sentences each) when the shared
data is present, else generated posting-like text. Reported words are whitespace-separated words.
The best of the passes reads with the per-process link caches warm (every phrase seen before); the first pass
(``first_pass_words_per_second``) is the one a worker sees on postings it has not read yet.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from nlp.reference import REFERENCE_DATA  # noqa: E402 - after the path

DEV = [
    REFERENCE_DATA / "labelled/skillspan/skillspan_house_dev.conll",
    REFERENCE_DATA / "labelled/skillspan/skillspan_tech_dev.conll",
]


def load_texts(files: list[Path], per_text: int = 20) -> list[str]:
    from nlp.conll import read_conll

    sents = [" ".join(s.tokens) for f in files for s in read_conll(f)]
    return ["\n".join(sents[i : i + per_text]) for i in range(0, len(sents), per_text)]


def generated_texts(n: int = 200, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    skills = [
        "Python",
        "SQL",
        "project management",
        "communication skills",
        "Kubernetes",
        "customer service",
        "data analysis",
        "Java",
        "teamwork",
        "problem solving",
        "AWS",
        "Excel",
        "agile methods",
    ]
    lines = [
        "We are looking for a {t} engineer with experience in {a} and {b}.",
        "You have strong {a} skills and a solid understanding of {b}.",
        "Nice to have: {a}, {b}.",
        "Must have at least 3 years of {a}.",
        "Our team builds great products for customers across the world and values {a}.",
    ]
    return [
        "\n".join(
            rng.choice(lines).format(
                t=rng.choice(["software", "data", "QA"]), a=rng.choice(skills), b=rng.choice(skills)
            )
            for _ in range(25)
        )
        for _ in range(n)
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", nargs="*", type=Path, default=DEV)
    ap.add_argument("--repeat", type=int, default=3, help="timed passes (the best is reported)")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    from nlp import extract_many, get_extractor

    files = [f for f in args.files if f.exists()]
    texts = load_texts(files) if files else generated_texts()
    source = "skillspan-dev" if files else "generated"
    words = sum(len(t.split()) for t in texts)
    ex = get_extractor()
    extract_many(texts[:5])  # warm-up: load model, taxonomy, linker
    best = float("inf")
    passes = []
    n_mentions = 0
    for _ in range(max(1, args.repeat)):
        t0 = time.process_time()
        res = extract_many(texts, batch_size=args.batch_size, n_process=1)
        passes.append(time.process_time() - t0)
        best = min(best, passes[-1])
        n_mentions = sum(len(r) for r in res)
    wps = words / best if best > 0 else 0.0
    first = words / passes[0] if passes[0] > 0 else 0.0
    out = {
        "words_per_second": round(wps),
        "first_pass_words_per_second": round(first),
        "words": words,
        "texts": len(texts),
        "mentions": n_mentions,
        "cpu_seconds": round(best, 3),
        "source": source,
        "extractor_version": ex.version,
        "cores": 1,
    }
    if args.json:
        print(json.dumps(out))
    else:
        print(
            f"extract_many: {wps:,.0f} words/s on one core (first pass {first:,.0f}; {words} words, "
            f"{len(texts)} texts, "
            f"{n_mentions} mentions, {best:.2f} CPU s, {source}, {ex.version})"
        )


if __name__ == "__main__":
    main()
