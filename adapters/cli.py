"""The ``matchbot`` command line (Typer): its commands and options. What they run is wired in
:mod:`adapters.compose` (``run``) and :mod:`adapters.console.replay` (``demo``, ``replay``,
``recap``), each imported by the commands that use it (a command starts without loading the
others' modules)."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import gc
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.levels import LEVEL_RANK
from bot.logs import setup_logging
from bot.messages import i18n

if TYPE_CHECKING:
    from adapters.console.render import Format
    from bot.settings import Settings

log = logging.getLogger("matchbot")

# At exit the interpreter walks every object left for reference cycles, some 0.1 CPU-s in a
# process that loaded the bot: nothing it would find needs finalising (the commands close the
# store, the connections and the logs themselves), so they are frozen out of that collection.
atexit.register(gc.freeze)

#: Whether the cyclic garbage collector is paused while the process starts (see :func:`main`).
_start_paused = False


def _loaded() -> None:
    """The command has loaded its modules: the garbage collector, paused by :func:`main`
    while the process started, runs again, and what the start made (modules, classes, their
    schemas, kept to the end of the process, no garbage among them) is left out of its
    sight (:func:`gc.freeze`): later collections walk only what the command makes."""
    global _start_paused
    if _start_paused:
        _start_paused = False
        gc.freeze()
        gc.enable()


app = typer.Typer(
    help="Live football match alerts and full-time recaps for Telegram, Discord and the console.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


@contextlib.contextmanager
def _quiet_when_output_closes() -> Iterator[None]:
    """``matchbot demo | head -1``: a reader that goes away ends the command quietly, exit 0."""
    try:
        yield
    except BrokenPipeError:
        from adapters.console.adapter import silence_closed_output

        silence_closed_output(sys.stdout)
        raise typer.Exit(0) from None


SpeedOption = Annotated[
    float,
    typer.Option(
        "--speed",
        min=0.0,
        help="Replay pace: 1 plays a match in under a minute, 2 twice as fast, 0 instantly.",
    ),
]
LangOption = Annotated[
    str,
    typer.Option(
        "--lang",
        help="Language of alerts and recaps: "
        + " or ".join(f"{code} ({name})" for code, name in i18n.LANGUAGES.items())
        + ".",
    ),
]
FormatOption = Annotated[
    str,
    typer.Option("--format", help="Output format: text, telegram (HTML) or discord (markdown)."),
]


def _check_format(fmt: str) -> Format:
    from adapters.console.render import FORMATS

    if fmt not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    return fmt


def _read_feed(path: Path) -> list[bytes]:
    """The file's lines, undecoded: each is decoded on its own, so a bad byte costs one line."""
    from bot.feed_files import read_feed_file

    try:
        return read_feed_file(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise typer.BadParameter(f"cannot read {path}: {reason}", param_hint="FEED") from None


def _check_lang(lang: str) -> str:
    code = i18n.normalize_language(lang)
    if code is None:
        raise typer.BadParameter(f"choose {' or '.join(i18n.LANGUAGES)}", param_hint="--lang")
    return code


def _log_errors_only() -> None:
    """The console commands log errors only, unless ``MATCHBOT_LOG_LEVEL`` says otherwise."""
    from bot.settings import Settings

    setup_logging(Settings().log_level or "ERROR")


@app.command()
def demo(speed: SpeedOption = 1.0, lang: LangOption = "en") -> None:
    """Replay the bundled Atalanta 0-1 Inter match on the console, then its recap."""
    from adapters.console.adapter import RULE
    from adapters.console.replay import replay_feed, seed_lines
    from bot.messages import templates

    _loaded()
    lang = _check_lang(lang)
    _log_errors_only()
    with _quiet_when_output_closes():
        with i18n.use(lang):
            print(*templates.console_demo_intro("Atalanta", "Inter", "Serie A"), sep="\n")
        print(RULE)
        asyncio.run(replay_feed(seed_lines(), speed=speed, lang=lang))


@app.command()
def replay(
    feed: Annotated[Path, typer.Argument(help="A feed file (JSON Lines, feed format v1).")],
    speed: SpeedOption = 1.0,
    fmt: FormatOption = "text",
    level: Annotated[
        str, typer.Option(help=f"Which alerts to show: {', '.join(LEVEL_RANK)}.")
    ] = "all",
    lang: LangOption = "en",
) -> None:
    """Replay a feed file: each alert as it happens, then the full-time recap.

    Rejected lines are reported on stderr as 'line N: reason'; the exit status is 1 if any
    line was rejected (every other line is still processed)."""
    from adapters.console.replay import replay_feed

    _loaded()
    fmt_ok = _check_format(fmt)
    lang = _check_lang(lang)
    if level not in LEVEL_RANK:
        raise typer.BadParameter(f"choose {', '.join(LEVEL_RANK)}", param_hint="--level")
    _log_errors_only()
    with _quiet_when_output_closes():
        rejected = asyncio.run(
            replay_feed(_read_feed(feed), fmt=fmt_ok, speed=speed, level=level, lang=lang)
        )
    raise typer.Exit(1 if rejected else 0)


@app.command()
def recap(
    feed: Annotated[Path, typer.Argument(help="A feed file (JSON Lines, feed format v1).")],
    match: Annotated[str | None, typer.Option(help="Only this match id.")] = None,
    fmt: FormatOption = "text",
    lang: LangOption = "en",
    card: Annotated[
        Path | None,
        typer.Option(help="Also write the match card picture (PNG) of the first recap here."),
    ] = None,
) -> None:
    """Print only the full-time recap of each finished match in a feed file.

    Same rules as replay: rejected lines on stderr, exit status 1 if any."""
    from adapters.console.replay import recaps_of_feed

    _loaded()
    fmt_ok = _check_format(fmt)
    lang = _check_lang(lang)
    _log_errors_only()
    with _quiet_when_output_closes():
        rejected, found = asyncio.run(
            recaps_of_feed(_read_feed(feed), match, fmt_ok, sys.stdout, sys.stderr, lang, card=card)
        )
    if match and not found:
        raise typer.Exit(2)
    raise typer.Exit(1 if rejected else 0)


@app.command()
def run() -> None:
    """Run the bot until Ctrl+C or SIGTERM.

    Configuration comes from the environment and `./.env` (every variable is in `.env.example`).
    With `TELEGRAM_BOT_TOKEN` and/or `DISCORD_BOT_TOKEN` set it serves those platforms; with
    neither, this terminal becomes a chat fed by the bundled match (or by `MATCHBOT_FEEDS`).
    """
    from adapters.compose import run_bot
    from bot.ports import Fatal, StartupError

    _loaded()
    settings = _settings_or_exit()
    console = settings.telegram_bot_token is None and settings.discord_bot_token is None
    setup_logging(
        settings.log_level or ("WARNING" if console else "INFO"),
        settings.secrets(),
        settings.log_format,
    )
    try:
        asyncio.run(run_bot(settings))
    except StartupError as exc:
        log.error("cannot start: %s", exc)
        raise typer.Exit(2) from None
    except Fatal as exc:  # a token rejected while running: one line, and no restart helps
        log.error("stopped: %s", exc)
        raise typer.Exit(2) from None
    except Exception:
        # Logged, not printed by Python: the log scrubs every configured secret.
        log.critical("matchbot stopped on an unexpected error", exc_info=True)
        raise typer.Exit(1) from None


def _settings_or_exit() -> Settings:
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        print(f"matchbot: the configuration is not valid: {problems}", file=sys.stderr)
        raise typer.Exit(2) from None


def _sqlite_only(settings: Settings, command: str) -> None:
    """``backup`` and ``restore`` are the SQLite file's; PostgreSQL has its own tools."""
    if settings.database_url is not None:
        tool = "pg_dump" if command == "backup" else "pg_restore"
        print(
            f"matchbot {command}: the database is PostgreSQL (MATCHBOT_DATABASE_URL): use {tool}"
            " (docs/deploy.md)",
            file=sys.stderr,
        )
        raise typer.Exit(2)


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n / 1000:.0f} kB"


