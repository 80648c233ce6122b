"""Choice options as typed in the survey editor: a line each, values made from labels or given."""

from __future__ import annotations

from service.dashboard.choice_options import options_text, parse_options


def test_lines_become_options_with_values_made_from_their_labels():
    assert parse_options("AWS\n\n  Microsoft   Azure \ngcp | Google Cloud\n") == [
        {"value": "aws", "label": "AWS"},
        {"value": "microsoft_azure", "label": "Microsoft Azure"},
        {"value": "gcp", "label": "Google Cloud"},
    ]


def test_labels_without_letters_or_clashing_values_still_get_distinct_values():
    assert parse_options("C++\nC#\n日本語") == [
        {"value": "c", "label": "C++"},
        {"value": "c_2", "label": "C#"},
        {"value": "option_3", "label": "日本語"},
    ]


def test_the_same_label_twice_keeps_one_value_so_the_survey_refuses_it():
    assert [o["value"] for o in parse_options("Yes\nYes")] == ["yes", "yes"]


def test_editing_keeps_the_stored_value_of_an_unchanged_label():
    stored = [{"value": "opt_1", "label": "Small"}, {"value": "opt_2", "label": "Large"}]
    assert parse_options("Large\nMedium\nSmall", stored) == [
        {"value": "opt_2", "label": "Large"},
        {"value": "medium", "label": "Medium"},
        {"value": "opt_1", "label": "Small"},
    ]


def test_the_textarea_shows_values_only_where_they_are_not_made_from_the_label():
    stored = [{"value": "aws", "label": "AWS"}, {"value": "gcp", "label": "Google Cloud"}]
    assert options_text(stored) == "AWS\ngcp | Google Cloud"
    assert parse_options(options_text(stored)) == stored
