"""A fan's plain words as the answer to the bot's question.

A command that needs an argument and got none asks for it ("Which team…?" after a bare
``/subscribe``: the message's ``asks`` names the command). When that answer is queued, the
question is kept for the user in that chat (:meth:`bot.store_contract.QuestionStore.ask`); the
words the user writes next, without a slash, then run as that command with the words as its
argument: ``intr`` after ``/subscribe`` is ``/subscribe intr`` (the same search, choices and
answer). Whatever else the bot answers that user there (another command, a button, the answer
itself) replaces the question, so later words are never taken for it.

Where: in a private chat (and the console) the next words; in a group only a reply to the
question's own message (Telegram's "Reply"), by the member who was asked, so the members'
chatter is never read as an answer. A reply to another of the bot's messages is no answer.

How long: the question is kept in the database (a restart does not lose it) and expires
:data:`QUESTION_TTL` after it was asked: words written much later are more likely something
else than the answer, and then get what plain words get without a question.
"""

from __future__ import annotations

from bot.messages.model import Message
from bot.ports import CommandContext
from bot.store_contract import CoreStore

#: seconds a question waits for its answer
QUESTION_TTL = 600.0


def asked_command(
    store: CoreStore, ctx: CommandContext, replying_to: str | None, now: float
) -> str | None:
    """The command whose argument ``ctx``'s user answers with plain words now, or None (no
    question, expired, or, in a group or as a reply, not a reply to the question's message).
    ``replying_to``: the platform's id of the bot's message the words reply to."""
    asked = store.question(ctx.platform, ctx.chat_id, ctx.user_id)
    if asked is None:
        return None
    if now - asked["asked_at"] > QUESTION_TTL:
        store.drop_question(ctx.platform, ctx.chat_id, ctx.user_id)
        return None
    if replying_to is None and ctx.chat_kind != "private":
        return None
    if replying_to is not None:
        replied = store.sent_key(ctx.platform, ctx.chat_id, replying_to)
        if replied != asked["key"]:
            return None
    return asked["command"]


def remember_question(
    store: CoreStore, ctx: CommandContext, queued: Message | None, key: str, now: float
) -> None:
    """Keep the question the reply ``queued`` under ``key`` asks ``ctx``'s user, or forget the
    one they had: the bot said something else to them there (``queued`` None: nothing)."""
    if queued is not None and queued.asks is not None:
        store.ask(ctx.platform, ctx.chat_id, ctx.user_id, queued.asks, key, now)
    else:
        store.drop_question(ctx.platform, ctx.chat_id, ctx.user_id)
