"""kill -9 of the service (a uvicorn process) in the middle of a burst of survey submissions, then a restart:
every submission the server accepted (200) is stored once with all its answers, the ones cut off are stored
once when the employer's browser sends them again, and nothing is doubled."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from service.db import session_scope
from tests.support.seeds_surveys import answers_for, create_open_survey, path_of

pytestmark = pytest.mark.postgres_only

ROOT = Path(__file__).resolve().parents[2]
LINKS = 160
IN_FLIGHT = 16
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(database_url: str, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLPULSE_")}
    env.update(
        SKILLPULSE_DATABASE_URL=database_url,
        SKILLPULSE_SECRET_KEY="fault-secret-key-0123456789",  # the same after the restart: cookies stay valid
        SKILLPULSE_ENV="test",
        SKILLPULSE_RUN_SCHEDULER="false",
        SKILLPULSE_RUN_WORKER="false",
        SKILLPULSE_LOG_LEVEL="WARNING",
        SKILLPULSE_BASE_URL=f"http://127.0.0.1:{port}",
        SKILLPULSE_SURVEYS_RATE_PER_ADDRESS="100000",
    )
    return subprocess.Popen(  # noqa: S603 - our interpreter, our app
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "service.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stderr=subprocess.DEVNULL,
    )


async def _healthy(base: str, process: subprocess.Popen) -> None:
    async with httpx.AsyncClient() as probe:
        for _ in range(300):
            assert process.poll() is None, f"server exited with {process.returncode}"
            try:
                if (await probe.get(f"{base}/health", timeout=1)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("the server did not become healthy")


async def _one_page_survey(api, app, tenant) -> tuple[dict, list[str]]:  # noqa: ANN001
    survey = await create_open_survey(api, app, tenant, competencies=3, open_it=False)
    for question in survey["questions"]:  # one page: one POST is the final submit
        moved = await api.patch(
            f"/api/v1/surveys/{survey['id']}/questions/{question['id']}", json={"page": 1}
        )
        assert moved.status_code == 200, moved.text
    survey = (await api.post(f"/api/v1/surveys/{survey['id']}/open")).json()
    issued = await api.post(
        f"/api/v1/surveys/{survey['id']}/invitations",
        json={"invitees": [{"employer": f"Employer {i}"} for i in range(LINKS)], "send_email": False},
    )
    return survey, [path_of(item["url"]) for item in issued.json()]


async def _stored(app, survey_id: int) -> tuple[int, int, int]:
    """(submitted responses, invitations with more than one response, answers)."""
    async with session_scope(app.state.engine) as session:
        submitted = await session.scalar(
            text("SELECT count(*) FROM survey_response WHERE survey_id = :s AND status = 'submitted'"),
            {"s": survey_id},
        )
        doubled = await session.scalar(
            text(
                "SELECT count(*) FROM (SELECT invitation_id FROM survey_response WHERE survey_id = :s "
                "GROUP BY invitation_id HAVING count(*) > 1) AS d"
            ),
            {"s": survey_id},
        )
        answers = await session.scalar(
            text(
                "SELECT count(*) FROM survey_answer a JOIN survey_response r ON r.id = a.response_id "
                "WHERE r.survey_id = :s"
            ),
            {"s": survey_id},
        )
    return submitted, doubled, answers


async def test_kill_9_mid_burst_loses_and_doubles_nothing(app, api, tenant, database_url):
    survey, paths = await _one_page_survey(api, app, tenant)
    questions = len(survey["questions"])
    answers = {
        f"q_{code}": value
        for code, value in answers_for([q["code"] for q in survey["questions"]], survey).items()
    }
    port = _port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(database_url, port)
    try:
        await _healthy(base, server)
        async with httpx.AsyncClient(base_url=base, timeout=30) as browser:
            csrf = CSRF.search((await browser.get(paths[0])).text).group(1)
            body = {"_csrf_token": csrf, "page": "1", "lang": "en", "action": "submit", **answers}
            accepted: set[str] = set()
            cut_off: set[str] = set()
            queue = iter(paths)
            killed = asyncio.Event()

            async def employer() -> None:
                for path in queue:
                    try:
                        response = await browser.post(path, data=body)
                    except httpx.TransportError:
                        cut_off.add(path)
                        continue
                    if response.status_code == 200 and "Thank you" in response.text:
                        accepted.add(path)
                        if len(accepted) >= LINKS // 3 and not killed.is_set():
                            killed.set()
                            os.killpg(server.pid, signal.SIGKILL)  # the whole server, mid-burst, no cleanup
                    else:
                        cut_off.add(path)

            await asyncio.gather(*(employer() for _ in range(IN_FLIGHT)))
            server.wait(timeout=30)
            assert killed.is_set() and cut_off, "the kill landed in the middle of the burst"
            submitted, doubled, stored_answers = await _stored(app, survey["id"])
            assert doubled == 0
            assert submitted >= len(accepted), "an accepted submission was lost"
            assert (
                submitted <= len(accepted) + IN_FLIGHT
            )  # at most the requests in flight committed unanswered

            server = _serve(database_url, port)
            await _healthy(base, server)
            retried = {p: (await browser.post(p, data=body)).status_code for p in sorted(cut_off)}
            assert set(retried.values()) <= {200, 404}, (
                retried
            )  # 404: had committed before the kill, then gone
            again = [(await browser.post(p, data=body)).status_code for p in sorted(accepted)[:10]]
            assert set(again) <= {200, 404}
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    submitted, doubled, stored_answers = await _stored(app, survey["id"])
    assert (submitted, doubled, stored_answers) == (LINKS, 0, LINKS * questions)
