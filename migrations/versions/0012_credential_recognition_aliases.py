"""credential.recognition_aliases: the names job postings give a credential

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 15:00:00.000000

The aliases a designer set for finding the credential in posting text ("CDL-A", "Class A CDL"); [] means
none set, and the proposals from the credential's name and type are used (service/credentials/
recognition_aliases.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import JsonB
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recognition_aliases", JsonB, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.drop_column("recognition_aliases")
