"""What the extractor returns, written out mention by mention, to prove a speed-up changed nothing.

    python bench/extract_fingerprint.py --write /tmp/before.jsonl     # on the old code
    python bench/extract_fingerprint.py --compare /tmp/before.jsonl   # on the new code: exit 1 on any change

The texts: the 170 labelled postings of ``nlp/eval/postings.jsonl``, each extracted three ways (with its own
occupation, with none, and through the worker's ``extract_jobs`` with the occupation coded from its title),
and synthetic postings (``demo.synthetic``) through ``extract_jobs``, half of them coded from the title. Every
mention is one line: which text, start, end, text, kind, concept id, score rounded to 1e-6, requirement.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _line(where: str, start, end, text, kind, concept_id, score, requirement) -> str:  # noqa: ANN001, PLR0913
    return json.dumps([where, start, end, text, kind, concept_id, round(float(score), 6), requirement])


def fingerprint(synthetic: int) -> list[str]:
    from demo.synthetic import generate_postings
    from nlp import extract_many
    from nlp.postings_gold import POSTINGS_GOLD_FILE
    from service.postings.extraction import Job, extract_jobs

    gold = [json.loads(x) for x in POSTINGS_GOLD_FILE.read_text(encoding="utf-8").splitlines() if x.strip()]
    texts = [g["text"] for g in gold]
    out: list[str] = []
    for label, socs in (("gold+occ", [g["occupation"] for g in gold]), ("gold", None)):
        for g, mentions in zip(gold, extract_many(texts, occupations=socs), strict=True):
            for m in mentions:
                cid = m.concept.id if m.concept is not None else None
                out.append(
                    _line(f"{label}:{g['id']}", m.start, m.end, m.text, m.kind, cid, m.score, m.requirement)
                )
    jobs = [Job(i, g["title"], g["text"], code_occupation=True) for i, g in enumerate(gold)]
    postings = list(generate_postings(synthetic, seed=11))
    jobs += [
        Job(
            10_000 + i,
            p.title,
            p.text,
            code_occupation=i % 2 == 0,
            occupation=None if i % 2 == 0 else p.occupation,
        )
        for i, p in enumerate(postings)
    ]
    _, outcomes = extract_jobs(jobs)
    for o in outcomes:
        out.append(json.dumps([f"job:{o.posting_id}", "occupation", o.occupation, o.error]))
        for start, end, text, kind, cid, _label, score, requirement in o.mentions:
            out.append(_line(f"job:{o.posting_id}", start, end, text, kind, cid, score, requirement))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="write the fingerprint here")
    group.add_argument("--compare", type=Path, help="compare with a fingerprint written before")
    ap.add_argument("--synthetic", type=int, default=300, help="synthetic postings through extract_jobs")
    args = ap.parse_args()
    lines = fingerprint(args.synthetic)
    if args.write:
        args.write.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(lines)} lines written to {args.write}")
        return
    before = args.compare.read_text(encoding="utf-8").splitlines()
    if before == lines:
        print(f"identical: {len(lines)} lines")
        return
    import difflib

    diff = list(difflib.unified_diff(before, lines, "before", "after", lineterm="", n=0))
    print("\n".join(diff[:60]))
    print(
        f"DIFFERENT: {sum(1 for d in diff if d[:1] in '+-') - 2} changed lines of {len(before)} / {len(lines)}"
    )
    sys.exit(1)


if __name__ == "__main__":
    main()
