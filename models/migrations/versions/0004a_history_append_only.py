"""history append-only: PostgreSQL refuses UPDATE and DELETE on history_record

Revision ID: 0004a
Revises: 0003
Create Date: 2026-12-02 04:40:00.000000

A trigger, so no code path (and no one connected as the product's role) can change or remove a
record; TRUNCATE is kept from the product's role by its grants (README: "Running as a role that
cannot rewrite the history"). SQLite has no roles: there the seal and checkpoints find any change.
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0004a"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION history_record_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'The history is append-only: % of a history record is refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER history_record_append_only BEFORE UPDATE OR DELETE ON history_record "
        "FOR EACH ROW EXECUTE FUNCTION history_record_is_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS history_record_append_only ON history_record")
    op.execute("DROP FUNCTION IF EXISTS history_record_is_append_only()")
