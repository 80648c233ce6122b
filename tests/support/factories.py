"""Test data made through the project's own services (the same code the CLI and API use)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from litestar import Litestar

from service.auth.services import create_user, get_or_create_org, issue_token
from service.db import session_scope


@dataclass
class Tenant:
    org_id: int
    name: str
    admin_token: str
    designer_token: str
    viewer_token: str
    admin_email: str
    designer_email: str
    password: str = "correct-horse-battery"


async def make_tenant(app: Litestar) -> Tenant:
    suffix = uuid.uuid4().hex[:10]
    tokens: dict[str, str] = {}
    emails: dict[str, str] = {}
    async with session_scope(app.state.engine) as session:
        org, _ = await get_or_create_org(session, f"Org {suffix}")
        for role in ("admin", "designer", "viewer"):
            email = f"{role}-{suffix}@example.org"
            user = await create_user(session, org, email, role, password="correct-horse-battery")
            tokens[role] = (await issue_token(session, user, name="test")).token
            emails[role] = email
    return Tenant(
        org_id=org.id,
        name=org.name,
        admin_token=tokens["admin"],
        designer_token=tokens["designer"],
        viewer_token=tokens["viewer"],
        admin_email=emails["admin"],
        designer_email=emails["designer"],
    )
