"""delivery events: SendGrid's Event Webhook, and the outbox worker's claim token

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:27:38.051178
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('delivery_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sg_event_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sg_message_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_message.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sg_event_id')
    )
    with op.batch_alter_table('delivery_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_event_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_event_event'), ['event'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_event_outbox_message_id'), ['outbox_message_id'], unique=False)

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        # The server default fills rows queued before this migration.
        batch_op.add_column(sa.Column('claim_token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_outbox_message_provider_message_id'), ['provider_message_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_provider_message_id'))
        batch_op.drop_column('claim_token')

    with op.batch_alter_table('delivery_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_event_outbox_message_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_event_event'))
        batch_op.drop_index(batch_op.f('ix_delivery_event_email'))

    op.drop_table('delivery_event')
