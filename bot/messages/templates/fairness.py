"""The one note a chat gets when its members ask faster than the bot answers."""

from __future__ import annotations

from bot.messages.i18n import _
from bot.messages.model import Message
from bot.messages.templates.vocabulary import reply


def slow_down() -> Message:
    """Answers beyond a chat's small burst are dropped: this note says so, once."""
    return reply(
        _("🐢 Too many commands at once: I answered the first ones and skipped the rest."),
        _("Please wait a minute before asking again."),
    )


def pressed_again() -> Message:
    """The same button again, within seconds: it acted once, and nothing more is said in the
    chat (this is only for a platform that shows every answer)."""
    return reply(_("Done already: that button was just pressed."))
