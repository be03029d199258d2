"""Log lines for the operator: one JSON object a line (LOG_FORMAT=json, what gunicorn.conf.py gives), or plain text
for a person at a terminal (LOG_FORMAT=text, `make run`'s default).

One configuration, `config(log_format)`, serves every process: gunicorn's master and workers (gunicorn.conf.py hands it
to gunicorn as `logconfig_dict`), `flask run` and the `flask` commands, the notify worker among them (`configure`).
Every logger writes through the root logger's one handler: the app's, gunicorn's error log, the rate limits',
SQLAlchemy's, and Python's warnings (SQLAlchemy warns that way). A line written while a request is answered carries
its request id (`bodymap.operations.access` sets it).

Nothing personal is written: access lines carry the path without its query string and the client's network, not its
address; the app's own messages name kinds and counts, never what a patient typed.
"""

from __future__ import annotations

import contextvars
import functools
import json
import logging
import logging.config
import time

from flask.logging import default_handler

from bodymap import settings

HANDLER = "bodymap"  # the root logger's handler, by name: a process configures it once
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("bodymap_request_id", default=None)

# What every LogRecord has: anything else on a record was given with `extra=` and is written as a field of its own.
STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "request_id"}


class RequestId(logging.Filter):
    """Adds the id of the request being answered (if any) to every record the handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        return True


class DevServerRequestLines(logging.Filter):
    """Drops the development server's own line for each request: the app writes its access line (with the request
    id, and without the query string or the whole address) in every server alike."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "werkzeug" and isinstance(record.msg, str) and record.msg.endswith('"%s" %s %s'))


@functools.lru_cache(maxsize=4)
def _second(second: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))


def _utc(record: logging.LogRecord) -> str:
    """2026-12-07T13:42:55.890Z (a busy process writes many lines a second: each second is spelt once)."""
    return f"{_second(int(record.created))}.{int(record.msecs):03d}Z"


class JsonLines(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the process, the request id when there is one,
    any field given with `extra=`, and the exception's traceback as one string. ASCII only, so no character in a
    message can break a line."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": _utc(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if getattr(record, "request_id", None):
            line["request_id"] = record.request_id
        line.update((key, value) for key, value in record.__dict__.items() if key not in STANDARD)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str)


class Text(logging.Formatter):
    """`2026-12-07 10:15:02 INFO bodymap: message [request id]`, with control characters in the message escaped, so
    a forged path cannot start a line of its own. The development server's own lines keep their colours and line
    breaks: it escapes what a request puts in them itself."""

    ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F)}

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's own name
        line = super().formatMessage(record)
        if record.name != "werkzeug":
            line = line.translate(self.ESCAPES)
        request_id = getattr(record, "request_id", None)
        return f"{line} [{request_id}]" if request_id else line


FORMATTERS = {"json": JsonLines, "text": Text}


def config(log_format: str) -> dict:
    """The logging configuration (for `logging.config.dictConfig`) of every bodymap process: the root logger writes
    every line to standard error, in `log_format`, through one handler."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"bodymap": {"()": FORMATTERS[log_format]}},
        "filters": {
            "request_id": {"()": RequestId},
            "dev_server_request_lines": {"()": DevServerRequestLines},
        },
        "handlers": {
            HANDLER: {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "bodymap",
                "filters": ["request_id", "dev_server_request_lines"],
            }
        },
        "root": {"level": "INFO", "handlers": [HANDLER]},
        "loggers": {
            # `db upgrade` says what it did in its own words; Alembic's steps are for debugging.
            "alembic": {"level": "WARNING"},
        },
    }


def gunicorn_config() -> dict:
    """`logconfig_dict` for gunicorn.conf.py: the same configuration, with gunicorn's error log (the master's and the
    workers' lines) written through it. gunicorn's own access log stays silent: the app writes one line per request
    in front of its stored responses (`bodymap.operations.access`), with the request id and no query string."""
    configured = config(settings.log_format(default="json"))
    configured["loggers"] = {
        **configured["loggers"],
        "gunicorn.error": {"propagate": True},  # its level stays gunicorn's --log-level
        "gunicorn.access": {"level": "WARNING", "propagate": False},
    }
    return configured


def configured() -> bool:
    """The process has its handler already (gunicorn.conf.py gave it to the master, and the workers inherit it)."""
    return any(handler.name == HANDLER for handler in logging.getLogger().handlers)


def configure(log_format: str) -> None:
    """Write this process's log lines in `log_format`, and Python's warnings (SQLAlchemy's among them) as lines too.

    Like `logging.basicConfig`, it never replaces logging a process has set up already: gunicorn.conf.py's (which the
    workers inherit, and which this keeps as it is), a test runner's, or that of a program that embeds the app."""
    root = logging.getLogger()
    if not root.handlers:
        logging.config.dictConfig(config(log_format))
    elif not configured():
        return
    logging.captureWarnings(True)
    # Flask gives the app's logger a handler of its own when it finds none at first use: every line goes through
    # the root's instead, once.
    logging.getLogger("bodymap").removeHandler(default_handler)
