"""JSON log lines on stderr, each carrying the request id of the call being served.

One object per line: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``request_id``
(when logged while serving a request), ``exception`` (the traceback, when any) and any ``extra``
fields given as ``extra={"fields": {...}}``.
"""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

from podium.api.identity import REQUEST_ID


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id:
            line["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update({str(k): v for k, v in fields.items() if k not in line})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def parse_level(level: str) -> int:
    """``"debug"``, ``"INFO"``… -> a ``logging`` level. Raises ``ValueError`` on an unknown name."""
    value = logging.getLevelName(level.strip().upper())
    if not isinstance(value, int):
        raise ValueError(f"unknown log level {level!r} (use debug, info, warning, error or critical)")
    return value


def configure_logging(level: str, stream: TextIO | None = None) -> None:
    """Send every log record of the process as JSON lines to ``stream`` (stderr by default)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(parse_level(level))
