"""generic webhook delivery errors

Delivery errors used to name the exception (`ConnectError: [Errno 111] …`, `ReadError`), which told an open
internal port from a closed one in a log that viewers read. The sender now stores a few generic words; this
rewrites the errors already stored the same way. Data only; the old words cannot be brought back.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 15:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEPT = (
    "webhook disabled before delivery",
    "connection failed",
    "timed out",
    "HTTP 3xx (redirects are not followed)",
    "HTTP 4xx",
    "HTTP 5xx",
    "refused: the host is not a public address",
)


def upgrade() -> None:
    error = sa.column("error", sa.Text)
    deliveries = sa.table("webhook_delivery", error)
    for old, new in (
        ("receiver answered HTTP 3%", KEPT[3]),
        ("receiver answered HTTP 4%", "HTTP 4xx"),
        ("receiver answered HTTP 5%", "HTTP 5xx"),
        ("%Timeout%", "timed out"),
    ):
        op.execute(deliveries.update().where(error.like(old)).values(error=new))
    rest = deliveries.update().where(error.is_not(None), error.not_in(KEPT))
    op.execute(rest.values(error="connection failed"))


def downgrade() -> None:
    pass  # the detailed errors are gone for good
