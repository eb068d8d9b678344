"""feedback threads reviews notifications moderation

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:11:39.879383
"""

from alembic import op
import sqlalchemy as sa
import methodbook.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('criteria_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=True),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criteria_set')),
    sa.UniqueConstraint('key', name=op.f('uq_criteria_set_key'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_created_at'), ['created_at'], unique=False)

    op.create_table('criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['criteria_set.id'], name=op.f('fk_criterion_set_id_criteria_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criterion'))
    )
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criterion_set_id'), ['set_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('read_at', methodbook.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_notification_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)

    op.create_table('notification_setting',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('in_app', sa.Boolean(), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_setting_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_setting'))
    )
    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', methodbook.db.UTCDateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['reporter_id'], ['user_account.id'], name=op.f('fk_report_reporter_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user_account.id'], name=op.f('fk_report_resolved_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_resolved_at'), ['resolved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_target_id'), ['target_id'], unique=False)

    op.create_table('comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('quoted_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('edited_at', methodbook.db.UTCDateTime(), nullable=True),
    sa.Column('deleted_at', methodbook.db.UTCDateTime(), nullable=True),
    sa.Column('hidden_at', methodbook.db.UTCDateTime(), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=False),
    sa.Column('changed_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_comment_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_comment_entry_id_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['comment.id'], name=op.f('fk_comment_parent_id_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quoted_id'], ['comment.id'], name=op.f('fk_comment_quoted_id_comment'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment'))
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_parent_id'), ['parent_id'], unique=False)

    op.create_table('feedback_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('criteria_set_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=True),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('closed_at', methodbook.db.UTCDateTime(), nullable=True),
    sa.Column('aggregate_public', sa.Boolean(), nullable=False),
    sa.Column('changed_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['criteria_set_id'], ['criteria_set.id'], name=op.f('fk_feedback_request_criteria_set_id_criteria_set')),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_feedback_request_entry_id_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_feedback_request_requested_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_request'))
    )
    with op.batch_alter_table('feedback_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_request_closes_on'), ['closes_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_request_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_request_entry_id'), ['entry_id'], unique=False)

    op.create_table('comment_edit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('written_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('replaced_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_comment_edit_comment_id_comment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_edit'))
    )
    with op.batch_alter_table('comment_edit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_edit_comment_id'), ['comment_id'], unique=False)

    op.create_table('feedback_reviewer',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['feedback_request.id'], name=op.f('fk_feedback_reviewer_request_id_feedback_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_feedback_reviewer_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'user_id', name=op.f('pk_feedback_reviewer'))
    )
    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('works_well', sa.Text(), nullable=False),
    sa.Column('could_be_better', sa.Text(), nullable=False),
    sa.Column('created_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', methodbook.db.UTCDateTime(), nullable=False),
    sa.Column('acted_revision', sa.Integer(), nullable=True),
    sa.Column('acted_at', methodbook.db.UTCDateTime(), nullable=True),
    sa.Column('hidden_at', methodbook.db.UTCDateTime(), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['feedback_request.id'], name=op.f('fk_review_request_id_feedback_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user_account.id'], name=op.f('fk_review_reviewer_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review')),
    sa.UniqueConstraint('request_id', 'reviewer_id', name=op.f('uq_review_request_id'))
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_request_id'), ['request_id'], unique=False)

    op.create_table('review_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_review_score_score_range')),
    sa.ForeignKeyConstraint(['criterion_id'], ['criterion.id'], name=op.f('fk_review_score_criterion_id_criterion'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_review_score_review_id_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_score')),
    sa.UniqueConstraint('review_id', 'criterion_id', name=op.f('uq_review_score_review_id'))
    )
    with op.batch_alter_table('review_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_score_review_id'), ['review_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('review_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_score_review_id'))

    op.drop_table('review_score')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_request_id'))

    op.drop_table('review')
    op.drop_table('feedback_reviewer')
    with op.batch_alter_table('comment_edit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_edit_comment_id'))

    op.drop_table('comment_edit')
    with op.batch_alter_table('feedback_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_request_entry_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_request_created_at'))
        batch_op.drop_index(batch_op.f('ix_feedback_request_closes_on'))

    op.drop_table('feedback_request')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_parent_id'))
        batch_op.drop_index(batch_op.f('ix_comment_entry_id'))

    op.drop_table('comment')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_target_id'))
        batch_op.drop_index(batch_op.f('ix_report_resolved_at'))

    op.drop_table('report')
    op.drop_table('notification_setting')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))
        batch_op.drop_index(batch_op.f('ix_notification_created_at'))

    op.drop_table('notification')
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criterion_set_id'))

    op.drop_table('criterion')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_created_at'))

    op.drop_table('audit_event')
    op.drop_table('criteria_set')
