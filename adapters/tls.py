"""One TLS context for every HTTPS client of the process.

Each ``httpx`` client left to its default builds its own TLS context, reading the whole CA
bundle again (some 20-40 ms of CPU each): python-telegram-bot makes two clients per bot (one for
requests, one for the long poll), and each provider one more. They all take the context made
here, once per process: exactly the one ``httpx`` would have made for each of them
(``httpx.create_ssl_context()``: certificates and host names verified, certifi's CA bundle, or
``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when set). Every client that shares it speaks HTTP/1.1 (the
protocol each announces is set on the context at every connection, so it must be the same).
"""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def client_context() -> ssl.SSLContext:
    """The process's TLS context for the clients it makes (built at the first call)."""
    return httpx.create_ssl_context()
