"""One TLS context per process (``adapters/tls.py``): every HTTPS client the bot makes shares it,
and it verifies as each client's own did (certificates against the same trust store, host
names), down to a real TLS handshake with a local server."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram.error import NetworkError

from adapters.providers.http import ProviderHttp
from adapters.telegram import TelegramAdapter
from adapters.tls import client_context

TOKEN = "123:ABC"
GET_ME = (
    b'{"ok":true,"result":{"id":123,"is_bot":true,"first_name":"Match","username":"match_bot",'
    b'"can_join_groups":true,"can_read_all_group_messages":false,'
    b'"supports_inline_queries":false}}'
)


@pytest.fixture(autouse=True)
def fresh_context() -> Iterator[None]:
    """Each test makes the process's context anew, and leaves none of its own behind."""
    client_context.cache_clear()
    yield
    client_context.cache_clear()


def _no_reading(_: Any) -> None:
    return None


def _context_of(client: httpx.AsyncClient) -> ssl.SSLContext:
    """The TLS context an httpx client's connections use."""
    return client._transport._pool._ssl_context  # type: ignore[attr-defined,no-any-return]


def test_two_bots_and_a_provider_build_one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    real = ssl.create_default_context
    made: list[ssl.SSLContext] = []

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(ssl, "create_default_context", counting)
    apps = [TelegramAdapter(TOKEN).build_application() for _ in range(2)]
    provider = ProviderHttp("football-data", "https://api.example", {}, _no_reading)
    assert len(made) == 1
    (shared,) = made
    for app in apps:
        requests = app.bot._request  # (the long poll's, the other requests')
        assert len(requests) == 2
        for request in requests:
            assert _context_of(request._client) is shared  # type: ignore[attr-defined]
    assert _context_of(provider._client) is shared


def test_the_shared_context_verifies_certificates_and_host_names() -> None:
    context = client_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context is client_context()
    # the same trust store as a client left to httpx's default
    default = httpx.create_ssl_context()
    assert context.cert_store_stats() == default.cert_store_stats()
    assert context.get_ca_certs() == default.get_ca_certs()


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no CA signed, and its key."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


async def _bot_api_over_tls(
    cert: Path, key: Path, run: Callable[[str], Any]
) -> tuple[Any, list[bytes]]:
    """Serve getMe over TLS on 127.0.0.1 while ``run(base_url)`` runs; what it gave, and the
    requests that reached the server."""
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    seen: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            writer.close()
            return
        seen.append(head.split(b"\r\n", 1)[0])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await reader.readexactly(length)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + b"Content-Length: %d\r\n\r\n" % len(GET_ME)
            + GET_ME
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=server_side)
    port = server.sockets[0].getsockname()[1]
    try:
        result = await run(f"https://127.0.0.1:{port}/bot")
    finally:
        server.close()
        await server.wait_closed()
    return result, seen


async def _get_me(base_url: str) -> Any:
    app = TelegramAdapter(TOKEN, base_url=base_url).build_application()
    try:
        return await app.bot.get_me()
    finally:
        await app.bot.shutdown()


async def test_a_server_the_trust_store_does_not_know_is_refused(
    self_signed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)

    async def refused(base_url: str) -> str:
        with pytest.raises(NetworkError) as failed:
            await _get_me(base_url)
        return repr(failed.value.__cause__ or failed.value)

    why, seen = await _bot_api_over_tls(*self_signed, refused)
    assert "CERTIFICATE_VERIFY_FAILED" in why
    assert seen == []  # not a byte of the request was sent


async def test_the_shared_context_trusts_what_the_environment_names(
    self_signed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``SSL_CERT_FILE`` still chooses the trust store (as httpx's default does), and the bot's
    requests really go through the shared context: with the certificate trusted, getMe works."""
    cert, _ = self_signed
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    me, seen = await _bot_api_over_tls(*self_signed, _get_me)
    assert me.username == "match_bot"
    assert seen == [b"POST /bot123:ABC/getMe HTTP/1.1"]
