"""search queue

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa
import methodbook.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('search_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_queue'))
    )
    with op.batch_alter_table('search_queue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_queue_entry_id'), ['entry_id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('search_queue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_queue_entry_id'))

    op.drop_table('search_queue')
    
