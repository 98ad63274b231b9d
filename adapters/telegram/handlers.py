"""Telegram updates in, core commands and button presses out.

Replies are never sent from here: the core queues them in the durable outbox under a key made
from the update id (a re-delivered update cannot answer twice) and the delivery loop sends
them, paced like every other message.
"""

from __future__ import annotations

import dataclasses
import logging

from telegram import CallbackQuery, Chat, ChatMember, Update
from telegram import Message as TgMessage
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.command_catalogue import CATALOGUE
from bot.command_text import parse_command
from bot.command_types import Catalogue
from bot.commands import parse_press, press_needs_rights
from bot.ports import CommandContext, CoreAPI

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CHANNEL_POST, Update.CALLBACK_QUERY]
ADMIN_STATUSES = frozenset({ChatMember.OWNER, ChatMember.ADMINISTRATOR})
#: The user Telegram shows as the sender of an anonymous group admin's messages.
GROUP_ANONYMOUS_BOT = 1087968824
CHAT_KINDS = {
    Chat.PRIVATE: "private",
    Chat.GROUP: "group",
    Chat.SUPERGROUP: "group",
    Chat.CHANNEL: "channel",
}

Context = ContextTypes.DEFAULT_TYPE


def reply_key(update: Update, chat_id: int) -> str:
    """The outbox key of the answer to ``update`` (ends with the chat id, so a migrated group's
    pending answers move with it)."""
    return f"reply:telegram:{update.update_id}:{chat_id}"