@app.command()
def doctor() -> None:
    """Check the configuration, sending nothing to any chat: each platform token (which bot
    it is), webhook, the database (opens, schema, integrity, free disk, a running bot), data
    providers (reachable, key accepted, requests left), feeds and time zones. Tokens and keys
    are never printed. Exit status 0 when all is well, 1 naming each problem otherwise."""
    from adapters.ops.doctor import diagnose, table

    _loaded()
    settings = _settings_or_exit()
    setup_logging(settings.log_level or "ERROR", settings.secrets(), settings.log_format)
    checks = asyncio.run(diagnose(settings))
    print(table(checks))
    problems = [c for c in checks if c.status == "FAIL"]
    if problems:
        print(f"{len(problems)} problem(s):", file=sys.stderr)
        for check in problems:
            print(f"- {check.name}: {check.detail}", file=sys.stderr)
        raise typer.Exit(1)
    print("\nall is well")


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the copy (a new file).")],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Copy the database (`MATCHBOT_DB`) to FILE, consistently, while the bot runs and sends.

    The copy is one committed state of the database (SQLite's online backup API), checked
    for integrity before it is put in place; the bot is not stopped."""
    from storage import backup as backups
    from storage.ops import StoreProblem

    _loaded()
    settings = _settings_or_exit()
    _sqlite_only(settings, "backup")
    try:
        copied = backups.backup(settings.db, file, overwrite=force)
    except StoreProblem as exc:
        print(f"matchbot backup: {exc}", file=sys.stderr)
        raise typer.Exit(1) from None
    print(
        f"backed up {settings.db} to {copied.path} ({_size(copied.bytes)}, "
        f"{copied.subscriptions} subscriptions, {copied.outbox_pending} messages pending, "
        f"integrity ok, {copied.seconds:.1f} s)"
    )


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A backup made by `matchbot backup`.")],
) -> None:
    """Put a backup back as the database (`MATCHBOT_DB`). Stop the bot first: while a
    `matchbot run` holds the database this refuses. The database it replaces is kept as
    `<database>.before-restore-<time>`."""
    from storage import backup as backups
    from storage import lock as database_lock
    from storage.ops import StoreProblem

    _loaded()
    settings = _settings_or_exit()
    _sqlite_only(settings, "restore")
    try:
        with database_lock.exclusive(settings.db):
            restored, kept = backups.restore(file, settings.db)
    except database_lock.DatabaseInUse as exc:
        print(f"matchbot restore: stop the bot first: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    except (database_lock.LockError, StoreProblem) as exc:
        print(f"matchbot restore: {exc}", file=sys.stderr)
        raise typer.Exit(1) from None
    if kept is not None:
        print(f"the database it replaces is kept as {kept}")
    print(
        f"restored {file} as {settings.db} ({restored.subscriptions} subscriptions, "
        f"{restored.outbox_pending} messages pending, integrity ok); start the bot again"
    )


@app.command("migrate-db")
def migrate_db(
    to: Annotated[
        str,
        typer.Option("--to", help="The PostgreSQL database: postgresql://user:password@host/db"),
    ],
    source: Annotated[
        Path | None,
        typer.Option("--from", help="The SQLite store to copy (default: MATCHBOT_DB)."),
    ] = None,
) -> None:
    """Copy the SQLite store into an empty PostgreSQL database, and check the counts.

    Subscriptions, chats and their settings, follows, matches, the outbox and everything
    else: `matchbot run` with `MATCHBOT_DATABASE_URL` set to the same URL carries on. Stop
    the bot running on the SQLite file first (the copy refuses while it runs).
    """
    from adapters.migrate_db import migrate_db as copy
    from bot.settings import Settings

    _loaded()
    setup_logging("ERROR")
    raise typer.Exit(copy(source or Settings().db, to))


def main() -> None:
    """The ``matchbot`` program. While it starts, it imports some hundred thousand objects
    that live as long as it does; the cyclic garbage collector would walk them again and
    again as they come (some 130 collections), finding nothing: it is paused until the
    command has loaded its modules (:func:`_loaded`)."""
    global _start_paused
    if gc.isenabled():
        gc.disable()
        _start_paused = True
    try:
        app()
    finally:
        if _start_paused:  # a command that ended before loading its modules
            _start_paused = False
            gc.enable()


if __name__ == "__main__":  # pragma: no cover
    main()
