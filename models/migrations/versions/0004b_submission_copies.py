"""submission copies: the frozen canonical JSON of each submission

Revision ID: 0004b
Revises: 0004a
Create Date: 2026-12-02 04:45:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004b"
down_revision: str | None = "0004a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "submission_copy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("canonical_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["return_id"], ["audit_return.id"]),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("return_id", "number"),
    )
    with op.batch_alter_table("submission_copy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_copy_return_id"), ["return_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("submission_copy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_copy_return_id"))
    op.drop_table("submission_copy")
