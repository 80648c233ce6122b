"""Scheduled work of surveys: flush the mail outbox, release reminders, read open answers for skills.

`register(scheduler, app)` is listed in the service's JOB_REGISTRARS; each firing runs once across replicas
(the scheduler's claim row), and each job is safe to run twice anyway (SKIP LOCKED, leases).
"""

from __future__ import annotations

from typing import Any

from surveys.extraction import extract_all_pending
from surveys.outbox import FlushResult, flush_outbox
from surveys.reminders import release_reminders
from surveys.settings import SmtpSettings, SurveySettings


def register(scheduler: Any, app: Any) -> None:
    settings = app.state.settings
    smtp: SmtpSettings = getattr(settings, "smtp", None) or SmtpSettings()
    surveys: SurveySettings = getattr(settings, "surveys", None) or SurveySettings()
    maker = app.state.sessionmaker
    sealer = app.state.keyring  # completes the personal links of queued mail at send time

    async def send_mail() -> FlushResult:
        return await flush_outbox(maker, smtp, sealer)

    async def remind() -> dict[str, int]:
        released = await release_reminders(maker)
        flushed = await flush_outbox(maker, smtp, sealer)
        return {"reminders released": released, "sent": flushed.sent, "failed": flushed.failed}

    async def read_open_answers() -> dict[str, int]:
        read = await extract_all_pending(maker, app.state.nlp, max_attempts=surveys.extraction_max_attempts)
        return {"responses read": read}

    scheduler.add_interval("surveys.outbox", smtp.send_interval_seconds, send_mail)
    scheduler.add_cron("surveys.reminders", surveys.reminder_cron, remind)
    scheduler.add_interval("surveys.extraction", surveys.extraction_interval_seconds, read_open_answers)
