"""login security: throttling, second factor

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 03:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('loginattempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('address_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loginattempt'))
    )
    with op.batch_alter_table('loginattempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loginattempt_account_key'), ['account_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_loginattempt_address_key'), ['address_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_loginattempt_created_at'), ['created_at'], unique=False)

    op.create_table('mfacredential',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret_encrypted', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('confirmed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_used_step', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_mfacredential_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_mfacredential'))
    )

    op.create_table('recoverycode',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_recoverycode_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recoverycode'))
    )
    with op.batch_alter_table('recoverycode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recoverycode_user_id'), ['user_id'], unique=False)

    # Existing sessions count as authenticated when they started.
    with op.batch_alter_table('authsession', schema=None) as batch_op:
        batch_op.add_column(sa.Column('authenticated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute('UPDATE authsession SET authenticated_at = created_at')
    with op.batch_alter_table('authsession', schema=None) as batch_op:
        batch_op.alter_column('authenticated_at', existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('authsession', schema=None) as batch_op:
        batch_op.drop_column('authenticated_at')

    with op.batch_alter_table('recoverycode', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recoverycode_user_id'))
    op.drop_table('recoverycode')

    op.drop_table('mfacredential')

    with op.batch_alter_table('loginattempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loginattempt_created_at'))
        batch_op.drop_index(batch_op.f('ix_loginattempt_address_key'))
        batch_op.drop_index(batch_op.f('ix_loginattempt_account_key'))
    op.drop_table('loginattempt')
