"""`skillpulse serve --demo`: a ready-to-explore organisation on first start; later starts reuse it."""

from __future__ import annotations

from rich.console import Console
from sqlalchemy import select

from service.auth.models import User
from service.auth.services import create_user, get_or_create_org, issue_token
from service.db import create_engine, session_scope
from service.settings import Settings

DEMO_ORG = "Demo College"
DEMO_EMAIL = "demo@skillpulse.example"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - a published demo login, only for --demo


async def load_demo(settings: Settings, base_url: str, console: Console) -> None:
    engine = create_engine(settings)
    try:
        async with session_scope(engine) as session:
            user = (await session.execute(select(User).where(User.email == DEMO_EMAIL))).scalar_one_or_none()
            token_line = ""
            if user is None:
                console.print("demo: creating the demo organisation and login…")
                org, _ = await get_or_create_org(session, DEMO_ORG)
                user = await create_user(session, org, DEMO_EMAIL, "admin", DEMO_PASSWORD, "Demo Designer")
                token_line = f"  API token:  {(await issue_token(session, user, 'demo')).token}\n"
            else:
                console.print("demo: reusing the demo data already in the database")
        console.print(
            f"\n[bold]skillpulse demo[/bold]\n  Dashboard:  {base_url}/app/\n"
            f"  Sign in:    {DEMO_EMAIL} / {DEMO_PASSWORD}\n{token_line}  API docs:   {base_url}/schema\n"
        )
    finally:
        await engine.dispose()
