"""survey responses: extraction attempts and error (poison answers end failed, not retried forever)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 15:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("extraction_attempts", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("extraction_error", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_column("extraction_error")
        batch_op.drop_column("extraction_attempts")
