"""intelligence log: what the partnership learns about an agency or a sector between audits

Revision ID: 0010d
Revises: 0010c
Create Date: 2026-12-02 05:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0010d'
down_revision: str | None = '0010c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('intelligence_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('sector', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('standards', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('intelligence_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intelligence_entry_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_intelligence_entry_sector'), ['sector'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('intelligence_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intelligence_entry_sector'))
        batch_op.drop_index(batch_op.f('ix_intelligence_entry_agency_id'))
    op.drop_table('intelligence_entry')
