"""names unique per partnership: agency, cycle and template names may repeat across partnerships

Revision ID: 0021
Revises: 0015
Create Date: 2026-12-02 12:20:00.000000

Two partnerships of one deployment each install the shipped templates (same key, same version),
each call their cycle "Section 11 audit 2026-27", and each may have an agency called "Youth
Service". A cycle's name is now unique within its partnership, a template's key and version
within its partnership; an agency's name is checked within each partnership it is in (an agency
may be in several, so no one table constraint can say it; `workflow/people/agencies.py` does). An
e-mail address stays unique across the deployment.

On SQLite, dropping a table's unnamed UNIQUE constraint means rebuilding the table, which rows
of other tables refer to: that is done outside a transaction with foreign keys off, then checked.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Names for SQLite's unnamed constraints, so the batch rebuild can drop them (PostgreSQL's own names).
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}
OLD = {"cycle": ("cycle_name_key", "uq_cycle_name"), "template": ("template_key_version_key", "uq_template_key_version")}
NEW = {"cycle": ("partnership_id", "name"), "template": ("partnership_id", "key", "version")}


def upgrade() -> None:
    _on_each_backend(_per_partnership)


def downgrade() -> None:
    _on_each_backend(_across_the_deployment)


def _on_each_backend(change) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        change(sqlite=False)
        return
    with op.get_context().autocommit_block():
        op.execute('PRAGMA foreign_keys=OFF')
        try:
            change(sqlite=True)
            broken = op.get_bind().execute(sa.text('PRAGMA foreign_key_check')).fetchall()
            if broken:
                raise RuntimeError(f'the rebuilt tables break foreign keys: {broken[:5]}')
        finally:
            op.execute('PRAGMA foreign_keys=ON')


def _per_partnership(*, sqlite: bool) -> None:
    for table, columns in NEW.items():
        postgres_name, sqlite_name = OLD[table]
        with op.batch_alter_table(table, naming_convention=SQLITE_NAMES if sqlite else None) as batch_op:
            batch_op.drop_constraint(sqlite_name if sqlite else postgres_name, type_='unique')
            batch_op.create_unique_constraint(f'uq_{table}_per_partnership', list(columns))
    op.drop_index('ix_agency_name', table_name='agency')
    op.create_index('ix_agency_name', 'agency', ['name'], unique=False)


def _across_the_deployment(*, sqlite: bool) -> None:
    op.drop_index('ix_agency_name', table_name='agency')
    op.create_index('ix_agency_name', 'agency', ['name'], unique=True)
    for table, columns in NEW.items():
        postgres_name, sqlite_name = OLD[table]
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f'uq_{table}_per_partnership', type_='unique')
            batch_op.create_unique_constraint(sqlite_name if sqlite else postgres_name, list(columns[1:]))
