"""posting.geo: the location as US codes (state, county, CBSA, remote)

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-03 07:00:00.000000

Filled when postings are recorded (service/postings/records.py); postings stored before this revision get
theirs from their region text in revision 0010 (service/geo/backfill.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import JsonB
from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("geo", JsonB, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("posting", schema=None) as batch_op:
        batch_op.drop_column("geo")
