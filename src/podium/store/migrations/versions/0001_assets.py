"""Assets: organizations, functions, data managers and samples, plans, tasks and their outputs.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json(*, none_as_null: bool = False) -> sa.types.TypeEngine[object]:
    return sa.JSON(none_as_null=none_as_null).with_variant(
        postgresql.JSONB(none_as_null=none_as_null), "postgresql"
    )


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _fk(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{referred}.key"], name=f"fk_{table}_{column}_{referred}")


def _index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns), unique=False)


def upgrade() -> None:
    op.create_table(
        "organizations",
        _text("channel"),
        _text("id"),
        _text("address"),
        sa.Column("creation_date", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "id", name="pk_organizations"),
    )
    _index("organizations", "channel", "creation_date", "id")

    op.create_table(
        "functions",
        _text("key"),
        _text("channel"),
        _text("name"),
        _text("owner"),
        _text("status"),
        sa.Column("creation_date", _timestamp(), nullable=False),
        sa.Column("data", _json(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_functions"),
    )
    _index("functions", "channel", "creation_date", "key")

    op.create_table(
        "data_managers",
        _text("key"),
        _text("channel"),
        _text("name"),
        _text("owner"),
        sa.Column("creation_date", _timestamp(), nullable=False),
        sa.Column("data", _json(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_data_managers"),
    )
    _index("data_managers", "channel", "creation_date", "key")

    op.create_table(
        "data_samples",
        _text("key"),
        _text("channel"),
        _text("owner"),
        _text("checksum"),
        sa.Column("creation_date", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_data_samples"),
    )
    _index("data_samples", "channel", "creation_date", "key")

    op.create_table(
        "data_sample_data_managers",
        _text("data_sample_key"),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        _text("data_manager_key"),
        _fk("data_sample_data_managers", "data_manager_key", "data_managers"),
        _fk("data_sample_data_managers", "data_sample_key", "data_samples"),
        sa.PrimaryKeyConstraint("data_sample_key", "position", name="pk_data_sample_data_managers"),
    )
    _index("data_sample_data_managers", "data_manager_key")

    op.create_table(
        "compute_plans",
        _text("key"),
        _text("channel"),
        _text("owner"),
        _text("name"),
        _text("tag"),
        sa.Column("creation_date", _timestamp(), nullable=False),
        sa.Column("cancelation_date", _timestamp(), nullable=True),
        sa.Column("failure_date", _timestamp(), nullable=True),
        sa.Column("data", _json(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_compute_plans"),
    )
    _index("compute_plans", "channel", "creation_date", "key")
    _index("compute_plans", "channel", "owner", "creation_date", "key")

    op.create_table(
        "compute_tasks",
        _text("key"),
        _text("channel"),
        _text("owner"),
        _text("compute_plan_key"),
        _text("function_key"),
        sa.Column("rank", sa.Integer(), nullable=False),
        _text("status"),
        _text("worker"),
        sa.Column("creation_date", _timestamp(), nullable=False),
        sa.Column("data", _json(), nullable=False),
        _fk("compute_tasks", "compute_plan_key", "compute_plans"),
        _fk("compute_tasks", "function_key", "functions"),
        sa.PrimaryKeyConstraint("key", name="pk_compute_tasks"),
    )
    _index("compute_tasks", "channel", "creation_date", "key")
    _index("compute_tasks", "channel", "worker", "status")
    _index("compute_tasks", "compute_plan_key", "status")
    _index("compute_tasks", "function_key", "status")

    op.create_table(
        "compute_task_parents",
        _text("child_key"),
        _text("parent_key"),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        _fk("compute_task_parents", "child_key", "compute_tasks"),
        _fk("compute_task_parents", "parent_key", "compute_tasks"),
        sa.PrimaryKeyConstraint("child_key", "parent_key", name="pk_compute_task_parents"),
    )
    _index("compute_task_parents", "parent_key")

    op.create_table(
        "models",
        _text("key"),
        _text("channel"),
        _text("compute_task_key"),
        _text("compute_task_output_identifier"),
        _text("owner"),
        sa.Column("creation_date", _timestamp(), nullable=False),
        sa.Column("address", _json(none_as_null=True), nullable=True),
        sa.Column("permissions", _json(), nullable=False),
        _fk("models", "compute_task_key", "compute_tasks"),
        sa.PrimaryKeyConstraint("key", name="pk_models"),
    )
    _index("models", "compute_task_key", "creation_date", "key")

    op.create_table(
        "performances",
        _text("compute_task_key"),
        _text("compute_task_output_identifier"),
        _text("channel"),
        sa.Column("performance_value", sa.Double(), nullable=False),
        sa.Column("creation_date", _timestamp(), nullable=False),
        _fk("performances", "compute_task_key", "compute_tasks"),
        sa.PrimaryKeyConstraint("compute_task_key", "compute_task_output_identifier", name="pk_performances"),
    )
    _index("performances", "channel", "creation_date", "compute_task_key")

    op.create_table(
        "failure_reports",
        _text("asset_key"),
        _text("channel"),
        _text("error_type"),
        _text("asset_type"),
        _text("owner"),
        sa.Column("creation_date", _timestamp(), nullable=False),
        sa.Column("logs_address", _json(none_as_null=True), nullable=True),
        sa.PrimaryKeyConstraint("asset_key", name="pk_failure_reports"),
    )

    op.create_table(
        "compute_task_output_assets",
        _text("compute_task_key"),
        _text("compute_task_output_identifier"),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        _text("channel"),
        _text("asset_kind"),
        _text("asset_key"),
        _fk("compute_task_output_assets", "compute_task_key", "compute_tasks"),
        sa.PrimaryKeyConstraint(
            "compute_task_key",
            "compute_task_output_identifier",
            "position",
            name="pk_compute_task_output_assets",
        ),
    )


def downgrade() -> None:
    for table in (
        "compute_task_output_assets",
        "failure_reports",
        "performances",
        "models",
        "compute_task_parents",
        "compute_tasks",
        "compute_plans",
        "data_sample_data_managers",
        "data_samples",
        "data_managers",
        "functions",
        "organizations",
    ):
        op.drop_table(table)
