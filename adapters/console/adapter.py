"""The bot in a terminal: messages are printed, and what the user types is a command.

The console is one chat (``console:local``). It cannot edit what it printed, so a cancelled
goal shows up as a correction below the original alert.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

from adapters.console.render import Format, console_text
from adapters.rendering import RenderCache
from bot.command_catalogue import CATALOGUE
from bot.command_text import parse_command
from bot.command_types import Catalogue
from bot.messages import i18n, templates
from bot.messages.model import Message
from bot.ports import CannotEdit, ChatUnreachable, CommandContext, CoreAPI, Pacing
from bot.safe_text import neutralise

log = logging.getLogger(__name__)

CHAT_ID = "local"
RULE = "─" * 48


class ConsoleAdapter:
    """Prints messages to ``out`` (in ``fmt``: plain text, or a preview of Telegram's or
    Discord's format); reads commands from ``stdin`` when ``interactive``."""

    platform = "console"
    pacing = Pacing(max_in_flight=1)

    def __init__(
        self,
        out: TextIO | None = None,
        *,
        fmt: Format = "text",
        interactive: bool = False,
        on_exit: Callable[[], None] | None = None,
        catalogue: Catalogue = CATALOGUE,
    ) -> None:
        self.out = out or sys.stdout
        #: the commands typed lines are read against (the bot's own but in tests)
        self.catalogue = catalogue
        self.fmt = fmt
        #: each message rendered once, however many times it is printed
        self.render = RenderCache(lambda message: console_text(message, fmt))
        self.interactive = interactive
        self.on_exit = on_exit
        self._core: CoreAPI | None = None
        self._count = 0
        self._buttons: list[str] = []
        self._reader: asyncio.Task[None] | None = None

    def is_group(self, chat_id: str) -> bool:
        return False

    async def start(self, core: CoreAPI) -> None:
        self._core = core
        if self.interactive:
            self._reader = asyncio.create_task(self._read_commands())

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def send(self, chat_id: str, message: Message) -> list[str]:
        self._count += 1
        lines = [self.render(message)]
        if message.buttons:
            self._buttons = [b.action for b in message.buttons]
            choices = "  ".join(
                f"[{i}] {neutralise(b.label)}" for i, b in enumerate(message.buttons, 1)
            )
            with i18n.use(await self._language()):
                lines.append(f"{choices}   {templates.console_choose()}")
        try:
            print("\n".join(lines), RULE, sep="\n", file=self.out, flush=True)
        except BrokenPipeError:
            # The reader went away (`matchbot demo | head`): stop quietly, like any Unix tool.
            silence_closed_output(self.out)
            raise ChatUnreachable("the console's output was closed") from None
        return [str(self._count)]

    async def edit(self, chat_id: str, message_ids: list[str], message: Message) -> None:
        raise CannotEdit("a terminal cannot change what it printed")

    async def _language(self) -> str:
        """The console chat's language (``/settings language it``), for what it says itself."""
        if self._core is None:
            return i18n.DEFAULT_LANGUAGE
        try:
            return await self._core.language(self.context())
        except Exception:  # the store is closing: English rather than nothing
            log.debug("no language for the console", exc_info=True)
            return i18n.DEFAULT_LANGUAGE

    def context(self) -> CommandContext:
        return CommandContext(
            platform=self.platform, chat_id=CHAT_ID, user_id="console", chat_title="console"
        )

    async def handle_input(self, text: str, reply_key: str) -> None:
        """One line the user typed: a command, a button's number, or the answer to the bot's
        question (``inter`` after a bare ``/subscribe``)."""
        assert self._core is not None
        text = text.strip()
        if not text:
            return
        if text.isdigit() and 0 < int(text) <= len(self._buttons):
            await self._core.press(self.context(), self._buttons[int(text) - 1], reply_key)
            return
        parsed = parse_command(text, catalogue=self.catalogue)
        if parsed is not None:
            await self._core.command(self.context(), parsed.typed, parsed.args, reply_key)
        elif await self._core.answer(self.context(), text, reply_key) is None:
            with i18n.use(await self._language()):
                print(templates.console_not_a_command(), RULE, sep="\n", file=self.out, flush=True)

    async def _read_commands(self) -> None:
        loop = asyncio.get_running_loop()
        stamp = time.time_ns()
        n = 0
        while True:
            raw = await loop.run_in_executor(None, sys.stdin.readline)
            if raw == "" or raw.strip().casefold() in {"/quit", "quit", "exit", "/exit"}:
                if raw == "" and n == 0:
                    log.warning(
                        "the console chat has no input (stdin is closed), so it stops. To run"
                        " on Telegram or Discord, set TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN."
                    )
                if self.on_exit is not None:
                    self.on_exit()
                return
            n += 1
            try:
                await self.handle_input(raw, f"reply:console:{stamp}:{n}")
            except Exception as exc:  # one bad line must not end the session
                with i18n.use(await self._language()):
                    failed = templates.console_failed(neutralise(str(exc)))
                print(failed, file=self.out, flush=True)


def silence_closed_output(stream: TextIO) -> None:
    """Point a closed output at /dev/null, so later writes and the final flush do not fail."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
