"""Results, splits with suppression, open answers read for skills, and the CSV / XLSX exports."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from service.db import session_scope
from surveys.extraction import extract_all_pending
from surveys.models import SurveyResponse, SurveySkillMention
from surveys.stats import wilson_interval
from tests.support.seeds_surveys import (
    answer_all,
    create_open_survey,
    fresh_survey_rate_limits,  # noqa: F401 - autouse fixture
    invite,
    path_of,
)

PROFILES = [
    # (comp_1, size, sector, region, recognition, hires, missing skills)
    (
        "essential",
        "10-49",
        "54",
        "Franklin County",
        "requires",
        4,
        "Our new hires lack experience writing SQL queries.",
    ),
    (
        "important",
        "10-49",
        "54",
        "franklin  county",
        "prefers",
        2,
        "Python scripting and writing SQL queries",
    ),
    (
        "useful",
        "10-49",
        "62",
        "Franklin County",
        "not_considered",
        0,
        '=HYPERLINK("http://evil.example","x")',
    ),
    ("dont_know", "1000+", "62", "Tiny Village", "unknown", 10, "troubleshooting printers"),
]


@pytest.fixture
async def answered_survey(api, app, tenant, client):  # noqa: ANN001, ANN201
    survey = await create_open_survey(api, app, tenant, competencies=2)
    links = await invite(api, survey["id"], len(PROFILES) + 1)
    first, second = [q["code"] for q in survey["questions"] if q["role"] == "importance"]
    for (comp_1, size, sector, region, recognition, hires, missing), link in zip(
        PROFILES, links, strict=False
    ):
        final = await answer_all(
            client,
            path_of(link["url"]),
            survey,
            choose={
                first: comp_1,
                second: "essential",
                "size": size,
                "sector": sector,
                "region": region,
                "recognition": recognition,
                "expected_hires": str(hires),
                "missing_skills": missing,
                "hiring_roles": "-help desk technician",
                "partnership": ["advisory_board", "internships"],
            },
        )
        assert "Thank you" in final.text
    # the last invitee only starts: a draft never counts
    start = await client.get(path_of(links[-1]["url"]))
    assert start.status_code == 200
    return survey


async def test_results_per_competency_recognition_and_hiring(api, answered_survey):
    results = (await api.get(f"/api/v1/surveys/{answered_survey['id']}/results")).json()
    assert results["respondents"] == 4 and results["invited"] == 5
    comp_1 = results["competencies"][0]
    assert comp_1["answers"] == 4
    assert comp_1["distribution"] == {
        "essential": 1,
        "important": 1,
        "useful": 1,
        "not_needed": 0,
        "dont_know": 1,
    }
    share = comp_1["essential_or_important"]
    assert (share["count"], share["n"]) == (2, 3)
    assert share["interval_95"] == pytest.approx(list(wilson_interval(2, 3)), abs=1e-6)
    recognition = results["recognition"]
    assert recognition["distribution"] == {"requires": 1, "prefers": 1, "not_considered": 1, "unknown": 1}
    assert recognition["requires_or_prefers"]["share"] == 0.5
    assert results["hiring_outlook"]["expected_hires_total"] == 16
    assert results["partnership"]["distribution"] == {
        "advisory_board": 4,
        "internships": 4,
        "work_based_learning": 0,
    }


async def test_splits_hide_groups_under_three(api, answered_survey):
    splits = (await api.get(f"/api/v1/surveys/{answered_survey['id']}/results")).json()["splits"]
    size = {g["group"]: g for g in splits["size"]}
    assert (
        size["10-49"]["respondents"] == 3
        and size["10-49"]["recognition"]["requires_or_prefers"]["count"] == 2
    )
    assert size["1000+"] == {"group": "1000+", "label": "1,000 employees or more", "suppressed": True}
    sector = {g["group"]: g for g in splits["sector"]}
    assert sector["54"]["suppressed"] and sector["62"]["suppressed"]
    assert all("respondents" not in g for g in splits["sector"])
    region = splits["region"]
    assert region[0]["group"] == "franklin county" and region[0]["respondents"] == 3  # spellings merged
    assert "Tiny Village" not in str(region) and region[-1]["suppressed"]


async def test_open_answers_become_skill_mentions_off_the_request_path(api, app, answered_survey):
    before = (await api.get(f"/api/v1/surveys/{answered_survey['id']}/results")).json()
    assert before["missing_skills"] == [] and before["missing_skills_pending"] is True
    done = await extract_all_pending(app.state.sessionmaker, app.state.nlp)
    assert done >= 4
    async with session_scope(app.state.engine) as session:
        statuses = set(
            await session.scalars(
                select(SurveyResponse.extraction_status).where(
                    SurveyResponse.survey_id == answered_survey["id"], SurveyResponse.status == "submitted"
                )
            )
        )
        assert statuses == {"done"}
        mentions = list(
            await session.scalars(
                select(SurveySkillMention).where(SurveySkillMention.survey_id == answered_survey["id"])
            )
        )
    assert mentions and all(m.text for m in mentions)
    after = (await api.get(f"/api/v1/surveys/{answered_survey['id']}/results")).json()
    assert after["missing_skills_pending"] is False
    labels = {c["label"].lower(): c for c in after["missing_skills"]}
    assert any("sql" in label for label in labels), labels
    sql = next(c for label, c in labels.items() if "sql" in label)
    assert sql["count"] == 2 and any("SQL" in q for q in sql["quotes"])
    assert await extract_all_pending(app.state.sessionmaker, app.state.nlp) == 0  # nothing read twice


async def test_csv_and_xlsx_exports_neutralise_formulas(api, answered_survey):
    sid = answered_survey["id"]
    response = await api.get(f"/api/v1/surveys/{sid}/responses.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    head, body = rows[0], rows[1:]
    assert len(body) == 4 and head[:5] == ["response_id", "employer", "name", "language", "submitted_at"]
    missing = head.index("missing_skills")
    assert body[2][missing] == '\'=HYPERLINK("http://evil.example","x")'
    assert body[0][head.index("hiring_roles")] == "'-help desk technician"
    assert body[0][head.index("partnership")] == "advisory_board; internships"
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
    xlsx = await api.get(f"/api/v1/surveys/{sid}/responses.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 5 and values[1][list(values[0]).index("expected_hires")] == 4
    assert all(not (isinstance(v, str) and v.startswith(("=", "+", "-", "@"))) for row in values for v in row)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


async def test_other_organisation_sees_nothing(other_api, answered_survey):
    for suffix in ("results", "responses.csv", "responses.xlsx", "invitations"):
        assert (await other_api.get(f"/api/v1/surveys/{answered_survey['id']}/{suffix}")).status_code == 404
