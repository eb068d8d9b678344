"""accounts and the method book

Revision ID: 0001
Revises: 
"""

from alembic import op
import sqlalchemy as sa
import methodbook.db


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('form_stash',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_stash')),
    sa.UniqueConstraint('token', name=op.f('uq_form_stash_token'))
    )
    with op.batch_alter_table('form_stash', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_stash_created_at'), ['created_at'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email')),
    sa.UniqueConstraint('session_token', name=op.f('uq_user_account_session_token'))
    )
    op.create_table('entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('when', sa.Text(), nullable=False),
    sa.Column('digital', sa.Text(), nullable=False),
    sa.Column('duration_min', sa.Integer(), nullable=True),
    sa.Column('duration_max', sa.Integer(), nullable=True),
    sa.Column('group_min', sa.Integer(), nullable=True),
    sa.Column('group_max', sa.Integer(), nullable=True),
    sa.Column('materials', sa.Text(), nullable=False),
    sa.Column('phase', sa.String(length=10), nullable=False),
    sa.Column('licence', sa.String(length=100), nullable=False),
    sa.Column('authors', sa.JSON(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('published_at', methodbook.db.UTCDateTime(), nullable=True),
    sa.Column('deleted_at', methodbook.db.UTCDateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_entry_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['user_account.id'], name=op.f('fk_entry_deleted_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry')),
    sa.UniqueConstraint('slug', name=op.f('uq_entry_slug'))
    )
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_language'), ['language'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_updated_at'), ['updated_at'], unique=False)

    op.create_table('invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('used_at', methodbook.db.UTCDateTime(), nullable=True),
    sa.Column('used_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_invite_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['used_by_id'], ['user_account.id'], name=op.f('fk_invite_used_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invite')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invite_token_hash'))
    )
    op.create_table('password_reset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('used_at', methodbook.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_password_reset_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_token_hash'))
    )
    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_attachment_entry_id_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_entry_id'), ['entry_id'], unique=False)

    op.create_table('entry_editor',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_entry_editor_entry_id_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_entry_editor_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id', 'user_id', name=op.f('pk_entry_editor'))
    )
    op.create_table('entry_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_entry_role_entry_id_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_role'))
    )
    with op.batch_alter_table('entry_role', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_role_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_role_name'), ['name'], unique=False)

    op.create_table('entry_tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_entry_tag_entry_id_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_tag'))
    )
    with op.batch_alter_table('entry_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_tag_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_tag_name'), ['name'], unique=False)

    op.create_table('revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.String(length=300), nullable=False),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('renderer_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_revision_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_revision_entry_id_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revision')),
    sa.UniqueConstraint('entry_id', 'number', name=op.f('uq_revision_entry_id'))
    )
    


def downgrade() -> None:
    
    op.drop_table('revision')
    with op.batch_alter_table('entry_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_tag_name'))
        batch_op.drop_index(batch_op.f('ix_entry_tag_entry_id'))

    op.drop_table('entry_tag')
    with op.batch_alter_table('entry_role', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_role_name'))
        batch_op.drop_index(batch_op.f('ix_entry_role_entry_id'))

    op.drop_table('entry_role')
    op.drop_table('entry_editor')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_entry_id'))

    op.drop_table('attachment')
    op.drop_table('password_reset')
    op.drop_table('invite')
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_updated_at'))
        batch_op.drop_index(batch_op.f('ix_entry_status'))
        batch_op.drop_index(batch_op.f('ix_entry_language'))
        batch_op.drop_index(batch_op.f('ix_entry_kind'))
        batch_op.drop_index(batch_op.f('ix_entry_deleted_at'))

    op.drop_table('entry')
    op.drop_table('user_account')
    with op.batch_alter_table('form_stash', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_stash_created_at'))

    op.drop_table('form_stash')
    
