"""Scheduled work of surveys: flush the mail outbox, release reminders, read open answers for skills.

`register(scheduler, app)` is listed in the service's JOB_REGISTRARS; each firing runs once across replicas
(the scheduler's claim row), and each job is safe to run twice anyway (SKIP LOCKED, leases).
"""

from __future__ import annotations

from typing import Any

from surveys.extraction import extract_all_pending
from surveys.outbox import flush_outbox
from surveys.reminders import release_reminders
from surveys.settings import SmtpSettings, SurveySettings


def register(scheduler: Any, app: Any) -> None:
    settings = app.state.settings
    smtp: SmtpSettings = getattr(settings, "smtp", None) or SmtpSettings()
    surveys: SurveySettings = getattr(settings, "surveys", None) or SurveySettings()
    maker = app.state.sessionmaker
    sealer = app.state.keyring  # completes the personal links of queued mail at send time

    async def send_mail() -> None:
        await flush_outbox(maker, smtp, sealer)

    async def remind() -> None:
        await release_reminders(maker)
        await flush_outbox(maker, smtp, sealer)

    async def read_open_answers() -> None:
        await extract_all_pending(maker, app.state.nlp, max_attempts=surveys.extraction_max_attempts)

    scheduler.add_interval("surveys.outbox", smtp.send_interval_seconds, send_mail)
    scheduler.add_cron("surveys.reminders", surveys.reminder_cron, remind)
    scheduler.add_interval("surveys.extraction", surveys.extraction_interval_seconds, read_open_answers)
