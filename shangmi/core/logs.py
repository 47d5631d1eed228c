"""Structured logs: one JSON object a line, for the log collector of a production install.

Chosen with SHANGMI_LOG_FORMAT=json (settings.LOGGING); gunicorn's own loggers use the same
formatter through deploy/gunicorn.conf.py, so the access log, the error log and the
application's records arrive in one shape.
"""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

# gunicorn's access log record carries its atoms (a dict) as ``args``; these become fields.
ACCESS_FIELDS = {"h": "remote", "m": "method", "U": "path", "s": "status", "B": "bytes", "M": "duration_ms"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            for atom, name in ACCESS_FIELDS.items():
                value = record.args.get(atom)
                if value not in (None, "-"):
                    entry[name] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
