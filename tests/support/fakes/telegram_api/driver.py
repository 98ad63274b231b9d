"""The test driver: what a test sets up, queues, injects and inspects."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Literal

from tests.support.fakes.telegram_api.records import InjectedFailure, _Chat
from tests.support.fakes.telegram_api.wire import (
    CHANNEL_BOT,
    GROUP_ANONYMOUS_BOT,
    JSON,
    FailureKind,
    utf16_len,
)


class Driver:
    """What a test does: set up chats and users, queue updates, inject failures, inspect what
    the bot sent and wait for it."""

    def set_chat(
        self,
        chat_id: int,
        chat_type: Literal["private", "group", "supergroup", "channel"] | None = None,
        *,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
    ) -> None:
        """Declare/override a chat's type and names (otherwise derived from the id's sign)."""
        chat = self._chat(chat_id)
        if chat_type is not None:
            chat.type = chat_type
        if title is not None:
            chat.title = title
        if username is not None:
            chat.username = username
        if first_name is not None:
            chat.first_name = first_name

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                chat_type = "private"
            elif chat_id <= -1_000_000_000_000:
                chat_type = "supergroup"
            else:
                chat_type = "group"
            chat = _Chat(id=chat_id, type=chat_type)
            self._chats[chat_id] = chat
        return chat

    def _user(
        self, user_id: int, username: str | None = None, first_name: str | None = None
    ) -> JSON:
        user = self._users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": first_name or f"User{user_id}"}
            if user_id == GROUP_ANONYMOUS_BOT:
                user.update(is_bot=True, first_name="Group", username="GroupAnonymousBot")
            elif user_id == CHANNEL_BOT:
                user.update(is_bot=True, first_name="Channel", username="Channel_Bot")
            self._users[user_id] = user
        if username is not None:
            user["username"] = username
        if first_name is not None:
            user["first_name"] = first_name
        return dict(user)

    def set_user_language(self, user_id: int, language_code: str) -> None:
        """The IETF tag of the user's Telegram app language (``from.language_code``)."""
        self._user(user_id)
        self._users[user_id]["language_code"] = language_code

    def set_member_status(
        self, chat_id: int, user_id: int, status: str, *, is_anonymous: bool = False
    ) -> None:
        """Configure what getChatMember answers: creator/administrator/member/restricted/left/
        kicked (``is_anonymous``: an owner or administrator who stays anonymous in the group)."""
        valid = {"creator", "administrator", "member", "restricted", "left", "kicked"}
        if status not in valid:
            raise ValueError(f"status must be one of {sorted(valid)}")
        self._member_status[(chat_id, user_id)] = status
        if is_anonymous:
            self._anonymous_admins.add((chat_id, user_id))
        else:
            self._anonymous_admins.discard((chat_id, user_id))

    def block(self, chat_id: int) -> None:
        """Every later send/edit to *chat_id* is answered 403 (blocked by user / kicked)."""
        self._chat(chat_id).blocked = True

    def unblock(self, chat_id: int) -> None:
        self._chat(chat_id).blocked = False

    def migrate(
        self, chat_id: int, new_chat_id: int | None = None, *, announce: bool = False
    ) -> int:
        """Upgrade group *chat_id* to a supergroup; sends to the old id get the migrate answer.
        Its members keep their status (administrators stay administrators). ``announce``:
        queue the two service messages Telegram sends, ``migrate_to_chat_id`` in the old
        group and ``migrate_from_chat_id`` in the supergroup.

        Returns the new chat id (default ``-100<abs(old id)>``).
        """
        new_id = new_chat_id if new_chat_id is not None else int(f"-100{abs(chat_id)}")
        old = self._chat(chat_id)
        old.migrated_to = new_id
        new = self._chat(new_id)
        new.type = "supergroup"
        new.title = new.title or old.title
        for (member_chat, user_id), status in list(self._member_status.items()):
            if member_chat == chat_id:
                self._member_status.setdefault((new_id, user_id), status)
        if announce:
            for chat, field, other in (
                (old, "migrate_to_chat_id", new_id),
                (new, "migrate_from_chat_id", chat_id),
            ):
                self._queue_update(
                    {
                        "message": {
                            "message_id": chat.next_message_id,
                            "from": self._user(1000, None, None),
                            "chat": chat.to_json(),
                            "date": int(time.time()),
                            field: other,
                        }
                    }
                )
                chat.next_message_id += 1
        return new_id

    def fail_next(
        self,
        chat_id: int,
        kind: FailureKind,
        count: int = 1,
        *,
        retry_after: int = 1,
        new_chat_id: int | None = None,
        status: int = 500,
        delay: float = 6.0,
        deliver: bool = False,
        methods: Iterable[str] = ("sendMessage", "editMessageText"),
    ) -> None:
        """Make the next *count* requests (of *methods*) to *chat_id* fail with *kind*.

        * ``retry_after``: 429 with ``parameters.retry_after=retry_after``.
        * ``blocked``/``kicked``: 403 Forbidden; ``chat_not_found``: 400.
        * ``migrated``: 400 with ``parameters.migrate_to_chat_id`` (*new_chat_id*, default
          ``-100<abs(chat_id)>``) -- one-shot, unlike :meth:`migrate`.
        * ``server_error``: HTTP *status* (500 or 502).
        * ``timeout``: hold the request *delay* seconds (longer than the client's read timeout),
          then process it normally if *deliver* (message recorded although the client gave up)
          or answer 502.
        """
        if kind == "migrated" and new_chat_id is None:
            new_chat_id = int(f"-100{abs(chat_id)}")
        self._failures.setdefault(chat_id, []).append(
            InjectedFailure(
                kind=kind,
                remaining=count,
                methods=frozenset(m.lower() for m in methods),
                retry_after=retry_after,
                new_chat_id=new_chat_id,
                status=status,
                delay=delay,
                deliver=deliver,
            )
        )

    def _queue_update(self, payload: JSON) -> JSON:
        update: JSON = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._update_event.set()
        return update

    def user_sends(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: Literal["private", "group", "supergroup"] | None = None,
        username: str | None = None,
        first_name: str | None = None,
        chat_title: str | None = None,
        message_thread_id: int | None = None,
        sender_chat_id: int | None = None,
        automatic_forward: bool = False,
        reply_to: int | None = None,
    ) -> JSON:
        """Queue a ``message`` update as if a user wrote *text*; returns the update dict.

        ``reply_to``: the id of a message in the chat this one replies to (Telegram's "Reply":
        ``reply_to_message`` is that message, the bot's as it sent it, else a member's).

        ``user_id`` defaults to *chat_id* for private chats and 1000 otherwise.  A leading
        ``/command`` or ``/command@BotName`` gets a ``bot_command`` entity.

        ``sender_chat_id`` sends on behalf of a chat, as Telegram shows it: the group's own id
        is an anonymous administrator (``from`` is then @GroupAnonymousBot, 1087968824),
        another id is a member posting as one of their channels (``from`` is @Channel_Bot,
        136817688). ``automatic_forward``: a post of the linked channel, copied by Telegram
        into its discussion group (``sender_chat`` is that channel).
        """
        if sender_chat_id is not None and user_id is None:
            user_id = GROUP_ANONYMOUS_BOT if sender_chat_id == chat_id else CHANNEL_BOT
        chat = self._chat(chat_id)
        if chat_type is not None:
            chat.type = chat_type
        if chat_title is not None:
            chat.title = chat_title
        if user_id is None:
            user_id = chat_id if chat.type == "private" else 1000
        user = self._user(user_id, username, first_name)
        if chat.type == "private":
            chat.first_name = chat.first_name or user["first_name"]
            chat.username = chat.username or user.get("username")
        message: JSON = {
            "message_id": chat.next_message_id,
            "from": user,
            "chat": chat.to_json(),
            "date": int(time.time()),
            "text": text,
        }
        chat.next_message_id += 1
        self._senders[(chat_id, message["message_id"])] = user_id
        if message_thread_id is not None:
            message["message_thread_id"] = message_thread_id
        if sender_chat_id is not None:
            message["sender_chat"] = self._chat(sender_chat_id).to_json()
        if automatic_forward:
            message["is_automatic_forward"] = True
        if reply_to is not None:
            message["reply_to_message"] = self._replied(chat_id, reply_to)
        if text.startswith("/"):
            token = text.split(None, 1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(token)}]
        return self._queue_update({"message": message})

    def _replied(self, chat_id: int, message_id: int) -> JSON:
        """The message ``message_id`` of the chat as a reply carries it: the bot's own as it
        was sent, else a member's (the fake keeps no member's messages: one with no text)."""
        record = self._by_key.get((chat_id, message_id))
        if record is not None:
            return dict(record["message"])
        return {
            "message_id": message_id,
            "from": self._user(1000, None, None),
            "chat": self._chat(chat_id).to_json(),
            "date": int(time.time()),
            "text": "",
        }

    def channel_posts(
        self,
        chat_id: int,
        text: str,
        *,
        author_signature: str | None = None,
        title: str | None = None,
    ) -> JSON:
        """Queue a ``channel_post`` update: an administrator posted *text* in channel
        *chat_id*. Like Telegram, the post has no ``from``: it is signed by the channel itself
        (``sender_chat``), optionally with the author's name (``author_signature``)."""
        chat = self._chat(chat_id)
        chat.type = "channel"
        if title is not None:
            chat.title = title
        chat.title = chat.title or f"Channel{abs(chat_id)}"
        message: JSON = {
            "message_id": chat.next_message_id,
            "sender_chat": chat.to_json(),
            "chat": chat.to_json(),
            "date": int(time.time()),
            "text": text,
        }
        chat.next_message_id += 1
        if author_signature is not None:
            message["author_signature"] = author_signature
        if text.startswith("/"):
            token = text.split(None, 1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(token)}]
        return self._queue_update({"channel_post": message})

    def user_presses(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
        username: str | None = None,
    ) -> JSON:
        """Queue a ``callback_query`` update for a button under a message the bot sent."""
        record = self._by_key.get((chat_id, message_id))
        if record is None:
            raise KeyError(f"the bot sent no message {message_id} to chat {chat_id}")
        chat = self._chat(chat_id)
        if user_id is None:
            user_id = chat_id if chat.type == "private" else 1000
        query_id = f"{self.bot_id}{self._next_callback_id:08d}"
        self._next_callback_id += 1
        query: JSON = {
            "id": query_id,
            "from": self._user(user_id, username),
            "message": record["message"],
            "chat_instance": str(abs(chat_id) * 7919 % 10**12),
            "data": data,
        }
        self._callback_queries[query_id] = query
        return self._queue_update({"callback_query": query})

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates queued and not yet confirmed by a getUpdates ``offset``."""
        return list(self._updates)

    def messages(self, chat_id: int | None = None) -> list[JSON]:
        """Delivered messages in order (``text`` is the current text after edits)."""
        return [m for m in self._sent if chat_id is None or m["chat_id"] == chat_id]

    def reply_box(self, chat_id: int, user_id: int) -> int | None:
        """The bot's message whose reply box the app of ``user_id`` opens in the chat, as
        Telegram's ForceReply does (the latest such message): one for everyone, or a
        ``selective`` one replying to that user's message."""
        for record in reversed(self._sent):
            markup = record["reply_markup"] or {}
            if record["chat_id"] != chat_id or not markup.get("force_reply"):
                continue
            asked = self._senders.get((chat_id, record["reply_to"] or 0))
            if not markup.get("selective") or asked == user_id:
                return int(record["message_id"])
        return None

    def calls_to(self, method: str) -> list[JSON]:
        """Params of every request to *method* (case-insensitive), failed ones included."""
        return [p for m, p in self.calls if m.lower() == method.lower()]

    def violation_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for violation in self.violations:
            counts[violation.kind] = counts.get(violation.kind, 0) + 1
        return counts

    async def wait_for_messages(
        self,
        n: int,
        chat_id: int | None = None,
        timeout: float = 10,
    ) -> list[JSON]:
        """Wait until at least *n* messages (to *chat_id*) were delivered; return them."""
        try:
            async with asyncio.timeout(timeout):
                async with self._changed:
                    await self._changed.wait_for(lambda: len(self.messages(chat_id)) >= n)
        except TimeoutError:
            got = [m["text"] for m in self.messages(chat_id)]
            raise AssertionError(
                f"expected >= {n} messages to {chat_id if chat_id is not None else 'any chat'} "
                f"within {timeout}s, got {len(got)}: {got!r}"
            ) from None
        return self.messages(chat_id)

    async def wait_quiet(self, quiet: float = 0.3, timeout: float = 30) -> None:
        """Wait until no request (getUpdates' long polls aside) is being answered and none
        came for ``quiet`` seconds: all that a client now gone had sent has been read and
        answered (a test process short of CPU may read a dead client's last requests, and so
        count them against the flood limits, well after they were sent)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen, since = len(self.calls), loop.time()
        while self.requests_open or len(self.calls) != seen or loop.time() - since < quiet:
            if loop.time() > deadline:
                raise AssertionError(f"the fake Bot API was not quiet for {quiet}s in {timeout}s")
            if self.requests_open or len(self.calls) != seen:
                seen, since = len(self.calls), loop.time()
            await asyncio.sleep(0.05)

    async def wait_for_call(
        self,
        method: str,
        n: int = 1,
        timeout: float = 10,
    ) -> list[JSON]:
        """Wait until *method* was called at least *n* times; return the params."""
        try:
            async with asyncio.timeout(timeout):
                async with self._changed:
                    await self._changed.wait_for(lambda: len(self.calls_to(method)) >= n)
        except TimeoutError:
            raise AssertionError(
                f"expected >= {n} calls to {method} within {timeout}s, "
                f"got {len(self.calls_to(method))}"
            ) from None
        return self.calls_to(method)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()
