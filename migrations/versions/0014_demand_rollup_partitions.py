"""demand_rollup partitioned by month on PostgreSQL (declarative RANGE partitions on day)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 20:50:00

PostgreSQL only (SQLite has no partitioning: the table stays as 0013 made it). The rollup rows move into a
table partitioned by RANGE (day): one partition per month, `demand_rollup_parts.demand_rollup_YYYY_MM`, and a
DEFAULT partition for a month with none. The partitions live in their own schema, so the application's schema
(and the models-vs-migrations check) sees one table. `demand_rollup_month(day)` creates a month's partition
when upkeep or a rebuild first writes it (moving any rows of that month out of the default partition); the
primary key (org_id, day, occupation_code, place_id, concept_id) already holds the partition key, as
PostgreSQL requires. `skillpulse drift detach-month YYYY-MM` detaches a month (service/demand/partitions.py).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTS = "demand_rollup_parts"

MONTH_FUNCTION = """
CREATE FUNCTION demand_rollup_month(d date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    lo date := date_trunc('month', d)::date;
    hi date := (date_trunc('month', d) + interval '1 month')::date;
    part text := 'demand_rollup_' || to_char(lo, 'YYYY_MM');
BEGIN
    IF to_regclass('demand_rollup_parts.' || part) IS NOT NULL THEN
        RETURN;  -- attached, or detached for archiving (then its month's new rows go to the default)
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('demand_rollup_month'), hashtext(part));
    IF to_regclass('demand_rollup_parts.' || part) IS NOT NULL THEN
        RETURN;  -- another transaction made it while this one waited
    END IF;
    EXECUTE format('CREATE TABLE demand_rollup_parts.%I (LIKE public.demand_rollup INCLUDING DEFAULTS)', part);
    EXECUTE format(
        'WITH moved AS (DELETE FROM demand_rollup_parts.demand_rollup_default WHERE day >= %L AND day < %L RETURNING *)'
        ' INSERT INTO demand_rollup_parts.%I SELECT * FROM moved', lo, hi, part);
    EXECUTE format(
        'ALTER TABLE public.demand_rollup ATTACH PARTITION demand_rollup_parts.%I FOR VALUES FROM (%L) TO (%L)',
        part, lo, hi);
END;
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {PARTS}")
    op.execute("ALTER TABLE demand_rollup RENAME TO demand_rollup_unpartitioned")
    op.execute("ALTER INDEX demand_rollup_pkey RENAME TO demand_rollup_unpartitioned_pkey")
    op.execute("ALTER INDEX ix_demand_rollup_occupation RENAME TO ix_demand_rollup_unpartitioned_occupation")
    op.execute(
        """
        CREATE TABLE demand_rollup (
            org_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
            day DATE NOT NULL,
            occupation_code VARCHAR(16) NOT NULL,
            place_id INTEGER NOT NULL,
            concept_id VARCHAR(500) NOT NULL,
            concept_label VARCHAR(500),
            postings INTEGER NOT NULL,
            required INTEGER NOT NULL,
            preferred INTEGER NOT NULL,
            CONSTRAINT demand_rollup_pkey PRIMARY KEY (org_id, day, occupation_code, place_id, concept_id)
        ) PARTITION BY RANGE (day)
        """
    )
    op.execute("CREATE INDEX ix_demand_rollup_occupation ON demand_rollup (org_id, occupation_code, day)")
    op.execute(f"CREATE TABLE {PARTS}.demand_rollup_default PARTITION OF demand_rollup DEFAULT")
    op.execute(MONTH_FUNCTION)
    op.execute(
        "SELECT demand_rollup_month(m) FROM (SELECT DISTINCT date_trunc('month', day)::date AS m"
        " FROM demand_rollup_unpartitioned) AS months"
    )
    op.execute("INSERT INTO demand_rollup SELECT * FROM demand_rollup_unpartitioned")
    op.execute("DROP TABLE demand_rollup_unpartitioned")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE demand_rollup RENAME TO demand_rollup_partitioned")
    op.execute("ALTER INDEX ix_demand_rollup_occupation RENAME TO ix_demand_rollup_partitioned_occupation")
    op.execute(
        "ALTER TABLE demand_rollup_partitioned RENAME CONSTRAINT demand_rollup_pkey TO demand_rollup_p_pkey"
    )
    op.execute(
        "CREATE TABLE demand_rollup (LIKE demand_rollup_partitioned INCLUDING DEFAULTS,"
        " FOREIGN KEY (org_id) REFERENCES organisation (id) ON DELETE CASCADE,"
        " CONSTRAINT demand_rollup_pkey PRIMARY KEY (org_id, day, occupation_code, place_id, concept_id))"
    )
    op.execute("CREATE INDEX ix_demand_rollup_occupation ON demand_rollup (org_id, occupation_code, day)")
    op.execute("INSERT INTO demand_rollup SELECT * FROM demand_rollup_partitioned")
    op.execute("DROP TABLE demand_rollup_partitioned")
    op.execute("DROP FUNCTION demand_rollup_month(date)")
    op.execute(f"DROP SCHEMA {PARTS}")  # fails while a detached (archived) month is still in it
