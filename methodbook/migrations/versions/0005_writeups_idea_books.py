"""write-ups and idea books

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 21:07:34.151072
"""

from alembic import op
import sqlalchemy as sa
import methodbook.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gallery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('cover_item_id', sa.Integer(), nullable=True),
    sa.Column('published_at', methodbook.db.UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('changed_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_gallery_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_gallery_entry_id_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_gallery_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gallery')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_gallery_entry_id')),
    sa.UniqueConstraint('meeting_id', name=op.f('uq_gallery_meeting_id'))
    )
    op.create_table('method_use',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('writeup_id', sa.Integer(), nullable=False),
    sa.Column('method_slug', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['writeup_id'], ['entry.id'], name=op.f('fk_method_use_writeup_id_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_method_use')),
    sa.UniqueConstraint('writeup_id', 'method_slug', name=op.f('uq_method_use_writeup_id'))
    )
    with op.batch_alter_table('method_use', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_method_use_method_slug'), ['method_slug'], unique=False)
        batch_op.create_index(batch_op.f('ix_method_use_writeup_id'), ['writeup_id'], unique=False)

    op.create_table('gallery_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gallery_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('caption', sa.Text(), nullable=False),
    sa.Column('alt_text', sa.Text(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('original_sha256', sa.String(length=64), nullable=False),
    sa.Column('display_sha256', sa.String(length=64), nullable=False),
    sa.Column('thumb_sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.Column('attribution', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('link_title', sa.String(length=200), nullable=False),
    sa.Column('host', sa.String(length=200), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('consent_at', methodbook.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_gallery_item_added_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['gallery_id'], ['gallery.id'], name=op.f('fk_gallery_item_gallery_id_gallery'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gallery_item'))
    )
    with op.batch_alter_table('gallery_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gallery_item_gallery_id'), ['gallery_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gallery_item_original_sha256'), ['original_sha256'], unique=False)

    op.create_table('removal_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=254), nullable=False),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('dismissed_at', methodbook.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['gallery_item.id'], name=op.f('fk_removal_request_item_id_gallery_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requester_id'], ['user_account.id'], name=op.f('fk_removal_request_requester_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_removal_request'))
    )
    with op.batch_alter_table('removal_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_removal_request_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_entry_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_entry_meeting_id_meeting'), 'meeting', ['meeting_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_entry_meeting_id_meeting'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_entry_meeting_id'))
        batch_op.drop_column('meeting_id')

    with op.batch_alter_table('removal_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_removal_request_item_id'))

    op.drop_table('removal_request')
    with op.batch_alter_table('gallery_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gallery_item_original_sha256'))
        batch_op.drop_index(batch_op.f('ix_gallery_item_gallery_id'))

    op.drop_table('gallery_item')
    with op.batch_alter_table('method_use', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_method_use_writeup_id'))
        batch_op.drop_index(batch_op.f('ix_method_use_method_slug'))

    op.drop_table('method_use')
    op.drop_table('gallery')
