"""Printing for the commands: rich tables for people, JSON for scripts.

Output goes to stdout (tables, JSON), messages to stderr. When stdout is not a terminal, tables are
laid out 200 columns wide so that keys are never cut.
"""

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from rich.console import Console
from rich.table import Table

_WIDE = 200


def console() -> Console:
    """A console on the current stdout (read at each call: test runners replace it)."""
    return Console(file=sys.stdout, width=None if sys.stdout.isatty() else _WIDE, highlight=False)


def error_console() -> Console:
    return Console(file=sys.stderr, width=None if sys.stderr.isatty() else _WIDE, highlight=False)


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def message_dict(message: Message) -> dict[str, Any]:
    """A protobuf message as a JSON-ready dict (proto field names, defaults shown)."""
    return MessageToDict(message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Print a table; cells are converted with ``str``."""
    table = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    console().print(table)


def short_status(wire_name: str) -> str:
    """``STATUS_WAITING_FOR_PARENT_TASKS`` → ``waiting_for_parent_tasks``."""
    for prefix in ("STATUS_", "FUNCTION_STATUS_", "ERROR_TYPE_", "FAILED_ASSET_"):
        if wire_name.startswith(prefix):
            return wire_name[len(prefix) :].lower()
    return wire_name.lower()


def when(value: Any) -> str:
    """A protobuf ``Timestamp`` as ``YYYY-MM-DD HH:MM:SS`` UTC, ``-`` when unset."""
    if not value.seconds and not value.nanos:
        return "-"
    return datetime.fromtimestamp(value.seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")