class UpdateHandlers:
    """The PTB handlers of one running bot."""

    def __init__(
        self, core: CoreAPI, *, admin_only: bool = True, catalogue: Catalogue = CATALOGUE
    ) -> None:
        self.core = core
        self.admin_only = admin_only
        self.catalogue = catalogue
        #: The bare commands a shared group may address to this bot: those of its menu, and
        #: their aliases. A reporter names the bot (``/report@MatchBot``): a bare /report may
        #: be another bot's.
        self.known = catalogue.names_where(catalogue.menu("telegram"))
        #: commands whose answer depends on the sender's rights (the others skip asking)
        self.may_change_chat = catalogue.names_where(c for c in catalogue if c.who == "managers")

    def install(self, app: Application) -> None:  # type: ignore[type-arg]
        posts = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
        app.add_handler(MessageHandler(posts & filters.COMMAND, self.on_command))
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate))
        app.add_handler(CallbackQueryHandler(self.on_press))
        app.add_handler(
            MessageHandler(
                filters.UpdateType.MESSAGE
                & filters.ChatType.PRIVATE
                & filters.TEXT
                & ~filters.COMMAND,
                self.on_private_text,
            )
        )
        app.add_handler(
            MessageHandler(
                filters.UpdateType.MESSAGE
                & filters.ChatType.GROUPS
                & filters.REPLY
                & filters.TEXT
                & ~filters.COMMAND,
                self.on_group_reply,
            )
        )
        app.add_error_handler(self.on_error)

    # --- handlers ----------------------------------------------------------------------------

    async def on_command(self, update: Update, context: Context) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or not message.text:
            return
        if message.is_automatic_forward:
            return  # a channel post copied into its discussion group: the channel's, not a command
        parsed = parse_command(message.text, context.bot.username, self.catalogue)
        if parsed is None:
            return
        if chat.type != Chat.PRIVATE and parsed.typed not in self.known and not parsed.addressed:
            return  # another bot's command in a shared group: not ours to answer
        rights = parsed.typed in self.may_change_chat
        ctx = await self.context(update, message, chat, context, rights)
        await self.core.command(ctx, parsed.typed, parsed.args, reply_key(update, chat.id))

    async def on_migrate(self, update: Update, context: Context) -> None:
        """A group upgraded to a supergroup: Telegram says so in the old group
        (``migrate_to_chat_id``) and in the new one (``migrate_from_chat_id``); either moves
        the chat at once, before any send to the old id is refused."""
        message = update.effective_message
        if message is None:
            return
        if message.migrate_to_chat_id:
            old, new = message.chat.id, message.migrate_to_chat_id
        elif message.migrate_from_chat_id:
            old, new = message.migrate_from_chat_id, message.chat.id
        else:
            return
        await self.core.chat_moved("telegram", str(old), str(new))

    async def on_press(self, update: Update, context: Context) -> None:
        """A button press. It acts only on the chat of the message that carried the button
        (callback data never names a chat), and only if the presser — ``from``, always the
        real user, even for an anonymous admin or in a channel — has the rights a command
        would need there. A refusal is a short alert on the presser's screen, not a message
        in the chat."""
        query = update.callback_query
        if query is None:
            return
        if query.message is None:  # a button of an inline-mode message: the bot has none
            await self._answer(query, await self.core.press_refusal(self._nobody(), ""))
            return
        chat = query.message.chat
        press = parse_press(query.data or "", self.catalogue)
        kind = CHAT_KINDS.get(chat.type, "group")
        rights_matter = press is not None and press_needs_rights(press, kind)
        ctx = await self.press_context(query, chat, context, rights_matter)
        refusal = await self.core.press_refusal(ctx, query.data or "")
        if refusal is not None:
            log.info(
                "telegram: refused button %r of user %s in chat %s",
                query.data,
                query.from_user.id,
                chat.id,
            )
            await self._answer(query, refusal)
            return
        await self._answer(query, None)  # stop the spinner at once; the answer is a message
        assert query.data is not None
        await self.core.press(
            ctx, query.data, reply_key(update, chat.id), str(query.message.message_id)
        )

    @staticmethod
    async def _answer(query: CallbackQuery, alert: str | None) -> None:
        """answerCallbackQuery: a refusal as an alert the presser must dismiss."""
        try:
            if alert is None:
                await query.answer()
            else:
                await query.answer(alert, show_alert=True)
        except TelegramError as exc:  # too old (over 15 s) or already answered
            log.info("telegram: could not answer a button press: %s", exc.message)

    @staticmethod
    def _nobody() -> CommandContext:
        return CommandContext(platform="telegram", chat_id="", user_id="", can_manage=False)

    async def on_private_text(self, update: Update, context: Context) -> None:
        """Plain words in a private chat: the answer to the bot's question ("Which team…?"
        after a bare /subscribe), else the help, so the user sees the commands."""
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None:
            return
        ctx = await self.context(update, message, chat, context)  # a private chat: no lookup
        key = reply_key(update, chat.id)
        replying_to = self._replying_to(message, context)
        if await self.core.answer(ctx, message.text or "", key, replying_to) is None:
            await self.core.command(dataclasses.replace(ctx, can_manage=False), "help", "", key)

    async def on_group_reply(self, update: Update, context: Context) -> None:
        """A reply to one of the bot's messages in a group: the answer to the question the
        bot asked that member (only a reply to the question's own message is); anything
        else is the members' chatter, not the bot's."""
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or message.is_automatic_forward:
            return
        replying_to = self._replying_to(message, context)
        if replying_to is None:
            return
        # Who the member is first, without their rights: nearly every reply to the bot is
        # chatter, and a getChatMember is spent only on the answer to a question that needs it.
        ctx = await self.context(update, message, chat, context, rights_matter=False)
        asked = await self.core.asked(ctx, replying_to)
        if asked is None:
            return
        if asked in self.may_change_chat:
            user = update.effective_user
            can_manage = await self.can_manage(
                ctx.chat_kind, chat, message, user.id if user else None, context
            )
            ctx = dataclasses.replace(ctx, can_manage=can_manage)
        await self.core.answer(ctx, message.text or "", reply_key(update, chat.id), replying_to)

    @staticmethod
    def _replying_to(message: TgMessage, context: Context) -> str | None:
        """The id of the bot's own message ``message`` replies to, if it replies to one."""
        replied = message.reply_to_message
        if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
            return None
        return str(replied.message_id)

    async def on_error(self, update: object, context: Context) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("telegram update %s failed", update_id, exc_info=context.error)

    # --- who is asking -----------------------------------------------------------------------

    async def context(
        self,
        update: Update,
        message: TgMessage | None,
        chat: Chat,
        context: Context,
        rights_matter: bool = True,
    ) -> CommandContext:
        """``rights_matter``: False when the command's answer does not depend on the sender's
        rights (``/score``), so no ``getChatMember`` is spent on it."""
        user = update.effective_user
        kind = CHAT_KINDS.get(chat.type, "group")
        can_manage = rights_matter and await self.can_manage(
            kind, chat, message, user.id if user else None, context
        )
        # A message sent on behalf of a chat (an anonymous admin, a channel) is that chat's:
        # its ``from`` is a placeholder bot shared by every such message on Telegram.
        sender = message.sender_chat if message is not None else None
        who = sender.id if sender is not None else user.id if user is not None else chat.id
        return CommandContext(
            platform="telegram",
            chat_id=str(chat.id),
            user_id=str(who),
            chat_kind=kind,
            chat_title=chat.title or chat.full_name or chat.username,
            can_manage=can_manage,
            user_language=user.language_code if user else None,
            message_id=str(message.message_id) if message is not None else None,
        )

    async def press_context(
        self, query: CallbackQuery, chat: Chat, context: Context, rights_matter: bool
    ) -> CommandContext:
        """Who pressed a button, where, and whether they may change the chat."""
        user = query.from_user
        kind = CHAT_KINDS.get(chat.type, "group")
        can_manage = rights_matter and await self.presser_may_manage(kind, chat, user.id, context)
        return CommandContext(
            platform="telegram",
            chat_id=str(chat.id),
            user_id=str(user.id),
            chat_kind=kind,
            chat_title=chat.title or chat.full_name or chat.username,
            can_manage=can_manage,
            user_language=user.language_code,
        )

    async def presser_may_manage(
        self, kind: str, chat: Chat, user_id: int, context: Context
    ) -> bool:
        """A private chat: its own user. A group: anyone unless admin-only, else its
        administrators. A channel: its administrators, always (every reader can press)."""
        if kind == "private":
            return user_id == chat.id
        if kind == "group" and not self.admin_only:
            return True
        return await self.is_admin(chat.id, user_id, context)

    async def can_manage(
        self,
        kind: str,
        chat: Chat,
        message: TgMessage | None,
        user_id: int | None,
        context: Context,
    ) -> bool:
        """Who wrote a command may change the chat?

        Private chats: yes. Channels: a post signed by the channel itself (only its
        administrators can post), else a user who is its administrator. Groups: anyone unless
        admin-only, else the chat's administrators, including an anonymous admin (who posts
        as the group itself); posting as another chat (a channel) gives no rights."""
        if kind == "private":
            return True
        if kind == "group" and not self.admin_only:
            return True
        if message is not None and message.sender_chat is not None:
            return message.sender_chat.id == chat.id
        if user_id is None or user_id == GROUP_ANONYMOUS_BOT:
            return False  # an anonymous admin always comes with sender_chat
        return await self.is_admin(chat.id, user_id, context)

    async def is_admin(self, chat_id: int, user_id: int, context: Context) -> bool:
        """getChatMember, asked each time (only commands and presses that change the chat
        need it, and a demoted admin must lose the rights at once); a failed lookup is a no."""
        try:
            member = await context.bot.get_chat_member(chat_id, user_id)
        except TelegramError as exc:
            log.warning("telegram: cannot check admin rights in %s: %s", chat_id, exc.message)
            return False
        return member.status in ADMIN_STATUSES
