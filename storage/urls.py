"""Where the store lives: a SQLite file, or a PostgreSQL database named by its URL (whose
password never reaches a log or an error). Nothing here needs the PostgreSQL driver."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")


class DatabaseUnreachable(Exception):
    """The database cannot be reached at start-up; the message names it, never its
    password."""


def is_url(target: object) -> bool:
    """Whether ``target`` names a PostgreSQL database (else it is a SQLite file)."""
    return isinstance(target, str) and target.startswith(SCHEMES)


def redact(url: str) -> str:
    """``postgresql://bot:secret@db/matchbot`` → ``postgresql://bot:***@db/matchbot``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://…"
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host += f":{parts.port}"
    netloc = f"{parts.username or ''}:***@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def scrub(text: str, url: str) -> str:
    """``text`` (an error's message) without the URL's password in any form."""
    password = urlsplit(url).password
    text = text.replace(url, redact(url))
    return text.replace(password, "***") if password else text
