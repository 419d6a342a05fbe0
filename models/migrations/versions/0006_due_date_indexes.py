"""due-date indexes: the daily sweep reads only the actions and evidence requests coming due

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-02 05:00:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0006'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_action_status_target_date', 'action', ['status', 'target_date'], unique=False)
    op.create_index('ix_evidence_request_status_due_date', 'evidence_request', ['status', 'due_date'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_evidence_request_status_due_date', table_name='evidence_request')
    op.drop_index('ix_action_status_target_date', table_name='action')
