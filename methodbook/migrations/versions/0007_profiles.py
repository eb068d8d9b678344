"""profiles

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 22:11:42.943212
"""

from alembic import op
import sqlalchemy as sa
import methodbook.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('show_organisation', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('show_email', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('work_languages', sa.String(length=40), server_default='', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('work_languages')
        batch_op.drop_column('show_email')
        batch_op.drop_column('show_organisation')

