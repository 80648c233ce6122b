"""Why a drift run resolved an alert, in plain words; which kinds a run could judge."""

from datetime import date

from service.demand.alert_resolution import RunContext, judged_kinds, resolution_reason

CTX = RunContext(run_id=12, as_of=date(2025, 4, 1), credential_name="Cloud Certificate")


def _with(**kw) -> RunContext:  # noqa: ANN003
    return RunContext(
        **{"run_id": 12, "as_of": date(2025, 4, 1), "credential_name": "Cloud Certificate", **kw}
    )


def test_every_reason_names_the_run_and_its_date():
    note = resolution_reason("emerging_skill", {"concept": {"label": "Docker"}}, CTX)
    assert note.startswith("Resolved by drift run 12 (postings and answers up to 2025-04-01): ")
    assert note.endswith("employers no longer ask for \u201cDocker\u201d significantly more than before.")


def test_an_emerging_skill_now_covered_says_so():
    note = resolution_reason("emerging_skill", {"concept": {"label": "Docker"}}, _with(covered=True))
    assert "Cloud Certificate now covers \u201cDocker\u201d." in note


def test_a_fading_competency_gone_from_the_credential_or_no_longer_falling():
    evidence = {"competency": {"id": 3, "text": "Configure routers"}}
    assert "no longer a competency of Cloud Certificate" in resolution_reason(
        "fading_competency", evidence, _with(competency_live=False)
    )
    assert "demand for \u201cConfigure routers\u201d no longer falls significantly" in resolution_reason(
        "fading_competency", evidence, CTX
    )


def test_a_coverage_drop_states_the_coverage_now_and_before():
    note = resolution_reason("coverage_drop", {}, _with(coverage={"baseline": 0.81, "current": 0.78}))
    assert "no longer fell enough to alert (now 78%, against 81% before)." in note
    assert resolution_reason("coverage_drop", {}, CTX).endswith("no longer fell enough to alert.")


def test_survey_gaps_by_their_signal():
    low = {"signal": "low_rating", "competency": {"text": "Soldering"}}
    assert "rate \u201cSoldering\u201d as low importance" in resolution_reason("survey_gap", low, CTX)
    named = {"signal": "named_missing", "concept": {"label": "Kubernetes"}}
    assert "too few employers now name \u201cKubernetes\u201d as missing" in resolution_reason(
        "survey_gap", named, CTX
    )
    assert "now covers \u201cKubernetes\u201d" in resolution_reason("survey_gap", named, _with(covered=True))


def test_unknown_evidence_still_reads():
    assert "this finding" in resolution_reason("emerging_skill", {}, CTX)


def test_only_what_the_run_could_judge():
    assert judged_kinds({"status": "ok"}, 5) == {"emerging_skill", "fading_competency", "coverage_drop"}
    assert judged_kinds({"status": "insufficient_data", "respondents": 5}, 5) == {"survey_gap"}
    assert judged_kinds({"status": "no_occupations", "respondents": 4}, 5) == set()
    assert judged_kinds({"status": "ok", "respondents": 9}, 5) == {
        "emerging_skill",
        "fading_competency",
        "coverage_drop",
        "survey_gap",
    }
