"""Ranking detailed work activities (DWAs) for a statement: the DWA titles' meaning and O*NET's example tasks."""

from __future__ import annotations

import csv

import numpy as np

from nlp import dwa_rank
from nlp.splits import is_eval_occupation
from tests.support.dwa import VITAL_SIGNS
from tests.support.reference import shared


def labels_of(text: str, k: int = 5) -> list[str]:
    return [c.label.lower() for c, _ in dwa_rank.rank_dwas(text, k)]


def test_a_welding_statement_gets_a_welding_activity():
    got = labels_of("Weld components in flat, vertical or overhead positions", 3)
    assert any("weld" in g for g in got), got


def test_a_nursing_statement_gets_vital_signs():
    got = labels_of("Record patients' vital signs", 3)
    assert VITAL_SIGNS & set(got), got


def test_scores_are_probabilities_best_first():
    ranked = dwa_rank.rank_dwas("Inspect brakes, steering and suspension of vehicles", 5)
    assert len(ranked) == 5 and all(c.scheme == "onet-dwa" for c, _ in ranked)
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)
    assert dwa_rank.rank_dwas("   ") == []


def test_example_tasks_vote_for_their_activities():
    """A text nearest an example votes for the example's DWAs: with the votes alone, its DWA ranks first."""
    ranker = dwa_rank.get_ranker()
    ex = dwa_rank.load_exemplars()
    i = next(i for i, ds in enumerate(ex.dwas) if len(ds) == 1)
    alone = dwa_rank.DwaRanker(ex, dwa_rank.Params(k=1, vote_weight=100.0), vectors=ranker.examples)
    vector = ranker.examples[i : i + 1]
    assert alone.rank_vectors(vector, 1)[0][0][0] == ex.dwas[i][0]
    # no examples: the DWA titles' cosine alone, as rank_concepts ranks them
    empty = dwa_rank.DwaRanker(dwa_rank.Exemplars((), ()))
    assert np.allclose(empty.scores(vector), vector @ ranker.labels.T)


def test_the_packaged_examples_hold_no_evaluation_occupation():
    """dwa_exemplars.json.gz is built from the training occupations only: a statement O*NET gives only to
    evaluation occupations is never in it."""
    path = shared("taxonomy", "onet-29.3", "Tasks to DWAs.txt")
    eval_only: set[str] = set()
    train: set[str] = set()
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            text = " ".join(r["Task"].split())
            (eval_only if is_eval_occupation(r["O*NET-SOC Code"]) else train).add(text)
    eval_only -= train
    shipped = set(dwa_rank.load_exemplars().texts)
    assert eval_only and not eval_only & shipped
    assert shipped == train
