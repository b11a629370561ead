"""Baseline: the back office's schema as of the supervision dashboard and the workbench
(accounts, sessions, per-item review, progress links) and the windows' audit entries. On a database made before migrations
(``create_all`` of an older back office) it creates the missing tables, adds the missing
columns and indexes, and fills the dashboard's facts of the rows already there.

Revision ID: bo0001
Revises:
"""
import sqlalchemy as sa

from clerk_console.backoffice.migrations.ops import counter_row, index, table

revision = "bo0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    table('bo_account',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('role', sa.String(), nullable=False),
    sa.Column('dept', sa.String(), nullable=False),
    sa.Column('password_hash', sa.String(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    index('ix_bo_account_dept', 'bo_account', ['dept'])
    table('bo_admin_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(), nullable=False),
    sa.Column('action', sa.String(), nullable=False),
    sa.Column('subject', sa.String(), nullable=False),
    sa.Column('detail', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    index('ix_admin_action_at', 'bo_admin_log', ['action', 'at'])
    table('bo_case',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('case_no', sa.String(), nullable=False),
    sa.Column('window_id', sa.String(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(), nullable=True),
    sa.Column('taken_on', sa.Date(), nullable=True),
    sa.Column('promised_date', sa.Date(), nullable=True),
    sa.Column('item_codes', sa.String(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    index('ix_bo_case_case_no', 'bo_case', ['case_no'])
    index('ix_bo_case_window_id', 'bo_case', ['window_id'])
    index('ix_case_taken', 'bo_case', ['taken_on', 'window_id'])
    index('uq_case_window_no', 'bo_case', ['window_id', 'case_no'], unique=True)
    table('bo_case_item',
    sa.Column('case_id', sa.String(), nullable=False),
    sa.Column('item', sa.String(), nullable=False),
    sa.Column('dept', sa.String(), nullable=False),
    sa.Column('open', sa.Boolean(), nullable=False),
    sa.Column('case_no', sa.String(), nullable=False),
    sa.Column('window_id', sa.String(), nullable=False),
    sa.Column('window_code', sa.String(), nullable=False),
    sa.Column('bundle', sa.String(), nullable=False),
    sa.Column('item_name', sa.String(), nullable=False),
    sa.Column('applicant', sa.String(), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('case_status', sa.String(), nullable=False),
    sa.Column('verdict', sa.String(), nullable=False),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('case_id', 'item')
    )
    index('ix_case_item_case_no', 'bo_case_item', ['case_no'])
    index('ix_case_item_queue', 'bo_case_item', ['dept', 'open', 'due', 'case_no'])
    table('bo_change_log',
    sa.Column('dataset', sa.String(), nullable=False),
    sa.Column('scope', sa.String(), nullable=False),
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('hash', sa.String(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('dataset', 'scope', 'key'),
    sa.UniqueConstraint('seq')
    )
    index('ix_change_log_read', 'bo_change_log', ['dataset', 'scope', 'seq'])
    table('bo_counter',
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    table('bo_dataset_floor',
    sa.Column('dataset', sa.String(), nullable=False),
    sa.Column('floor', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('dataset')
    )
    table('bo_decision',
    sa.Column('case_id', sa.String(), nullable=False),
    sa.Column('case_no', sa.String(), nullable=False),
    sa.Column('window_id', sa.String(), nullable=False),
    sa.Column('decision', sa.String(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('case_id')
    )
    table('bo_followup',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('window_id', sa.String(), nullable=False),
    sa.Column('case_no', sa.String(), nullable=False),
    sa.Column('step', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    index('ix_bo_followup_case_no', 'bo_followup', ['case_no'])
    index('ix_bo_followup_due', 'bo_followup', ['due'])
    index('ix_bo_followup_window_id', 'bo_followup', ['window_id'])
    table('bo_progress_link',
    sa.Column('token_hash', sa.String(), nullable=False),
    sa.Column('case_id', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('token_hash')
    )
    index('ix_bo_progress_link_case_id', 'bo_progress_link', ['case_id'])
    table('bo_rating',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('window_id', sa.String(), nullable=False),
    sa.Column('case_no', sa.String(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rated_on', sa.Date(), nullable=True),
    sa.Column('item_codes', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    index('ix_bo_rating_case_no', 'bo_rating', ['case_no'])
    index('ix_bo_rating_rated_on', 'bo_rating', ['rated_on'])
    index('ix_bo_rating_window_id', 'bo_rating', ['window_id'])
    index('uq_rating_window_case', 'bo_rating', ['window_id', 'case_no'], unique=True)
    table('bo_received_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('window_id', sa.String(), nullable=False),
    sa.Column('event_id', sa.String(), nullable=False),
    sa.Column('payload_hash', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('message', sa.String(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('window_id', 'event_id', name='uq_received_window_event')
    )
    index('ix_received_event_at', 'bo_received_event', ['received_at'])
    table('bo_sms_contact',
    sa.Column('window_id', sa.String(), nullable=False),
    sa.Column('case_no', sa.String(), nullable=False),
    sa.Column('phone', sa.String(), nullable=False),
    sa.Column('opt_out', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', sa.String(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('window_id', 'case_no')
    )
    table('bo_sms_outbox',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('window_id', sa.String(), nullable=False),
    sa.Column('case_no', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(), nullable=False),
    sa.Column('phone', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    index('ix_sms_pending', 'bo_sms_outbox', ['status', 'next_at'])
    index('ix_sms_phone_sent', 'bo_sms_outbox', ['phone', 'sent_at'])
    table('bo_web_session',
    sa.Column('token_hash', sa.String(), nullable=False),
    sa.Column('account_id', sa.String(), nullable=False),
    sa.Column('csrf', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token_hash')
    )
    index('ix_bo_web_session_account_id', 'bo_web_session', ['account_id'])
    table('bo_window',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('region', sa.String(), nullable=False),
    sa.Column('token_hash', sa.String(), nullable=True),
    sa.Column('enroll_code_hash', sa.String(), nullable=True),
    sa.Column('enroll_expires', sa.DateTime(timezone=True), nullable=True),
    sa.Column('enrolled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_code_hash', sa.String(), nullable=True),
    sa.Column('install_hash', sa.String(), nullable=True),
    sa.Column('hostname', sa.String(), nullable=False),
    sa.Column('previous_token_hash', sa.String(), nullable=True),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    index('ix_bo_window_code', 'bo_window', ['code'], unique=True)
    index('ix_bo_window_enroll_code_hash', 'bo_window', ['enroll_code_hash'])
    index('ix_bo_window_previous_token_hash', 'bo_window', ['previous_token_hash'])
    index('ix_bo_window_token_hash', 'bo_window', ['token_hash'])
    table('bo_audit_entry',
    sa.Column('window_id', sa.String(), nullable=False),
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('at', sa.String(), nullable=False),
    sa.Column('clerk_id', sa.String(), nullable=False),
    sa.Column('action', sa.String(), nullable=False),
    sa.Column('subject', sa.String(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(), nullable=False),
    sa.Column('hash', sa.String(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('window_id', 'seq')
    )
    counter_row()
    from alembic import op

    from clerk_console.backoffice.service.facts import backfill

    backfill(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: restore the database's backup")
