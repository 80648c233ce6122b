"""demand_place, demand_canon, demand_code, demand_rollup: demand counted as it is extracted

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 18:35:54.481467

The tables start empty; the first drift run of an organisation with extracted postings fills them
(service/demand/rollup_store.py `ensure_rollups`), as does `skillpulse drift rebuild-rollups`.
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "demand_canon",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("posting_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("occupation_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("org_id", "content_hash"),
    )
    with op.batch_alter_table("demand_canon", schema=None) as batch_op:
        batch_op.create_index("ix_demand_canon_posting", ["posting_id"], unique=False)

    op.create_table(
        "demand_place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("geo", advanced_alchemy.types.JsonB, nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "key", name="uq_demand_place_key"),
    )
    op.create_table(
        "demand_code",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("occupation_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("org_id", "occupation_code"),
    )
    op.create_table(
        "demand_rollup",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("occupation_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("concept_id", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("concept_label", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.Column("preferred", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("org_id", "day", "occupation_code", "place_id", "concept_id"),
    )
    with op.batch_alter_table("demand_rollup", schema=None) as batch_op:
        batch_op.create_index(
            "ix_demand_rollup_occupation", ["org_id", "occupation_code", "day"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("demand_rollup", schema=None) as batch_op:
        batch_op.drop_index("ix_demand_rollup_occupation")
    op.drop_table("demand_rollup")
    op.drop_table("demand_code")
    op.drop_table("demand_place")
    with op.batch_alter_table("demand_canon", schema=None) as batch_op:
        batch_op.drop_index("ix_demand_canon_posting")

    op.drop_table("demand_canon")
