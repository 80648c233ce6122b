"""alert digests: each user's digest preference, and one row per digest built (unique per user and period)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 15:14:20.506323
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("credential_ids", advanced_alchemy.types.JsonB, nullable=True),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    with op.batch_alter_table("notification_preference", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_preference_org_id"), ["org_id"], unique=False)

    op.create_table(
        "alert_digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("period_start", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("period_end", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.Column("outbox_email_id", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["outbox_email_id"], ["outbox_email.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "period", "period_start", name="uq_alert_digest_period"),
    )
    with op.batch_alter_table("alert_digest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_digest_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alert_digest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_digest_org_id"))

    op.drop_table("alert_digest")
    with op.batch_alter_table("notification_preference", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_preference_org_id"))

    op.drop_table("notification_preference")
