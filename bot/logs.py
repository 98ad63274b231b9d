"""Logging set-up: one line per record, and no secret ever written out.

Two formats (``MATCHBOT_LOG_FORMAT``): ``text``, and ``json`` — every line one JSON object
(``time``, ``level``, ``logger``, ``message``, and the fields a call site passes in ``extra``:
``match_id``, ``chat_id``, ``platform``, ``outbox_id``…; a traceback is the ``exc_info`` field),
written by python-json-logger, a formatter for the standard :mod:`logging` module, so every
library's records come out the same way. Both formats go through :class:`RedactSecrets`."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Iterable

from bot.safe_text import neutralise

REDACTED = "«redacted»"


class OneLineFormatter(logging.Formatter):
    """Each record's message on one line with no control character, whatever names from a
    feed it holds (a traceback, added after it, keeps its lines)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = neutralise(record.message)
        return super().formatMessage(record)


class RedactSecrets(logging.Filter):
    """Replaces every configured secret (tokens, API keys) in a record with a marker."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        clean = message
        for secret in self.secrets:
            clean = clean.replace(secret, REDACTED)
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            for secret in self.secrets:
                text = text.replace(secret, REDACTED)
            record.exc_text = text
            record.exc_info = None
        if clean != message:
            record.msg, record.args = clean, None
        for name, value in vars(record).items():  # fields passed in ``extra``
            if isinstance(value, str) and name not in _RECORD_TEXT:
                scrubbed = value
                for secret in self.secrets:
                    scrubbed = scrubbed.replace(secret, REDACTED)
                if scrubbed != value:
                    setattr(record, name, scrubbed)
        return True


#: a record's own text attributes (its message is scrubbed above, the rest names code)
_RECORD_TEXT = frozenset(
    {"msg", "message", "exc_text", "name", "levelname", "pathname", "filename", "module"}
    | {"funcName", "threadName", "processName", "taskName", "stack_info", "asctime"}
)


class CancelledJobs(logging.Filter):
    """APScheduler logs a job cancelled by the bot's stop (a look-up under way when the bot
    stops) as an error with a traceback: it is the stop, not a fault; left out."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, asyncio.CancelledError)


def quiet_cancelled_jobs() -> None:
    """Install :class:`CancelledJobs` on APScheduler's executor logger (once)."""
    jobs = logging.getLogger("apscheduler.executors.default")
    if not any(isinstance(f, CancelledJobs) for f in jobs.filters):
        jobs.addFilter(CancelledJobs())


def json_formatter() -> logging.Formatter:
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message, then the
    record's own fields (``python-json-logger``, loaded only when logs are JSON)."""
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        "{asctime}{levelname}{name}{message}",
        style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        datefmt="%Y-%m-%dT%H:%M:%S%z",
        json_ensure_ascii=False,
    )


def setup_logging(level: str, secrets: Iterable[str] = (), fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    formatter = (
        json_formatter()
        if fmt == "json"
        else OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    formatter.converter = time.gmtime  # times in UTC, whatever the server's zone
    handler.setFormatter(formatter)
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO; Telegram's URLs carry the bot token.
    quiet_cancelled_jobs()
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
