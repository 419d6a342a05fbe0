"""partnerships: several in one deployment; everything existing goes into one

Revision ID: 0015
Revises: 0003
Create Date: 2026-12-02 09:10:00.000000

Agencies join partnerships (one or several), coordinators and QA reviewers work for them, a person
may act for several agencies (`user_account.agency_id` stays as the current one), and each cycle and
template has the partnership that made it. The partnership made here is named by
S11_PARTNERSHIP_NAME when set, else "Partnership"; the coordinator can rename it.
"""
import os
import re
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0015'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _link_table(name: str, left: str, left_table: str, right: str, right_table: str) -> None:
    op.create_table(name,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column(left, sa.Integer(), nullable=False),
    sa.Column(right, sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint([left], [f'{left_table}.id'], ),
    sa.ForeignKeyConstraint([right], [f'{right_table}.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint(left, right)
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{name}_{left}'), [left], unique=False)
        batch_op.create_index(batch_op.f(f'ix_{name}_{right}'), [right], unique=False)


def upgrade() -> None:
    op.create_table('partnership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('slug')
    )
    _link_table('agency_partnership', 'agency_id', 'agency', 'partnership_id', 'partnership')
    _link_table('partnership_member', 'user_id', 'user_account', 'partnership_id', 'partnership')
    _link_table('agency_member', 'user_id', 'user_account', 'agency_id', 'agency')
    _link_table('cycle_partnership', 'cycle_id', 'cycle', 'partnership_id', 'partnership')
    for table in ('cycle', 'template'):
        # A plain ADD COLUMN: SQLite's batch mode would rebuild the table, which rows of others refer to.
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE {table} ADD COLUMN partnership_id INTEGER REFERENCES partnership (id)')
        else:
            op.add_column(table, sa.Column('partnership_id', sa.Integer(), nullable=True))
            op.create_foreign_key(f'fk_{table}_partnership_id', table, 'partnership', ['partnership_id'], ['id'])
        op.create_index(f'ix_{table}_partnership_id', table, ['partnership_id'], unique=False)
    _everything_into_one_partnership()


def _everything_into_one_partnership() -> None:
    """Every existing agency, coordinator, QA reviewer, cycle and template joins the one partnership."""
    name = os.environ.get('S11_PARTNERSHIP_NAME', '').strip()[:200] or 'Partnership'
    slug = re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')[:80] or 'partnership'
    bind = op.get_bind()
    bind.execute(sa.text("INSERT INTO partnership (name, slug, created_at) VALUES (:name, :slug, CURRENT_TIMESTAMP)"),
                 {'name': name, 'slug': slug})
    partnership_id = bind.execute(sa.text("SELECT id FROM partnership WHERE slug = :slug"), {'slug': slug}).scalar_one()
    given = {'p': partnership_id}
    bind.execute(sa.text("INSERT INTO agency_partnership (agency_id, partnership_id) SELECT id, :p FROM agency"), given)
    bind.execute(sa.text(
        "INSERT INTO partnership_member (user_id, partnership_id) SELECT DISTINCT user_id, :p FROM user_role "
        "WHERE role IN ('coordinator', 'qa_reviewer')"), given)
    bind.execute(sa.text(
        "INSERT INTO agency_member (user_id, agency_id) SELECT id, agency_id FROM user_account WHERE agency_id IS NOT NULL"))
    bind.execute(sa.text("UPDATE cycle SET partnership_id = :p"), given)
    bind.execute(sa.text("UPDATE template SET partnership_id = :p"), given)


def downgrade() -> None:
    for table in ('template', 'cycle'):
        op.drop_index(f'ix_{table}_partnership_id', table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('partnership_id')
    for name in ('cycle_partnership', 'agency_member', 'partnership_member', 'agency_partnership'):
        op.drop_table(name)
    op.drop_table('partnership')
