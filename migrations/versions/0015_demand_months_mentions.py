"""demand_concept, demand_month, demand_mention: month rollups on integer concept keys and a concept-first index
of the counted postings' concepts

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 16:30:00

The tables start empty; `skillpulse drift rebuild-rollups` (or the first drift run, which rebuilds an
organisation whose month rollups are missing) fills them from demand_rollup and the mentions.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "demand_concept",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("concept_id", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "concept_id", name="uq_demand_concept_id"),
    )
    op.create_table(
        "demand_month",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("occupation_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("concept", sa.Integer(), nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.Column("preferred", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("org_id", "month", "occupation_code", "place_id", "concept"),
    )
    op.create_table(
        "demand_mention",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("concept", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("posting_id", sa.BigInteger(), nullable=False),
        sa.Column("occupation_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("org_id", "concept", "day", "posting_id"),
    )
    op.create_index("ix_demand_mention_posting", "demand_mention", ["posting_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_demand_mention_posting", table_name="demand_mention")
    op.drop_table("demand_mention")
    op.drop_table("demand_month")
    op.drop_table("demand_concept")
