"""The ``matchbot`` command line (Typer): its commands and options. What they run is wired in
:mod:`adapters.compose` (``run``) and :mod:`adapters.console.replay` (``demo``, ``replay``,
``recap``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from adapters.compose import run_bot
from adapters.console.adapter import RULE, silence_closed_output
from adapters.console.render import FORMATS, Format
from adapters.console.replay import recaps_of_feed, replay_feed, seed_lines
from bot.feed_files import read_feed_file
from bot.logs import setup_logging
from bot.messages import i18n, templates
from bot.ports import StartupError
from bot.settings import Settings

log = logging.getLogger("matchbot")

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
    typer.Option("--lang", help="Language of alerts and recaps: en (English) or it (Italiano)."),
]
FormatOption = Annotated[
    str,
    typer.Option("--format", help="Output format: text, telegram (HTML) or discord (markdown)."),
]


def _check_format(fmt: str) -> Format:
    if fmt not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    return fmt


def _read_feed(path: Path) -> list[bytes]:
    """The file's lines, undecoded: each is decoded on its own, so a bad byte costs one line."""
    try:
        return read_feed_file(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise typer.BadParameter(f"cannot read {path}: {reason}", param_hint="FEED") from None


def _check_lang(lang: str) -> str:
    code = i18n.normalize_language(lang)
    if code is None:
        raise typer.BadParameter("choose en or it", param_hint="--lang")
    return code


@app.command()
def demo(speed: SpeedOption = 1.0, lang: LangOption = "en") -> None:
    """Replay the bundled Atalanta 0-1 Inter match on the console, then its recap."""
    lang = _check_lang(lang)
    setup_logging(Settings().log_level or "ERROR")
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
    level: Annotated[str, typer.Option(help="Which alerts to show: goals, key or all.")] = "all",
    lang: LangOption = "en",
) -> None:
    """Replay a feed file: each alert as it happens, then the full-time recap.

    Rejected lines are reported on stderr as 'line N: reason'; the exit status is 1 if any
    line was rejected (every other line is still processed)."""
    fmt_ok = _check_format(fmt)
    lang = _check_lang(lang)
    if level not in ("goals", "key", "all"):
        raise typer.BadParameter("choose goals, key or all", param_hint="--level")
    setup_logging(Settings().log_level or "ERROR")
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
) -> None:
    """Print only the full-time recap of each finished match in a feed file.

    Same rules as replay: rejected lines on stderr, exit status 1 if any."""
    fmt_ok = _check_format(fmt)
    lang = _check_lang(lang)
    setup_logging(Settings().log_level or "ERROR")
    with _quiet_when_output_closes():
        rejected, found = asyncio.run(
            recaps_of_feed(_read_feed(feed), match, fmt_ok, sys.stdout, sys.stderr, lang)
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
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        print(f"matchbot: the configuration is not valid: {problems}", file=sys.stderr)
        raise typer.Exit(2) from None
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
    except Exception:
        # Logged, not printed by Python: the log scrubs every configured secret.
        log.critical("matchbot stopped on an unexpected error", exc_info=True)
        raise typer.Exit(1) from None


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

    setup_logging("ERROR")
    raise typer.Exit(copy(source or Settings().db, to))


def main() -> None:  # pragma: no cover - console script
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
