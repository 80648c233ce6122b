"""secrets at rest: webhook secret as encrypted text, outbox mail link token

Revision ID: 0008
Revises: 0003
Create Date: 2026-12-02 14:50:00.000000

The webhook secret column grows to text (a Fernet token is longer than the secret). Existing plaintext secrets
and import-source credentials stay readable (service/crypto reads a value without the `enc:v1:` prefix as is);
`skillpulse secrets rotate` encrypts them, and also moves the live links of queued mail written before this
revision into `outbox_email.link_token`. Until then such mail is sent as stored.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook", schema=None) as batch_op:
        batch_op.alter_column(
            "secret", existing_type=sa.VARCHAR(length=200), type_=sa.Text(), existing_nullable=False
        )
    with op.batch_alter_table("outbox_email", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_token", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_email", schema=None) as batch_op:
        batch_op.drop_column("link_token")
    with op.batch_alter_table("webhook", schema=None) as batch_op:
        batch_op.alter_column(
            "secret", existing_type=sa.Text(), type_=sa.VARCHAR(length=200), existing_nullable=False
        )
