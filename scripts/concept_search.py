"""Find taxonomy concept ids by words, for labelling evaluation files (a helper for people, not the service).

    python scripts/concept_search.py "mig welding" "forklift" [-s esco|onet-tools|onet-dwa] [-n 8] [-d]

Each query is matched (rapidfuzz WRatio and token-set ratio) against every preferred and alternative label;
the best concepts are printed with id, scheme, the matched label and (-d) the description.
"""

from __future__ import annotations

import argparse
import re

from rapidfuzz import fuzz, process

from nlp.taxonomy import load_taxonomy, norm_label


def _choices(scheme: str | None) -> tuple[list[str], list[str]]:
    tax = load_taxonomy()
    texts, owners = [], []
    for cid, c in tax.concepts.items():
        if scheme and c.scheme != scheme:
            continue
        for label in tax.labels(cid):
            texts.append(norm_label(label))
            owners.append(cid)
    return texts, owners


def search(query: str, scheme: str | None = None, n: int = 8) -> list[tuple[str, str, float]]:
    """The ``n`` best (concept id, matched label, score) for ``query``, one row per concept."""
    texts, owners = _choices(scheme)
    q = norm_label(query)
    stems = [w[:5] for w in re.findall(r"[a-z0-9+#]+", q)]
    hits = [
        (text, 101.0 - len(text) / 100, i)
        for i, text in enumerate(texts)
        if all(re.search(r"\b" + re.escape(s), text) for s in stems)
    ]
    hits = sorted(hits, key=lambda h: -h[1])[: n * 3]
    long_enough = [t if len(t) * 2 >= len(q) else "" for t in texts]
    hits += process.extract(q, long_enough, scorer=fuzz.WRatio, limit=n * 6)
    best: dict[str, tuple[str, float]] = {}
    for text, score, i in hits:
        cid = owners[i]
        if cid not in best or score > best[cid][1]:
            best[cid] = (text, score)
    ranked = sorted(best.items(), key=lambda kv: -kv[1][1])[:n]
    return [(cid, text, score) for cid, (text, score) in ranked]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("queries", nargs="+")
    ap.add_argument("-s", "--scheme", choices=["esco", "onet-tools", "onet-dwa"])
    ap.add_argument("-n", type=int, default=8)
    ap.add_argument("-d", "--describe", action="store_true")
    args = ap.parse_args()
    tax = load_taxonomy()
    for q in args.queries:
        print(f"## {q}")
        for cid, text, score in search(q, args.scheme, args.n):
            c = tax[cid]
            alt = f" ~ {text}" if text != c.label.lower() else ""
            print(f"  {score:5.1f} {c.scheme:10} {cid}  [{c.label}]{alt}")
            if args.describe and (d := tax.description(cid)):
                print(f"        {d[:160]}")


if __name__ == "__main__":
    main()
