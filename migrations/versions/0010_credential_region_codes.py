"""credential.region_codes; codes for postings and credentials stored before the geography

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 09:00:00.000000

Adds the credential's service region as canonical US codes (service/geo/codes.py), then fills
`credential.region_codes` and `posting.geo` from the region text of the rows stored before (in batches; see
service/geo/backfill.py, also `skillpulse geo backfill`). The downgrade drops the column and leaves
`posting.geo`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import JsonB
from alembic import op

from service.geo.backfill import fill_all

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region_codes", JsonB, nullable=False, server_default="[]"))
    fill_all(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.drop_column("region_codes")
