"""remixes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 22:05:17.018984
"""

from alembic import op
import sqlalchemy as sa
import methodbook.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('derived_from', sa.String(length=120), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_entry_derived_from'), ['derived_from'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_derived_from'))
        batch_op.drop_column('derived_from')

