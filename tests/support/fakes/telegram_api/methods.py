"""The Bot API methods the fake implements."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import time

from PIL import Image

from tests.support.fakes.telegram_api.records import Upload, _ApiError
from tests.support.fakes.telegram_api.wire import (
    JSON,
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_CAPTION_LENGTH,
    utf16_len,
)


class BotApiMethods:
    """The Bot API methods the fake answers, one ``_m_<name>`` each."""

    async def _m_getme(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_logout(self, params: JSON) -> bool:
        return True

    async def _m_close(self, params: JSON) -> bool:
        return True

    async def _m_setwebhook(self, params: JSON) -> bool:
        self.webhook_url = str(params.get("url", ""))
        self.webhook_params = dict(params)
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _m_deletewebhook(self, params: JSON) -> bool:
        self.webhook_url = ""
        self.webhook_params = {}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _m_getwebhookinfo(self, params: JSON) -> JSON:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _m_getupdates(self, params: JSON) -> list[JSON]:
        if self.webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        # a newer getUpdates terminates an older pending one (Telegram answers it 409)
        self._poll_generation += 1
        generation = self._poll_generation
        self._update_event.set()
        await asyncio.sleep(0)
        self._update_event.clear()
        deadline = time.monotonic() + timeout
        while not self._updates and not self._stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._update_event.wait()
            if generation != self._poll_generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if not self._updates:
                self._update_event.clear()
        return self._updates[:limit]

    @staticmethod
    def _scope_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _m_setmycommands(self, params: JSON) -> bool:
        commands = self._require(params, "commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            name = str(command.get("command", "")) if isinstance(command, dict) else ""
            if not (1 <= len(name) <= 32) or not all(
                c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in name
            ):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            description = str(command.get("description", ""))
            if not (1 <= len(description) <= 256):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._scope_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _m_getmycommands(self, params: JSON) -> list[JSON]:
        return list(self.commands.get(self._scope_key(params), []))

    async def _m_deletemycommands(self, params: JSON) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def get_commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON] | None:
        """The command list set for *scope* (default scope if None) and language."""
        return self.commands.get(self._scope_key({"scope": scope, "language_code": language_code}))

    async def _m_sendmessage(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params)
        deliver_after_hold = await self._apply_failures("sendMessage", chat_id)
        chat = self._check_chat_state(chat_id)
        plain, entities = self._format_text(params)
        markup = self._check_markup(params.get("reply_markup"))
        reply_to = self._check_reply(params, chat_id, chat.next_message_id)
        if markup and "force_reply" in markup:
            self._check_reply_box(chat.type, markup, reply_to, entities)
        paid = params.get("allow_paid_broadcast") is True
        if not deliver_after_hold:
            self._flood_check("sendMessage", chat_id, is_edit=False, paid=paid)
        message: JSON = {
            "message_id": chat.next_message_id,
            "from": self.bot_user,
            "chat": chat.to_json(),
            "date": int(time.time()),
            "text": plain,
        }
        chat.next_message_id += 1
        if entities:
            message["entities"] = entities
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        if reply_to is not None:
            message["reply_to_message"] = self._replied(chat_id, reply_to)
        thread_id = params.get("message_thread_id")
        if thread_id is not None:
            message["message_thread_id"] = thread_id
        lpo = params.get("link_preview_options")
        if isinstance(lpo, dict):
            message["link_preview_options"] = lpo
        record: JSON = {
            "chat_id": chat_id,
            "message_id": message["message_id"],
            "text": plain,
            "html": params["text"] if str(params.get("parse_mode", "")).lower() == "html" else None,
            "raw_text": params["text"],
            "entities": entities,
            "parse_mode": params.get("parse_mode"),
            "link_preview_options": lpo,
            "disable_web_page_preview": params.get("disable_web_page_preview"),
            "reply_markup": markup,
            "reply_to": reply_to,
            "allow_paid_broadcast": paid,
            "message_thread_id": thread_id,
            "disable_notification": params.get("disable_notification"),
            "protect_content": params.get("protect_content"),
            "date": message["date"],
            "received_at": time.monotonic(),
            "edits": 0,
            "deleted": False,
            "original_text": plain,
            "params": params,
            "message": message,
        }
        self._sent.append(record)
        self._by_key[(chat_id, message["message_id"])] = record
        return message

    @staticmethod
    def _check_reply_box(
        chat_type: str, markup: JSON, reply_to: int | None, entities: list[JSON]
    ) -> None:
        """A ForceReply where Telegram can open a reply box: not in a channel (the Bot API:
        "not supported in channels"); a ``selective`` one needs whom it is for, the sender
        of the message it replies to or a user mentioned (stricter than Telegram, which
        would send it to open nobody's box)."""
        if chat_type == "channel":
            raise _ApiError(400, "Bad Request: fake: ForceReply is not supported in channels")
        mentions = any(e["type"] in ("mention", "text_mention") for e in entities)
        if markup.get("selective") and reply_to is None and not mentions:
            raise _ApiError(400, "Bad Request: fake: a selective ForceReply for nobody")

    def _photo(self, photo: object) -> tuple[str, bool, tuple[int, int]]:
        """(file_id, uploaded now, size) of ``sendPhoto``'s ``photo``: an upload must be a
        picture that decodes; a string must be a file_id this fake gave."""
        if isinstance(photo, Upload):
            try:
                with Image.open(io.BytesIO(photo.data)) as image:
                    image.load()
                    size = image.size
            except Exception:
                raise _ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED") from None
            file_id = f"AgAC-photo-{len(self.photos) + 1}"
            self.photos[file_id] = photo.data
            return file_id, True, size
        if isinstance(photo, str) and photo in self.photos:
            with Image.open(io.BytesIO(self.photos[photo])) as image:
                return photo, False, image.size
        raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    async def _m_sendphoto(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params)
        deliver_after_hold = await self._apply_failures("sendPhoto", chat_id)
        chat = self._check_chat_state(chat_id)
        file_id, uploaded, (width, height) = self._photo(self._require(params, "photo"))
        caption, entities = "", []
        if params.get("caption"):
            caption, entities = self._format_text(
                {"text": params["caption"], "parse_mode": params.get("parse_mode")}
            )
            if utf16_len(caption) > MAX_CAPTION_LENGTH:
                raise _ApiError(400, "Bad Request: message caption is too long")
        if not deliver_after_hold:
            self._flood_check("sendPhoto", chat_id, is_edit=False, paid=False)
        message: JSON = {
            "message_id": chat.next_message_id,
            "from": self.bot_user,
            "chat": chat.to_json(),
            "date": int(time.time()),
            "photo": [
                {
                    "file_id": file_id,
                    "file_unique_id": file_id.rsplit("-", 1)[-1],
                    "width": width,
                    "height": height,
                    "file_size": len(self.photos[file_id]),
                }
            ],
        }
        chat.next_message_id += 1
        if caption:
            message["caption"] = caption
        if entities:
            message["caption_entities"] = entities
        record: JSON = {
            "chat_id": chat_id,
            "message_id": message["message_id"],
            "text": caption,
            "photo": file_id,
            "uploaded": uploaded,
            "html": params.get("caption"),
            "entities": entities,
            "parse_mode": params.get("parse_mode"),
            "disable_notification": params.get("disable_notification"),
            "date": message["date"],
            "received_at": time.monotonic(),
            "edits": 0,
            "deleted": False,
            "original_text": caption,
            "params": params,
            "message": message,
        }
        self._sent.append(record)
        self._by_key[(chat_id, message["message_id"])] = record
        return message

    async def _m_editmessagetext(self, params: JSON) -> JSON | bool:
        if params.get("inline_message_id"):
            raise _ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat_id = self._chat_id(params)
        message_id = self._require(params, "message_id")
        deliver_after_hold = await self._apply_failures("editMessageText", chat_id)
        self._check_chat_state(chat_id)
        plain, entities = self._format_text(params)
        markup = self._check_markup(params.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise _ApiError(400, "Bad Request: inline keyboard expected")  # edits take no other
        record = self._by_key.get((chat_id, message_id)) if isinstance(message_id, int) else None
        if record is None or record["deleted"]:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if (
            plain == record["text"]
            and entities == record["entities"]
            and markup == record["reply_markup"]
        ):
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        if not deliver_after_hold:
            self._flood_check("editMessageText", chat_id, is_edit=True, paid=False)
        old_text = record["text"]
        message = dict(record["message"])
        message["text"] = plain
        message["edit_date"] = int(time.time())
        message.pop("entities", None)
        message.pop("reply_markup", None)
        if entities:
            message["entities"] = entities
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        record.update(
            text=plain,
            entities=entities,
            reply_markup=markup,
            parse_mode=params.get("parse_mode"),
            raw_text=params["text"],
            html=params["text"] if str(params.get("parse_mode", "")).lower() == "html" else None,
            edits=record["edits"] + 1,
            message=message,
        )
        self.edits.append(
            {
                "chat_id": chat_id,
                "message_id": message_id,
                "text": plain,
                "old_text": old_text,
                "raw_text": params["text"],
                "entities": entities,
                "parse_mode": params.get("parse_mode"),
                "reply_markup": markup,
                "link_preview_options": params.get("link_preview_options"),
                "params": params,
            }
        )
        return message

    async def _m_deletemessage(self, params: JSON) -> bool:
        chat_id = self._chat_id(params)
        message_id = self._require(params, "message_id")
        record = self._by_key.get((chat_id, message_id)) if isinstance(message_id, int) else None
        if record is None or record["deleted"]:
            raise _ApiError(400, "Bad Request: message to delete not found")
        record["deleted"] = True
        return True

    async def _m_answercallbackquery(self, params: JSON) -> bool:
        query_id = str(self._require(params, "callback_query_id"))
        if query_id not in self._callback_queries:
            raise _ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        text = params.get("text")
        if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": params.get("text"),
                "show_alert": bool(params.get("show_alert", False)),
                "url": params.get("url"),
                "cache_time": params.get("cache_time"),
                "query": self._callback_queries[query_id],
            }
        )
        return True

    async def _m_sendchataction(self, params: JSON) -> bool:
        chat_id = self._chat_id(params)
        self._check_chat_state(chat_id)
        return True

    async def _m_getchatmember(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params)
        await self._apply_failures("getChatMember", chat_id)
        user_id = self._require(params, "user_id")
        if not isinstance(user_id, int):
            raise _ApiError(400, "Bad Request: invalid user_id specified")
        self._check_chat_state(chat_id)
        user = self.bot_user if user_id == self.bot_id else self._user(user_id)
        status = self._member_status.get((chat_id, user_id), "member")
        member: JSON = {"status": status, "user": user}
        anonymous = (chat_id, user_id) in self._anonymous_admins
        if status == "creator":
            member["is_anonymous"] = anonymous
        elif status == "administrator":
            member.update(
                can_be_edited=False,
                is_anonymous=anonymous,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
                can_pin_messages=True,
                can_manage_topics=False,
            )
        elif status == "restricted":
            member.update(
                is_member=True,
                can_send_messages=True,
                can_send_audios=True,
                can_send_documents=True,
                can_send_photos=True,
                can_send_videos=True,
                can_send_video_notes=True,
                can_send_voice_notes=True,
                can_send_polls=True,
                can_send_other_messages=True,
                can_add_web_page_previews=True,
                can_change_info=False,
                can_invite_users=False,
                can_pin_messages=False,
                can_manage_topics=False,
                can_edit_tag=False,
                can_react_to_messages=True,
                until_date=0,
            )
        elif status == "kicked":
            member["until_date"] = 0
        return member

    async def _m_getchat(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params)
        await self._apply_failures("getChat", chat_id)
        chat = self._check_chat_state(chat_id)
        return {
            **chat.to_json(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
