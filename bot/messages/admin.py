"""What the bot tells its operator in ``MATCHBOT_ADMIN_CHAT``: start, stop, and the faults
they must fix (always in English, like the logs: it is the operator who reads them)."""

from __future__ import annotations

from bot.messages.model import Message, bold, line

ICONS = {"start": "🟢", "stop": "⏹", "fault": "⚠️", "fixed": "✅"}


def admin_notice(kind: str, text: str) -> Message:
    """``kind``: ``start``, ``stop``, ``fault`` or ``fixed``."""
    return Message(
        kind="admin", headline=line(f"{ICONS.get(kind, 'ℹ️')} ", bold("matchbot"), f": {text}")
    )
