"""The tables of podium, as SQLAlchemy Core metadata: the one schema definition for both databases.

Each asset table has its queryable fields as columns and the rest of the asset in one JSON ``data``
column. Keys are global (primary keys across channels); every table carries the ``channel`` its rows
belong to, and organizations are per channel. Constraint names follow ``NAMING_CONVENTION`` so that
migrations can address them on both databases. The Alembic migrations in ``migrations/versions`` must
produce exactly this metadata (checked by the tests).
"""

from typing import Final

from sqlalchemy import (
    BigInteger,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
)

from podium.store.types import UtcDateTime, json_document

NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata: Final = MetaData(naming_convention=NAMING_CONVENTION)


organizations: Final = Table(
    "organizations",
    metadata,
    Column("channel", String, nullable=False),
    Column("id", String, nullable=False),
    Column("address", String, nullable=False),
    Column("creation_date", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("channel", "id"),
    Index(None, "channel", "creation_date", "id"),
)

functions: Final = Table(
    "functions",
    metadata,
    Column("key", String, primary_key=True),
    Column("channel", String, nullable=False),
    Column("name", String, nullable=False),
    Column("owner", String, nullable=False),
    Column("status", String, nullable=False),
    Column("creation_date", UtcDateTime, nullable=False),
    Column("data", json_document(), nullable=False),
    Index(None, "channel", "creation_date", "key"),
)

data_managers: Final = Table(
    "data_managers",
    metadata,
    Column("key", String, primary_key=True),
    Column("channel", String, nullable=False),
    Column("name", String, nullable=False),
    Column("owner", String, nullable=False),
    Column("creation_date", UtcDateTime, nullable=False),
    Column("data", json_document(), nullable=False),
    Index(None, "channel", "creation_date", "key"),
)

data_samples: Final = Table(
    "data_samples",
    metadata,
    Column("key", String, primary_key=True),
    Column("channel", String, nullable=False),
    Column("owner", String, nullable=False),
    Column("checksum", String, nullable=False),
    Column("creation_date", UtcDateTime, nullable=False),
    Index(None, "channel", "creation_date", "key"),
)

data_sample_data_managers: Final = Table(
    "data_sample_data_managers",
    metadata,
    Column("data_sample_key", String, ForeignKey("data_samples.key"), nullable=False),
    Column("position", Integer, nullable=False, autoincrement=False),
    Column("data_manager_key", String, ForeignKey("data_managers.key"), nullable=False),
    PrimaryKeyConstraint("data_sample_key", "position"),
    Index(None, "data_manager_key"),
)

compute_plans: Final = Table(
    "compute_plans",
    metadata,
    Column("key", String, primary_key=True),
    Column("channel", String, nullable=False),
    Column("owner", String, nullable=False),
    Column("name", String, nullable=False),
    Column("tag", String, nullable=False),
    Column("creation_date", UtcDateTime, nullable=False),
    Column("cancelation_date", UtcDateTime, nullable=True),
    Column("failure_date", UtcDateTime, nullable=True),
    Column("data", json_document(), nullable=False),
    Index(None, "channel", "creation_date", "key"),
    Index(None, "channel", "owner", "creation_date", "key"),
)

compute_tasks: Final = Table(
    "compute_tasks",
    metadata,
    Column("key", String, primary_key=True),
    Column("channel", String, nullable=False),
    Column("owner", String, nullable=False),
    Column("compute_plan_key", String, ForeignKey("compute_plans.key"), nullable=False),
    Column("function_key", String, ForeignKey("functions.key"), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("status", String, nullable=False),
    Column("worker", String, nullable=False),
    Column("creation_date", UtcDateTime, nullable=False),
    Column("data", json_document(), nullable=False),
    Index(None, "channel", "creation_date", "key"),
    Index(None, "compute_plan_key", "status"),
    Index(None, "function_key", "status"),
    Index(None, "channel", "worker", "status"),
)

compute_task_parents: Final = Table(
    "compute_task_parents",
    metadata,
    Column("child_key", String, ForeignKey("compute_tasks.key"), nullable=False),
    Column("parent_key", String, ForeignKey("compute_tasks.key"), nullable=False),
    Column("position", Integer, nullable=False, autoincrement=False),
    PrimaryKeyConstraint("child_key", "parent_key"),
    Index(None, "parent_key"),
)

models: Final = Table(
    "models",
    metadata,
    Column("key", String, primary_key=True),
    Column("channel", String, nullable=False),
    Column("compute_task_key", String, ForeignKey("compute_tasks.key"), nullable=False),
    Column("compute_task_output_identifier", String, nullable=False),
    Column("owner", String, nullable=False),
    Column("creation_date", UtcDateTime, nullable=False),
    Column("address", json_document(none_as_null=True), nullable=True),
    Column("permissions", json_document(), nullable=False),
    Index(None, "compute_task_key", "creation_date", "key"),
)

performances: Final = Table(
    "performances",
    metadata,
    Column("compute_task_key", String, ForeignKey("compute_tasks.key"), nullable=False),
    Column("compute_task_output_identifier", String, nullable=False),
    Column("channel", String, nullable=False),
    Column("performance_value", Double, nullable=False),
    Column("creation_date", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("compute_task_key", "compute_task_output_identifier"),
    Index(None, "channel", "creation_date", "compute_task_key"),
)

failure_reports: Final = Table(
    "failure_reports",
    metadata,
    Column("asset_key", String, primary_key=True),
    Column("channel", String, nullable=False),
    Column("error_type", String, nullable=False),
    Column("asset_type", String, nullable=False),
    Column("owner", String, nullable=False),
    Column("creation_date", UtcDateTime, nullable=False),
    Column("logs_address", json_document(none_as_null=True), nullable=True),
)

compute_task_output_assets: Final = Table(
    "compute_task_output_assets",
    metadata,
    Column("compute_task_key", String, ForeignKey("compute_tasks.key"), nullable=False),
    Column("compute_task_output_identifier", String, nullable=False),
    Column("position", Integer, nullable=False, autoincrement=False),
    Column("channel", String, nullable=False),
    Column("asset_kind", String, nullable=False),
    Column("asset_key", String, nullable=False),
    PrimaryKeyConstraint("compute_task_key", "compute_task_output_identifier", "position"),
)

events: Final = Table(
    "events",
    metadata,
    Column("channel", String, nullable=False),
    Column("position", BigInteger, nullable=False, autoincrement=False),
    Column("id", String, nullable=False, unique=True),
    Column("timestamp", UtcDateTime, nullable=False),
    Column("asset_kind", String, nullable=False),
    Column("event_kind", String, nullable=False),
    Column("asset_key", String, nullable=False),
    Column("asset", json_document(), nullable=False),
    Column("metadata", json_document(), nullable=False),
    Column("hash", String, nullable=False),
    PrimaryKeyConstraint("channel", "position"),
    Index(None, "channel", "asset_key"),
    Index(None, "channel", "timestamp"),
)

channel_heads: Final = Table(
    "channel_heads",
    metadata,
    Column("channel", String, primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("hash", String, nullable=False),
)

__all__ = [
    "NAMING_CONVENTION",
    "channel_heads",
    "compute_plans",
    "compute_task_output_assets",
    "compute_task_parents",
    "compute_tasks",
    "data_managers",
    "data_sample_data_managers",
    "data_samples",
    "events",
    "failure_reports",
    "functions",
    "metadata",
    "models",
    "organizations",
    "performances",
]
