"""A real PostgreSQL server for the tests, on 127.0.0.1, from the binaries the ``pgserver``
package ships (no system install, no network).

PostgreSQL refuses to run as root. ``pgserver`` handles that by running the server as a
system user of its own (``pgserver``, made with ``useradd`` when missing) and by opening the
folders on the way to its binaries and data for that user; this module does the same, then
starts the server itself so that it listens on a TCP port of 127.0.0.1 (``pgserver`` alone
listens on a Unix socket only), as a deployment's database would. One server for the whole
pytest run (:func:`shared`: the first xdist worker that needs it starts it, the others connect
to it; the run's end stops it, tests/support/run_wide.py), a fresh database per test module
(:meth:`PostgresServer.new_database`, named by the worker's process id).

When the server cannot start (no ``pgserver``/``psycopg`` installed, a machine where it
fails), :func:`start` raises :class:`Unavailable` with the reason, and the fixtures skip
with it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import warnings
from pathlib import Path

SYSTEM_USER = "pgserver"


class Unavailable(Exception):
    """PostgreSQL cannot be started here; the message says why."""


class PostgresServer:
    def __init__(self, base: Path, bin_dir: Path, port: int, user: str | None) -> None:
        self.base = base
        self.bin_dir = bin_dir
        self.port = port
        self.user = user
        self.data = base / "data"
        self._databases = 0

    def as_json(self) -> str:
        return json.dumps(
            {"base": str(self.base), "bin": str(self.bin_dir), "port": self.port, "user": self.user}
        )

    @classmethod
    def from_json(cls, text: str) -> PostgresServer:
        given = json.loads(text)
        return cls(Path(given["base"]), Path(given["bin"]), int(given["port"]), given["user"])

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self, prefix: str = "t") -> str:
        """A new empty database; returns its URL."""
        import psycopg

        self._databases += 1
        name = f"{prefix}_{os.getpid()}_{self._databases}".lower()
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _run(self, *args: str) -> None:
        subprocess.run(
            args,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
            user=self.user,
            cwd=self.base,
        )

    def stop_command(self) -> list[str]:
        return [str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._run(*self.stop_command())
        shutil.rmtree(self.base, ignore_errors=True)


#: the bundled catalogue (the same for every test): kept, as seeding it again costs seconds
CATALOGUE = frozenset({"teams", "team_aliases", "competitions", "competition_aliases"})


#: the tables (of those named) that hold a row or whose id sequence has been used since it was
#: made or last restarted (``pg_sequences.last_value`` is null until then)
_USED = """
SELECT DISTINCT t.relname::text FROM pg_class t
JOIN pg_depend d ON d.refobjid = t.oid AND d.refclassid = 'pg_class'::regclass
  AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_sequences q ON q.schemaname = current_schema() AND q.sequencename = s.relname
WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(%s)
  AND q.last_value IS NOT NULL
"""


def empty(url: str) -> None:
    """Empty every table of the bot's schema in the database at ``url`` (ids from 1 again)
    but the bundled catalogue's (:data:`CATALOGUE`). Only the tables a test wrote to are
    truncated (one holding a row, or whose ids were used): truncating a table costs the server
    about 2 ms of CPU even when it is empty, and most tests write to few of them."""
    import psycopg

    from storage import pg_schema

    tables = [t.name for t in pg_schema.reference().tables if t.name not in CATALOGUE]
    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT to_regclass('matchbot_migrations') IS NOT NULL").fetchone()
        if not (exists and exists[0]):
            return
        holding = " UNION ".join(
            f"SELECT '{name}' WHERE EXISTS (SELECT FROM \"{name}\")" for name in tables
        )
        written = conn.execute(f"{holding} UNION {_USED}", [tables]).fetchall()  # type: ignore[arg-type]
        if written:
            names = ", ".join(f'"{name}"' for (name,) in sorted(written))
            conn.execute(f"TRUNCATE {names} RESTART IDENTITY")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _binaries() -> Path:
    try:
        import psycopg  # noqa: F401  (the bot's driver: without it nothing can connect)
    except ImportError:
        raise Unavailable("psycopg is not installed: pip install -e '.[dev,postgres]'") from None
    with warnings.catch_warnings():
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset (it is harmless here)
        warnings.simplefilter("ignore")
        try:
            from pgserver._commands import POSTGRES_BIN_PATH
        except ImportError:
            raise Unavailable("pgserver is not installed: pip install -e '.[dev]'") from None
    return Path(POSTGRES_BIN_PATH)


def _open_for(user: str, base: Path, bin_dir: Path) -> None:
    """Let ``user`` reach the binaries and own the data folder (we are root)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )
    import pwd
    import stat

    ensure_user_exists(user)
    ensure_prefix_permissions(bin_dir)
    readable = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(bin_dir, stat.S_IXGRP | stat.S_IXOTH | readable)
    ensure_folder_permissions(bin_dir.parent / "lib", readable)
    ensure_prefix_permissions(base)
    base.chmod(0o755)
    entry = pwd.getpwnam(user)
    os.chown(base, entry.pw_uid, entry.pw_gid)


def shared() -> PostgresServer:
    """The run's server (tests/support/run_wide.py): started by the first process that asks,
    under the run's lock, and stopped at the run's end; the other processes are given the same.
    Where it could not start, each process that asks is told why (:class:`Unavailable`)."""
    from tests.support import run_wide

    with run_wide.locked() as run:
        known, failed = run / "postgres.json", run / "postgres.failed"
        if known.exists():
            return PostgresServer.from_json(known.read_text("utf-8"))
        if failed.exists():
            raise Unavailable(failed.read_text("utf-8"))
        try:
            server = start()
        except Unavailable as exc:
            failed.write_text(str(exc), "utf-8")
            raise
        run_wide.at_run_end(server.stop_command(), user=server.user, remove=server.base)
        known.write_text(server.as_json(), "utf-8")
        return server


def start() -> PostgresServer:
    """Initialise and start a throwaway server on a free port of 127.0.0.1."""
    bin_dir = _binaries()
    base = Path(tempfile.mkdtemp(prefix="matchbot-pg-"))
    user = SYSTEM_USER if os.geteuid() == 0 else None
    try:
        if user is not None:
            _open_for(user, base, bin_dir)
        server = PostgresServer(base, bin_dir, _free_port(), user)
        server._run(
            str(bin_dir / "initdb"),
            "-D",
            str(server.data),
            "--auth=trust",
            "--encoding=utf8",
            "--no-sync",
            "-U",
            "postgres",
        )
        options = (
            f"-h 127.0.0.1 -p {server.port} -k {base} -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c max_connections=600"
        )
        server._run(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(server.data),
            "-w",
            "-t",
            "60",
            "-l",
            str(base / "log"),
            "-o",
            options,
            "start",
        )
    except (subprocess.SubprocessError, OSError, KeyError) as exc:
        detail = getattr(exc, "stderr", None) or str(exc)
        log = base / "log"
        if log.exists():
            detail += "\n" + log.read_text("utf-8", "replace")[-2000:]
        shutil.rmtree(base, ignore_errors=True)
        raise Unavailable(f"PostgreSQL did not start: {detail.strip()}") from None
    return server
