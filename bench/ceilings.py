"""Raw-PostgreSQL ceilings measured in the run's database: COPY of task/event rows, pgbench scripts.

The ceiling tables are ``LIKE`` podium's tables (same columns, indexes and constraints) but outside the
code's reach, so the figures are the database's own cost for the same rows and statements.
"""

import json
import re
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import psycopg

from bench.pgcluster import pg_binary

SAMPLE_TASK_DATA: Final = {
    "logs_permission": {"public": True, "authorized_ids": []},
    "metadata": {"bench": "1"},
    "inputs": [],
    "outputs": {},
}


def ensure_copy_tables(url: str) -> None:
    """Create ``ceiling_tasks`` and ``ceiling_events`` shaped like ``compute_tasks`` and ``events``."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS ceiling_tasks (LIKE compute_tasks INCLUDING ALL)")
        conn.execute("CREATE TABLE IF NOT EXISTS ceiling_events (LIKE events INCLUDING ALL)")


def copy_tasks_and_events(url: str, count: int) -> float:
    """COPY ``count`` task rows and their ``count`` CREATED event rows in one transaction; answer the
    seconds it took (row building included, as podium builds them too)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE ceiling_tasks, ceiling_events")
    now = datetime.now(UTC)
    data = json.dumps(SAMPLE_TASK_DATA)
    began = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        keys = [str(uuid.uuid4()) for _ in range(count)]
        with cur.copy(
            "COPY ceiling_tasks (key, channel, owner, compute_plan_key, function_key, rank, status, worker,"
            " creation_date, data) FROM STDIN"
        ) as copy:
            for key in keys:
                copy.write_row(
                    (key, "bench", "O", "p", "f", 0, "STATUS_WAITING_FOR_EXECUTOR_SLOT", "O", now, data)
                )
        with cur.copy(
            "COPY ceiling_events (channel, position, id, timestamp, asset_kind, event_kind, asset_key, asset,"
            " metadata, hash) FROM STDIN"
        ) as copy:
            for position, key in enumerate(keys, 1):
                asset = json.dumps(
                    {"key": key, "status": "STATUS_WAITING_FOR_EXECUTOR_SLOT", **SAMPLE_TASK_DATA}
                )
                copy.write_row(
                    (
                        "bench",
                        position,
                        str(uuid.uuid4()),
                        now,
                        "ASSET_COMPUTE_TASK",
                        "EVENT_ASSET_CREATED",
                        key,
                        asset,
                        "{}",
                        "0" * 64,
                    )
                )
        conn.commit()
    return time.perf_counter() - began


# One podium transition's statements: lock the head row, update the task, insert the event, move the head.
_TRANSITION_STATEMENTS: Final = (
    "BEGIN;",
    "INSERT INTO channel_heads (channel, position, hash) VALUES ('pgbench', 0, 'g') "
    "ON CONFLICT (channel) DO UPDATE SET channel = excluded.channel RETURNING position, hash;",
    "UPDATE ceiling_tasks SET status = 'STATUS_EXECUTING' WHERE key = :id::text;",
    "INSERT INTO ceiling_events (channel, position, id, timestamp, asset_kind, event_kind, asset_key, asset, "
    "metadata, hash) SELECT 'pgbench', position + 1, gen_random_uuid()::text, now(), 'ASSET_COMPUTE_TASK', "
    "'EVENT_ASSET_UPDATED', :id::text, '{asset}', '{{}}', md5(random()::text) "
    "FROM channel_heads WHERE channel = 'pgbench';",
    "UPDATE channel_heads SET position = position + 1, hash = md5(random()::text) WHERE channel = 'pgbench';",
    "END;",
)
TRANSITION_SCRIPT: Final = "\\set id random(1, {rows})\n" + "\n".join(_TRANSITION_STATEMENTS) + "\n"


def prepare_pgbench(url: str, rows: int) -> None:
    """Fill ``ceiling_tasks`` with ``rows`` tasks keyed ``1..rows`` for the transition script."""
    ensure_copy_tables(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE ceiling_tasks, ceiling_events")
        conn.execute(
            "INSERT INTO ceiling_tasks SELECT g::text, 'bench', 'O', 'p', 'f', 0, "
            "'STATUS_WAITING_FOR_EXECUTOR_SLOT', 'O', now(), %s::jsonb FROM generate_series(1, %s) g",
            (json.dumps(SAMPLE_TASK_DATA), rows),
        )
        conn.execute("DELETE FROM channel_heads WHERE channel = 'pgbench'")
        conn.execute("VACUUM ANALYZE ceiling_tasks")


def pgbench_transitions(url: str, clients: int, seconds: int, rows: int) -> dict[str, Any]:
    """pgbench running the transition statement mix at ``clients`` clients; answer tps and latency.

    Per-transaction latencies come from pgbench's own log (``--log``).
    """
    asset = json.dumps({"key": "k", "status": "STATUS_EXECUTING", **SAMPLE_TASK_DATA}).replace("'", "''")
    with tempfile.TemporaryDirectory(prefix="podium-pgbench-") as folder:
        script = Path(folder) / "transition.sql"
        script.write_text(TRANSITION_SCRIPT.format(rows=rows, asset=asset), encoding="utf-8")
        command = [
            pg_binary("pgbench") or "pgbench",
            "-n",
            "-M",
            "prepared",
            "-c",
            str(clients),
            "-j",
            str(min(clients, 2)),
            "-T",
            str(seconds),
            "-f",
            str(script),
            "--log",
            f"--log-prefix={folder}/log",
            url,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
        latencies_us: list[int] = []
        for log in Path(folder).glob("log*"):
            for line in log.read_text().splitlines():
                parts = line.split()
                if len(parts) >= 3:
                    latencies_us.append(int(parts[2]))
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", done.stdout)
    tps = float(match.group(1)) if match else 0.0
    from bench.stats import latency_ms

    return {"ops_per_s": round(tps, 1), **latency_ms([us / 1e6 for us in latencies_us])}
