"""Tenancy by construction (service/tenancy.py): a request's session is scoped to the caller's organisation,
so a query that forgets `org_id` still sees and writes only the caller's rows.

Two organisations each get one row of every table with an `org_id` (made generically from the metadata,
parents first), then an unscoped `select(Model)` runs inside a real request of organisation A (a test-only
route on the real app, with the real auth middleware and request session).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from litestar import get, post
from litestar.params import FromPath, JSONBody
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    Numeric,
    String,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.di import DbSession
from service.app import create_app
from service.auth.models import Organisation
from service.credentials.models import Credential
from service.db import session_scope, sessionmaker
from service.tenancy import ORG_KEY, TenantViolation, scope_session, tenant_models
from tests.support.clients import app_client
from tests.support.factories import make_tenant

MODELS = {model.__tablename__: model for model in tenant_models()}


def _value(column, org_id: int, parents: dict[str, int]):  # noqa: ANN001, ANN202
    """A value for a required column: the org's parent row for a foreign key, else a plausible constant."""
    for fk in column.foreign_keys:
        table = fk.column.table.name
        return org_id if table == "organisation" else parents[table]
    kind = column.type
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer | Numeric | Float):
        return 1
    if isinstance(kind, DateTime):
        return datetime.now(UTC)
    if isinstance(kind, Date):
        return datetime.now(UTC).date()
    if isinstance(kind, JSON):
        return {}
    if isinstance(kind, String | Text):
        length = getattr(kind, "length", None) or 32
        return uuid.uuid4().hex[: min(length, 32)]
    try:
        python = kind.python_type
    except NotImplementedError:
        python = str
    plain = {str: uuid.uuid4().hex[:16], dict: {}, list: [], bytes: b"x", datetime: datetime.now(UTC)}
    return plain.get(python, uuid.uuid4().hex[:8])


async def _one_row_of_every_table(session: AsyncSession, org_id: int) -> dict[str, int]:
    """The id of one new row of every tenant table of `org_id` (parents made first, in the same org)."""
    from sqlmodel import SQLModel

    ids: dict[str, int] = {}
    for table in SQLModel.metadata.sorted_tables:
        if "org_id" not in table.c:
            continue
        values = {}
        for column in table.c:
            generated = (
                column.primary_key and isinstance(column.type, Integer) and len(table.primary_key) == 1
            )
            if (generated and not column.foreign_keys) or column.nullable or column.default is not None:
                continue  # a primary key that is a parent's (a user's preferences) is given like a foreign key
            if column.server_default is not None:
                continue
            values[column.name] = _value(column, org_id, ids)
        values["org_id"] = org_id
        for column in table.c:  # nullable foreign keys too: every parent row is the same organisation's
            if column.foreign_keys and column.name not in values and not column.primary_key:
                target = next(iter(column.foreign_keys)).column.table.name
                if target in ids:
                    values[column.name] = ids[target]
        key = next(iter(table.primary_key.columns))
        result = await session.execute(insert(table).values(values).returning(key))
        ids[table.name] = result.scalar_one()
    return ids


@get("/api/v1/test-only/tenancy/{table:str}", include_in_schema=False, opt={"min_role": "viewer"})
async def unscoped_select(table: FromPath[str], db_session: DbSession) -> dict:
    model = Organisation if table == "organisation" else MODELS[table]
    rows = (await db_session.execute(select(model))).scalars().all()  # no org filter: the session adds it
    orgs = sorted({row.id if model is Organisation else row.org_id for row in rows})
    return {"orgs": orgs, "scoped": db_session.info.get(ORG_KEY)}


@post("/api/v1/test-only/tenancy/move-credential/{credential_id:int}", include_in_schema=False)
async def move_credential(credential_id: FromPath[int], data: JSONBody[dict], db_session: DbSession) -> dict:
    """Write through the request's session: rename another organisation's credential by a bulk UPDATE that
    forgot the org filter, then try to insert a credential for that organisation."""
    renamed = await db_session.execute(
        update(Credential).where(Credential.id == credential_id).values(name="renamed by A")
    )
    try:
        db_session.add(Credential(org_id=data["org_id"], name="planted by A", occupations=[]))
        await db_session.flush()
    except TenantViolation as exc:
        return {"renamed": renamed.rowcount, "refused": str(exc)}
    return {"renamed": renamed.rowcount, "refused": None}


@pytest.fixture(scope="module")
async def tenancy_app(settings):  # noqa: ANN001, ANN201
    app = create_app(settings)
    app.register(unscoped_select)
    app.register(move_credential)
    async with app_client(app) as client:
        yield app, client


@pytest.fixture(scope="module")
async def two_orgs(tenancy_app):  # noqa: ANN001, ANN201
    app, _ = tenancy_app
    a, b = await make_tenant(app), await make_tenant(app)
    async with session_scope(app.state.engine) as session:
        rows_a = await _one_row_of_every_table(session, a.org_id)
        rows_b = await _one_row_of_every_table(session, b.org_id)
    return a, b, rows_a, rows_b


def test_every_table_with_an_org_id_is_a_tenant_model():
    from sqlmodel import SQLModel

    with_org = {t.name for t in SQLModel.metadata.sorted_tables if "org_id" in t.c}
    assert with_org == set(MODELS)
    assert {"credential", "survey", "posting", "alert", "user_account", "api_token"} <= with_org


