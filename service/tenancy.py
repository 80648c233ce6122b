"""Tenancy by construction: a session that carries an organisation sees and writes only that organisation's
rows.

A request's session gets `session.info[ORG_KEY] = <the caller's org_id>` where the request's session is made
(service/db.py, from the principal that the auth middleware put on the scope). On such a session:

- every ORM SELECT, and every ORM-enabled UPDATE/DELETE statement, gets `with_loader_criteria(<model>,
  model.org_id == org)` for every model with an `org_id` column (and `Organisation.id == org`), so a query
  that forgets the filter still returns, changes or deletes only the caller's rows; lazy and relationship
  loads inherit the criteria;
- an ORM INSERT/UPDATE statement that sets `org_id` to another organisation is refused;
- a flush that would insert, update or delete another organisation's object (or move an object to another
  organisation) is refused with TenantViolation.

Sessions without ORG_KEY are unscoped on purpose: the auth middleware (it looks a token up before the
organisation is known), the public survey form (the organisation comes from the link's token), background
jobs, the scheduler, the worker and the CLI (service.db.session_scope, service.db.sessionmaker) act across
organisations. Core statements on tables (`text(...)`, `insert(table)`, `table.update()`) are not ORM
statements and get no criteria: code that runs them on a tenant table keeps its explicit `org_id` filter.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql.dml import Insert, Update
from sqlalchemy.sql.util import find_tables
from sqlmodel import SQLModel

ORG_KEY = "org_id"
# `select(...).execution_options(across_organisations=True)`: the one way for a scoped session to read across
# organisations, for a lookup that must (an e-mail address is unique across organisations). SELECT only; grep
# for it to review every use.
ACROSS_ORGANISATIONS = "across_organisations"
_OPTIONS_KEY = "tenancy.options"


class TenantViolation(PermissionError):
    """A session scoped to one organisation was asked to write another organisation's row."""


def scope_session(session: Any, org_id: int) -> None:  # noqa: ANN401 - an AsyncSession or a Session
    """Scope `session` (sync or async) to `org_id`. A session is scoped once: another organisation is
    refused."""
    install()
    info = session.info
    current = info.get(ORG_KEY)
    if current is not None and current != org_id:
        raise TenantViolation(f"session already scoped to organisation {current}")
    info[ORG_KEY] = org_id


def session_org(session: Session) -> int | None:
    return session.info.get(ORG_KEY)


@cache
def tenant_models() -> tuple[type, ...]:
    """Every mapped model with an `org_id` column (after service.models imported them all)."""
    import service.models  # noqa: F401 - registers every table

    found = []
    for mapper in SQLModel._sa_registry.mappers:  # noqa: SLF001 - SQLModel's registry of every table model
        if "org_id" in mapper.columns:
            found.append(mapper.class_)
    return tuple(sorted(found, key=lambda cls: cls.__tablename__))


def _organisation() -> type:
    from service.auth.models import Organisation

    return Organisation


def _criteria(org: int) -> tuple:
    options = [
        with_loader_criteria(model, lambda cls: cls.org_id == org, include_aliases=True)
        for model in tenant_models()
    ]
    options.append(with_loader_criteria(_organisation(), lambda cls: cls.id == org, include_aliases=True))
    return tuple(options)


def _options(session: Session, org: int) -> dict[str, object]:
    """The criteria of `org` by table name, made once per session."""
    cached = session.info.get(_OPTIONS_KEY)
    if cached is None or cached[0] != org:
        models = [*tenant_models(), _organisation()]
        cached = (org, dict(zip((m.__tablename__ for m in models), _criteria(org), strict=True)))
        session.info[_OPTIONS_KEY] = cached
    return cached[1]


def _options_for(statement: object, session: Session, org: int) -> list:
    """The criteria of the tenant tables a statement mentions anywhere (FROM, joins, subqueries, EXISTS):
    fewer options to compile than one per tenant table. A lazy or relationship load is a statement of its own
    and gets its own."""
    by_table = _options(session, org)
    named = {
        getattr(t, "name", None)
        for t in find_tables(
            statement, include_aliases=True, include_joins=True, include_selects=True, include_crud=True
        )
    }
    return [option for name, option in by_table.items() if name in named]


def _set_values(statement: Insert | Update, parameters: object) -> Iterable[dict]:
    """The column → value mappings an INSERT/UPDATE statement would write (its .values() and the execute
    parameters)."""
    values = getattr(statement, "_values", None) or {}
    if values:
        yield {getattr(k, "key", k): getattr(v, "value", v) for k, v in values.items()}
    for rows in getattr(statement, "_multi_values", ()) or ():
        for row in rows:
            if isinstance(row, dict):
                yield {getattr(k, "key", k): getattr(v, "value", v) for k, v in row.items()}
    if isinstance(parameters, dict):
        yield parameters
    elif isinstance(parameters, list | tuple):
        yield from (p for p in parameters if isinstance(p, dict))


def _refuse_foreign_values(state: ORMExecuteState, org: int) -> None:
    for row in _set_values(state.statement, state.parameters):
        if "org_id" in row and row["org_id"] != org:
            raise TenantViolation(f"organisation {org}'s session may not write org_id={row['org_id']!r}")


def _on_execute(state: ORMExecuteState) -> None:
    org = state.session.info.get(ORG_KEY)
    if org is None or not state.is_orm_statement:
        return
    if state.is_select and state.execution_options.get(ACROSS_ORGANISATIONS):
        return
    if state.is_insert or state.is_update:
        _refuse_foreign_values(state, org)
    if state.is_select or state.is_update or state.is_delete:
        options = _options_for(state.statement, state.session, org)
        if options:
            state.statement = state.statement.options(*options)


def _owner(obj: object) -> tuple[bool, set]:
    """(is the object tenant data, the organisation ids it has had in this flush: current and previous)."""
    if isinstance(obj, _organisation()):
        key = "id"
    elif isinstance(obj, tenant_models()):
        key = "org_id"
    else:
        return False, set()
    history = inspect(obj).attrs[key].history
    values = set(history.added or ()) | set(history.deleted or ()) | set(history.unchanged or ())
    return True, values


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    org = session.info.get(ORG_KEY)
    if org is None:
        return
    for label, objects in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            tenant, owners = _owner(obj)
            if not tenant:
                continue
            if label == "insert" and isinstance(obj, _organisation()) and owners <= {None}:
                raise TenantViolation(f"organisation {org}'s session may not create an organisation")
            if owners != {org}:
                raise TenantViolation(
                    f"organisation {org}'s session may not {label} a {type(obj).__name__} of "
                    f"organisation {sorted(owners, key=str)}"
                )


def install() -> None:
    """Listen on every Session (the listeners do nothing on a session without ORG_KEY). Idempotent."""
    if not event.contains(Session, "do_orm_execute", _on_execute):
        event.listen(Session, "do_orm_execute", _on_execute)
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
