"""community profiles following digests share links recognition

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 22:25:35.052349
"""

from alembic import op
import sqlalchemy as sa
import methodbook.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('digest_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('period_key', sa.String(length=20), nullable=False),
    sa.Column('sent_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_digest_sent_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_sent')),
    sa.UniqueConstraint('user_id', 'period', 'period_key', name=op.f('uq_digest_sent_user_id'))
    )
    with op.batch_alter_table('digest_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digest_sent_user_id'), ['user_id'], unique=False)

    op.create_table('share_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', methodbook.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_share_link_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_share_link_entry_id_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_link')),
    sa.UniqueConstraint('token', name=op.f('uq_share_link_token'))
    )
    with op.batch_alter_table('share_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_link_entry_id'), ['entry_id'], unique=False)

    with op.batch_alter_table('network', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leaderboard', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('show_organisation', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('show_email', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('work_languages', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('feed_seen_at', methodbook.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('digest', sa.String(length=10), server_default='off', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('digest')
        batch_op.drop_column('feed_seen_at')
        batch_op.drop_column('work_languages')
        batch_op.drop_column('show_email')
        batch_op.drop_column('show_organisation')

    with op.batch_alter_table('network', schema=None) as batch_op:
        batch_op.drop_column('leaderboard')

    with op.batch_alter_table('share_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_link_entry_id'))

    op.drop_table('share_link')
    with op.batch_alter_table('digest_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digest_sent_user_id'))

    op.drop_table('digest_sent')
