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

What it costs: :class:`Questions` also knows, without asking the database, which users may
have a question waiting — when this process is the database's only user (SQLite: one running
bot per database), it has seen every question asked since it opened the database and read
those asked before. So an answer to someone with no question (nearly every answer) costs no
statement on ``questions``, and a reply in a group to one of the bot's messages needs no look-up
of the member's rights when it answers no question. On a database shared by several processes
(PostgreSQL) another process may have asked: there the database is asked every time.
"""

from __future__ import annotations

from bot.messages.model import Message
from bot.ports import CommandContext
from bot.store_contract import CoreStore

#: seconds a question waits for its answer
QUESTION_TTL = 600.0


def as_asked(message: Message, ctx: CommandContext) -> Message:
    """``message`` as sent to ``ctx``'s chat. A question in a group is a reply to the asked
    member's message that wants their reply: their app opens a reply to it (only theirs; the
    others' chatter goes on), and in a group only such a reply answers it."""
    if message.asks is None or ctx.chat_kind != "group" or ctx.message_id is None:
        return message
    return message.model_copy(update={"reply_to": ctx.message_id, "wants_reply": True})


#: who was asked: (platform, chat id, user id)
Asked = tuple[str, str, str]


class Questions:
    """The questions waiting for an answer. Written on the database thread only;
    :meth:`may_be_waiting` is also asked on the event loop (one dict look-up, before the
    database thread is asked anything)."""

    def __init__(self, shared: bool) -> None:
        """``shared``: other processes may ask questions in the same database (then only the
        database knows who has one)."""
        self.shared = shared
        #: when this process is the database's only user: when each question that may still
        #: be waiting was asked (every question not here has been answered or has expired)
        self._asked_at: dict[Asked, float] = {}
        self._sweep_at = 64

    def load(self, store: CoreStore, now: float) -> None:
        """Read the questions asked before this process opened the database that have not
        expired yet (those may still be answered)."""
        if self.shared:
            return
        for row in store.questions_since(now - QUESTION_TTL):
            self._asked_at[(row["platform"], row["chat_id"], row["user_id"])] = row["asked_at"]

    def may_be_waiting(self, ctx: CommandContext, now: float) -> bool:
        """Whether ``ctx``'s user may have a question waiting in ``ctx``'s chat (False: they
        surely have none, and the database need not be asked)."""
        if self.shared:
            return True
        asked_at = self._asked_at.get((ctx.platform, ctx.chat_id, ctx.user_id))
        return asked_at is not None and now - asked_at <= QUESTION_TTL

    def asked_command(
        self, store: CoreStore, ctx: CommandContext, replying_to: str | None, now: float
    ) -> str | None:
        """The command whose argument ``ctx``'s user answers with plain words now, or None
        (no question, expired, or, in a group or as a reply, not a reply to the question's
        message). ``replying_to``: the platform's id of the bot's message the words reply to."""
        if replying_to is None and ctx.chat_kind != "private":
            return None
        if not self.may_be_waiting(ctx, now):
            return None
        asked = store.question(ctx.platform, ctx.chat_id, ctx.user_id)
        if asked is None:
            return None
        if now - asked["asked_at"] > QUESTION_TTL:
            self._drop(store, ctx)
            return None
        if replying_to is not None:
            replied = store.sent_key(ctx.platform, ctx.chat_id, replying_to)
            if replied != asked["key"]:
                return None
        return asked["command"]

    def remember(
        self, store: CoreStore, ctx: CommandContext, queued: Message | None, key: str, now: float
    ) -> None:
        """Keep the question the reply ``queued`` under ``key`` asks ``ctx``'s user, or forget
        the one they had: the bot said something else to them there (``queued`` None:
        nothing). A user with no question waiting costs no statement."""
        if queued is not None and queued.asks is not None:
            store.ask(ctx.platform, ctx.chat_id, ctx.user_id, queued.asks, key, now)
            if not self.shared:
                self._asked_at[(ctx.platform, ctx.chat_id, ctx.user_id)] = now
                self._sweep(now)
        elif self.may_be_waiting(ctx, now):
            self._drop(store, ctx)

    def _drop(self, store: CoreStore, ctx: CommandContext) -> None:
        store.drop_question(ctx.platform, ctx.chat_id, ctx.user_id)
        self._asked_at.pop((ctx.platform, ctx.chat_id, ctx.user_id), None)

    def _sweep(self, now: float) -> None:
        """Forget the expired questions of users who never came back (now and then: whenever
        the questions kept have doubled since the last sweep)."""
        if len(self._asked_at) < self._sweep_at:
            return
        self._asked_at = {
            asked: at for asked, at in self._asked_at.items() if now - at <= QUESTION_TTL
        }
        self._sweep_at = max(64, 2 * len(self._asked_at))
