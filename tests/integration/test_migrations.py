"""The migration history is one line, and the migrated schema is exactly what the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from service.db import alembic_config
from service.models import metadata


def test_one_linear_history(database_url):
    script = ScriptDirectory.from_config(alembic_config(database_url))
    heads = script.get_heads()
    assert len(heads) == 1, f"migration history has several heads: {heads}"
    for revision in script.walk_revisions():
        assert not isinstance(revision.down_revision, tuple), f"merge revision {revision.revision}"


async def test_models_match_migrated_schema(app):
    def diff(connection):  # noqa: ANN001, ANN202
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)

    async with app.state.engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == [], f"models and migrations disagree: {differences}"


async def test_migrated_to_head(app, database_url):
    from sqlalchemy import text

    script = ScriptDirectory.from_config(alembic_config(database_url))
    async with app.state.engine.connect() as conn:
        current = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
    assert current == script.get_current_head()
