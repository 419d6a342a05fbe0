"""peer review: a return paired with a reviewer from a peer organisation, and their findings

Revision ID: 0010
Revises: 0003
Create Date: 2026-12-02 05:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('peer_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('peer_agency_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('arranged_by_id', sa.Integer(), nullable=False),
    sa.Column('arranged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('agency_response', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['return_id'], ['audit_return.id'], ),
    sa.ForeignKeyConstraint(['peer_agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['arranged_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('peer_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_review_return_id'), ['return_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_peer_review_peer_agency_id'), ['peer_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_peer_review_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_peer_review_status'), ['status'], unique=False)
    op.create_table('peer_review_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('standard_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('agrees', sa.Boolean(), nullable=False),
    sa.Column('findings', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('recommendations', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['peer_review.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('review_id', 'standard_number')
    )
    with op.batch_alter_table('peer_review_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_review_finding_review_id'), ['review_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('peer_review_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_review_finding_review_id'))
    op.drop_table('peer_review_finding')
    with op.batch_alter_table('peer_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_review_status'))
        batch_op.drop_index(batch_op.f('ix_peer_review_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_peer_review_peer_agency_id'))
        batch_op.drop_index(batch_op.f('ix_peer_review_return_id'))
    op.drop_table('peer_review')