@pytest.mark.parametrize("table", [*sorted(MODELS), "organisation"])
async def test_an_unscoped_select_in_a_request_returns_only_the_callers_rows(tenancy_app, two_orgs, table):
    _, client = tenancy_app
    a, b, _, _ = two_orgs
    for caller in (a, b):
        response = await client.get(
            f"/api/v1/test-only/tenancy/{table}", headers={"Authorization": f"Bearer {caller.viewer_token}"}
        )
        assert response.status_code == 200, response.text
        assert response.json() == {"orgs": [caller.org_id], "scoped": caller.org_id}


async def test_a_request_cannot_change_or_plant_another_organisations_rows(tenancy_app, two_orgs):
    app, client = tenancy_app
    a, b, _, rows_b = two_orgs
    response = await client.post(
        f"/api/v1/test-only/tenancy/move-credential/{rows_b['credential']}",
        json={"org_id": b.org_id},
        headers={"Authorization": f"Bearer {a.admin_token}"},
    )
    assert response.status_code in (200, 201), response.text
    assert response.json()["renamed"] == 0
    assert response.json()["refused"]
    async with session_scope(app.state.engine) as session:
        credential = await session.get(Credential, rows_b["credential"])
        assert credential.name != "renamed by A"
        planted = await session.execute(select(Credential).where(Credential.name == "planted by A"))
        assert planted.first() is None


async def test_a_scoped_session_refuses_every_kind_of_foreign_write(tenancy_app, two_orgs):
    app, _ = tenancy_app
    a, b, rows_a, rows_b = two_orgs
    maker = sessionmaker(app.state.engine)
    async with maker() as session:
        scope_session(session, a.org_id)
        assert await session.get(Credential, rows_b["credential"]) is None  # not even by primary key
        gone = await session.execute(delete(Credential).where(Credential.id == rows_b["credential"]))
        assert gone.rowcount == 0
        with pytest.raises(TenantViolation):  # an ORM INSERT statement for another organisation
            await session.execute(insert(Credential).values(org_id=b.org_id, name="x", occupations=[]))
        with pytest.raises(TenantViolation):  # moving one's own row to another organisation, in bulk
            await session.execute(
                update(Credential).where(Credential.id == rows_a["credential"]).values(org_id=b.org_id)
            )
        own = await session.get(Credential, rows_a["credential"])
        own.org_id = b.org_id
        with pytest.raises(TenantViolation):  # … or through the unit of work
            await session.flush()
        await session.rollback()
    async with maker() as unscoped:
        foreign = await unscoped.get(Credential, rows_b["credential"])
        unscoped.expunge(foreign)
    async with maker() as session:
        scope_session(session, a.org_id)
        with pytest.raises(TenantViolation):  # an object of B brought into A's session is refused
            await session.merge(foreign)
            await session.flush()
        await session.rollback()
        with pytest.raises(TenantViolation):  # and a session is scoped once
            scope_session(session, b.org_id)
    async with maker() as session:
        scope_session(session, a.org_id)
        session.add(Organisation(name=f"new {uuid.uuid4().hex[:8]}"))
        with pytest.raises(TenantViolation):  # nor may it create an organisation
            await session.flush()
        await session.rollback()


async def test_background_sessions_stay_unscoped(tenancy_app, two_orgs):
    """Jobs, the worker and the CLI act across organisations: their sessions carry no organisation."""
    app, _ = tenancy_app
    a, b, _, _ = two_orgs
    async with session_scope(app.state.engine) as session:
        assert ORG_KEY not in session.info
        orgs = set((await session.execute(select(Credential.org_id))).scalars())
    assert {a.org_id, b.org_id} <= orgs


async def test_reading_across_organisations_is_explicit_and_select_only(tenancy_app, two_orgs):
    """`across_organisations=True` (the e-mail lookup at sign-up uses it) widens a SELECT, never a write."""
    app, _ = tenancy_app
    a, b, _, rows_b = two_orgs
    async with sessionmaker(app.state.engine)() as session:
        scope_session(session, a.org_id)
        wide = select(Credential.org_id).execution_options(across_organisations=True)
        assert {a.org_id, b.org_id} <= set((await session.execute(wide)).scalars())
        renamed = await session.execute(
            update(Credential)
            .where(Credential.id == rows_b["credential"])
            .values(name="renamed by A")
            .execution_options(across_organisations=True)
        )
        assert renamed.rowcount == 0
        await session.rollback()


async def test_counts_joins_and_subqueries_are_scoped_too(tenancy_app, two_orgs):
    from sqlalchemy import func

    from service.credentials.models import Competency

    app, _ = tenancy_app
    a, _, _, _ = two_orgs

    def count_of(model, org_id=None):  # noqa: ANN001, ANN202
        query = select(func.count()).select_from(model)
        return query if org_id is None else query.where(model.org_id == org_id)

    async with session_scope(app.state.engine) as unscoped:
        credentials = await unscoped.scalar(count_of(Credential, a.org_id))
        competencies = await unscoped.scalar(count_of(Competency, a.org_id))
    async with sessionmaker(app.state.engine)() as session:
        scope_session(session, a.org_id)
        assert await session.scalar(count_of(Credential)) == credentials
        joined = select(Competency.org_id).join(Credential, Credential.id == Competency.credential_id)
        assert set((await session.execute(joined)).scalars()) == {a.org_id}
        from_subquery = select(func.count()).select_from(select(Competency.id).subquery())
        assert await session.scalar(from_subquery) == competencies
        in_subquery = select(func.count(Credential.id)).where(
            Credential.id.in_(select(Competency.credential_id))
        )
        assert await session.scalar(in_subquery) <= credentials
