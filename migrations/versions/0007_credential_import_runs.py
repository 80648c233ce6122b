"""credential import runs (large imports answered 202 and run in the background)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:05:00.000000
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "credential_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("credentials", sa.Integer(), nullable=False),
        sa.Column("competencies", sa.Integer(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("started_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("finished_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("result", advanced_alchemy.types.JsonB, nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("credential_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credential_import_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("credential_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credential_import_org_id"))
    op.drop_table("credential_import")
