"""The program-review report of a credential: its HTML sections with the seeded numbers, the PDF read back,
another organisation's credential, and the equity lens beside the survey's splits."""

from __future__ import annotations

import io
import re

import anyio.to_thread
import pypdf
import pytest

from tests.integration.test_credentials_cli import run as run_cli
from tests.support.report_data import CTID, seed_report

HTML = {"accept": "text/html"}


def text_of(html: str) -> str:
    """The page's words, tags dropped and spaces folded (what a reader sees)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").split())


async def _resolve(api, alert_id: int, note: str) -> None:  # noqa: ANN001
    resolved = await api.patch(f"/api/v1/alerts/{alert_id}", json={"status": "resolved", "note": note})
    assert resolved.status_code == 200, resolved.text


async def test_report_html_has_every_section_with_the_seeded_numbers(app, api, tenant):
    seed = await seed_report(app, tenant)
    await _resolve(api, seed.closed_alert_id, "Bash stays in the second term <script>x</script>")
    page = await api.get(f"/app/credentials/{seed.credential_id}/report", headers=HTML)
    assert page.status_code == 200, page.text[:500]
    assert page.headers["content-type"].startswith("text/html")
    assert "<script" not in page.text  # print-ready, no JavaScript needed; stored text escaped
    assert "&lt;script&gt;x&lt;/script&gt;" in page.text
    words = text_of(page.text)
    # header: title, code, occupation, region
    assert "Cloud Support Certificate" in words and CTID in words
    assert "15-1232.00" in words and "Cleveland-Elyria metro (cbsa:17410)" in words
    # 15 postings count in the region: 6 Cuyahoga + 4 Lorain + 2 Lake + 3 remote (Columbus is outside)
    assert "of what 15 postings ask for" in words
    # coverage: Linux 15 (covered), Kubernetes 6 (not), Python 4 (covered): 19 / 25 = 76%
    assert "covers 76% of what 15 postings ask for" in words
    assert "24% of that demand is not covered, in 1 skill" in words
    assert "Kubernetes: asked for by 6 postings (40%), required in 6" in words
    # the trend chart (inline SVG) and its table
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page.text
    assert "Share of postings asking for each skill, per month" in words
    # the equity lens: counties of the metro, the small one suppressed, remote postings apart
    assert "Cuyahoga County, OH 6 40%" in words
    assert "Lorain County, OH 4 27%" in words
    assert "Lake County, OH fewer than 3 postings: not shown" in words
    assert "Not placed in a county 3 20%" in words
    assert "Franklin County" not in words
    assert "Cleveland, OH (metropolitan) 12 80%" in words
    # the survey: shares with their intervals, the employer's quote, the split
    assert "Advisory survey (closed): 4 respondents of 4 invited" in words
    assert "Administer Linux servers 75% 30%–95% 4" in words  # 3 of 4: Wilson 95% interval
    assert "Write Python scripts 50% 15%–85% 4" in words
    assert "Our new hires need Kubernetes from day one" in words
    assert "By employer size Group Respondents Ratings essential or important" in words
    assert "Fewer than 50 3 67%" in words
    assert "250 or more fewer than 3 respondents: not shown" in words
    # alerts with the decisions taken
    assert "Open alerts (1)" in words and "Employers ask for Kubernetes" in words
    assert "Resolved and dismissed alerts (1)" in words
    decision = r"open → resolved by \S+@\S+: “Bash stays in the second term &lt;script&gt;x&lt;/script&gt;”"
    assert re.search(decision, words), words
    # the data window and sources
    assert "Ohio Means Jobs 6" in words and "Greenhouse: Acme 9" in words
    assert "Advisory survey closed 4" in words
    # the page links its print stylesheet, which is served
    style = await api.get("/app/report.css")
    assert style.status_code == 200 and "@media print" in style.text


async def test_credential_page_links_to_the_report_and_shows_the_equity_lens(app, api, tenant):
    seed = await seed_report(app, tenant)
    page = await api.get(f"/app/credentials/{seed.credential_id}", headers=HTML)
    assert page.status_code == 200
    assert f'href="/app/credentials/{seed.credential_id}/report"' in page.text
    words = text_of(page.text)
    # postings by county and by metro within the region, the top concepts' shares in each
    assert "Postings by county County Postings Share Linux Kubernetes Python" in words
    assert "Cuyahoga County, OH 6 40% 100% 100% 0%" in words
    assert "Lorain County, OH 4 27% 100% 0% 100%" in words
    assert "Lake County, OH fewer than 3 postings: not shown" in words
    assert "Cleveland, OH (metropolitan) 12 80% 100% 50% 33%" in words
    # beside the survey's split by employer size: 3 small employers shown, the single large one withheld
    assert "Survey “Advisory survey” by employer size" in words
    assert "Fewer than 50 3 67%" in words  # 4 of 6 ratings essential or important
    assert "250 or more too few to show" in words


async def test_alignment_api_splits_demand_by_county_and_metro(app, api, other_api, tenant):
    seed = await seed_report(app, tenant)
    url = f"/api/v1/credentials/{seed.credential_id}/alignment"
    plain = (await api.get(url)).json()
    assert plain["split"] is None and plain["postings"] == 15
    county = (await api.get(url, params={"split": "county"})).json()["split"]
    assert county["kind"] == "county" and county["region"] == ["cbsa:17410"] and county["postings"] == 15
    assert county["suppressed_below"] == 3
    assert [c["label"] for c in county["concepts"]] == ["Linux", "Kubernetes", "Python"]
    groups = {g["code"]: g for g in county["groups"]}
    assert set(groups) == {"39035", "39093", "39085", "outside"}  # Franklin (Columbus) is outside the region
    assert groups["39035"]["postings"] == 6 and groups["39035"]["share"] == 0.4
    k8s = county["concepts"][1]["concept_id"]
    assert groups["39035"]["concepts"][k8s] == 1.0 and groups["39093"]["concepts"][k8s] == 0.0
    assert groups["39085"] == {
        "code": "39085",
        "label": "Lake County, OH",
        "suppressed": True,
        "postings": None,
        "share": None,
        "concepts": {},
    }
    assert groups["outside"]["postings"] == 3
    cbsa = (await api.get(url, params={"split": "cbsa"})).json()["split"]
    assert [(g["code"], g["postings"]) for g in cbsa["groups"]] == [("17410", 12), ("outside", 3)]
    bad = await api.get(url, params={"split": "zip"})
    assert bad.status_code == 400 and "split 'zip' is not one of: county, cbsa" in bad.json()["detail"]
    assert (await other_api.get(url, params={"split": "county"})).status_code == 404


async def test_report_pdf_reads_back_with_the_chart_and_tables(app, api, tenant):
    seed = await seed_report(app, tenant)
    response = await api.get(f"/app/credentials/{seed.credential_id}/report.pdf")
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/pdf"
    assert "program-review-cloud-support-certificate-" in response.headers["content-disposition"]
    assert response.content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Cloud Support Certificate" in text and CTID in text
    assert "Demand trend" in text and "Coverage of demand" in text
    assert "Kubernetes" in text and "Linux" in text
    months = re.findall(r"\d{4}-\d{2}", text)
    assert len(months) >= 12  # the chart's axis labels and the table's rows
    assert "Cuyahoga County, OH" in text and "Ohio Means Jobs" in text


async def test_pdf_without_chromium_is_a_503_that_says_so(app, api, tenant, monkeypatch):
    seed = await seed_report(app, tenant)
    monkeypatch.setenv("PATH", "/nonexistent")
    response = await api.get(f"/app/credentials/{seed.credential_id}/report.pdf")
    assert response.status_code == 503
    assert "Chromium" in response.json()["detail"]


@pytest.mark.parametrize("suffix", ["report", "report.pdf"])
async def test_report_of_another_organisation_or_unknown_is_not_found(app, api, other_tenant, suffix):
    seed = await seed_report(app, other_tenant)
    assert (await api.get(f"/app/credentials/{seed.credential_id}/{suffix}")).status_code == 404
    assert (await api.get(f"/app/credentials/987654/{suffix}")).status_code == 404


async def test_cli_writes_the_pdf_and_the_html(app, tenant, other_tenant, database_url, tmp_path):
    seed = await seed_report(app, tenant)
    pdf_file, html_file = tmp_path / "review.pdf", tmp_path / "review.html"
    args = ("credentials", "report", str(seed.credential_id), "--org", tenant.name)
    wrote = await anyio.to_thread.run_sync(lambda: run_cli(database_url, *args, "--out", str(pdf_file)))
    assert wrote.returncode == 0, wrote.stderr
    assert "wrote the PDF report" in wrote.stderr
    reader = pypdf.PdfReader(pdf_file)
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Cloud Support Certificate" in text and "Kubernetes" in text and "Ohio Means Jobs" in text
    wrote = await anyio.to_thread.run_sync(lambda: run_cli(database_url, *args, "--out", str(html_file)))
    assert wrote.returncode == 0, wrote.stderr
    words = text_of(html_file.read_text(encoding="utf-8"))
    assert "covers 76% of what 15 postings ask for" in words and "@media print" in html_file.read_text()
    # another organisation's credential: named as not found, nothing written
    other = tmp_path / "other.pdf"
    refused = await anyio.to_thread.run_sync(
        lambda: run_cli(
            database_url,
            "credentials",
            "report",
            str(seed.credential_id),
            "--org",
            other_tenant.name,
            "--out",
            str(other),
        )
    )
    assert refused.returncode == 1 and f"credential {seed.credential_id} not found" in refused.stderr
    assert not other.exists()
