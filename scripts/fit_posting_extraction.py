"""Choose the occupation-prior weight and the list-item threshold on the tune split of the posting set.

    python scripts/fit_posting_extraction.py [--write]
    python scripts/fit_posting_extraction.py --clauses [--write]

For every pair of (``occupation`` weight in nlp/config/linking.json, ``item_threshold`` in
nlp/config/extractor.json) on a small grid, the extractor runs over the tune postings of
nlp/eval/postings.jsonl with each posting's occupation coded from its title, as the worker does; concept
recall and precision are scored as ``skillpulse nlp evaluate-concepts`` does, and the calibration of the
linked mentions' scores as their expected calibration error (ECE: five score bins, |mean score - share right|
weighted by the bin's mentions; right = the concept is expected or acceptable in the posting). The pair with
the best F1 among those whose ECE is within ECE_SLACK of the extractor without either (weight 0, items off) is
printed and, with --write, stored: a higher weight buys recall by making the occupation's concepts look
surer than they are, and a score must keep meaning what it says. The test split is never read.

``--clauses``: with the weight and the item threshold as nlp/config/ extractor.json and linking.json hold
them, choose ``clause_threshold`` (verb clauses linked whole, ``nlp.clause_links``) over CLAUSE_THRESHOLDS by
the same rule (best F1 whose ECE is within ECE_SLACK of clauses off).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OCCUPATION_WEIGHTS = (0.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0)
ITEM_THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 1.1)  # 1.1: list items off
CLAUSE_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.1)  # 1.1: clause linking off
ECE_SLACK = 0.05
BINS = (0.3, 0.5, 0.7, 0.8, 0.9, 1.01)


def calibration_error(scores: list[float], right: list[bool]) -> float:
    """Expected calibration error of linked mentions' scores over BINS."""
    total, n = 0.0, len(scores)
    for lo, hi in zip(BINS, BINS[1:], strict=False):
        pairs = [(s, r) for s, r in zip(scores, right, strict=True) if lo <= s < hi]
        if pairs:
            mean = sum(s for s, _ in pairs) / len(pairs)
            share = sum(r for _, r in pairs) / len(pairs)
            total += len(pairs) * abs(mean - share)
    return total / n if n else 0.0


def run(extractor, gold, socs) -> tuple[float, float, float, float]:
    """(F1, recall, precision, ECE) of the extractor as it is set now, on the given postings."""
    from nlp.concepts_eval import Tally, score_posting

    total, scores, right = Tally(), [], []
    found = extractor.extract_many([p.text for p in gold], occupations=socs)
    for posting, mentions in zip(gold, found, strict=True):
        linked = [m for m in mentions if m.concept is not None]
        total.add(score_posting(posting, {m.concept.id: m.concept.label for m in linked}))
        scores += [m.score for m in linked]
        right += [m.concept.id in posting.allowed for m in linked]
    s = total.scores()
    f1 = 2 * s["recall"] * s["precision"] / ((s["recall"] + s["precision"]) or 1)
    return round(f1, 4), s["recall"], s["precision"], calibration_error(scores, right)


def fit_clauses(write: bool) -> int:
    from nlp.concepts_eval import posting_occupations
    from nlp.pipeline import get_extractor
    from nlp.postings_gold import load_postings_gold, split_of
    from nlp.version import SETTINGS_FILE

    gold = [p for p in load_postings_gold() if split_of(p.id) == "tune"]
    socs = posting_occupations(gold, "title")
    extractor = get_extractor()
    results = []
    for t in CLAUSE_THRESHOLDS:
        extractor.settings["clause_threshold"] = t
        f1, recall, precision, ece = run(extractor, gold, socs)
        results.append((f1, t, recall, precision, ece))
        print(
            f"clause_threshold={t:<4} recall={recall:.3f} precision={precision:.3f} f1={f1:.3f} ece={ece:.3f}"
        )
    baseline = next(r[4] for r in results if r[1] > 1.0)
    f1, t, recall, precision, ece = max(r for r in results if r[4] <= baseline + ECE_SLACK)
    print(
        f"best: clause_threshold={t} (tune recall {recall:.3f}, precision {precision:.3f}, ECE {ece:.3f}; "
        f"off {baseline:.3f})"
    )
    if write:
        settings = json.loads(SETTINGS_FILE.read_text(encoding="utf-8"))
        settings["clause_threshold"] = t
        SETTINGS_FILE.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--clauses", action="store_true", help="choose clause_threshold only")
    args = parser.parse_args()
    if args.clauses:
        return fit_clauses(args.write)

    from nlp import meaning
    from nlp.concepts_eval import Tally, posting_occupations, score_posting
    from nlp.linker import get_linker
    from nlp.pipeline import get_extractor
    from nlp.postings_gold import load_postings_gold, split_of
    from nlp.version import SETTINGS_FILE

    gold = [p for p in load_postings_gold() if split_of(p.id) == "tune"]
    socs = posting_occupations(gold, "title")
    extractor, weights = get_extractor(), meaning.weights()
    results = []
    for w in OCCUPATION_WEIGHTS:
        for t in ITEM_THRESHOLDS:
            weights["occupation"] = w  # this process only
            extractor.settings["item_threshold"] = t
            get_linker()._link.cache_clear()
            total, scores, right = Tally(), [], []
            found = extractor.extract_many([p.text for p in gold], occupations=socs)
            for posting, mentions in zip(gold, found, strict=True):
                linked = [m for m in mentions if m.concept is not None]
                total.add(score_posting(posting, {m.concept.id: m.concept.label for m in linked}))
                allowed = posting.allowed
                scores += [m.score for m in linked]
                right += [m.concept.id in allowed for m in linked]
            s = total.scores()
            f1 = 2 * s["recall"] * s["precision"] / ((s["recall"] + s["precision"]) or 1)
            ece = calibration_error(scores, right)
            results.append((round(f1, 4), w, t, s["recall"], s["precision"], ece))
            print(
                f"occupation={w:<4} item_threshold={t:<4} recall={s['recall']:.3f} "
                f"precision={s['precision']:.3f} f1={f1:.3f} ece={ece:.3f}",
                flush=True,
            )
    baseline = next(r[5] for r in results if r[1] == 0.0 and r[2] > 1.0)
    eligible = [r for r in results if r[5] <= baseline + ECE_SLACK]
    f1, w, t, recall, precision, ece = max(eligible)
    print(
        f"best: occupation={w} item_threshold={t} (tune recall {recall:.3f}, precision {precision:.3f}, "
        f"ECE {ece:.3f}; without either {baseline:.3f})"
    )
    if args.write:
        linking = json.loads(meaning.WEIGHTS_FILE.read_text(encoding="utf-8"))
        linking["occupation"] = w
        linking["occupation_fitted_on"] = (
            "python scripts/fit_posting_extraction.py --write "
            "(tune split: the best F1 whose ECE is within 0.05 of neither's)"
        )
        meaning.WEIGHTS_FILE.write_text(json.dumps(linking, indent=2) + "\n", encoding="utf-8")
        settings = json.loads(SETTINGS_FILE.read_text(encoding="utf-8"))
        settings["item_threshold"] = t
        SETTINGS_FILE.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
