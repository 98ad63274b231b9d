"""The REST routes the fake implements."""

from __future__ import annotations

import json
import time

from aiohttp import web

from tests.support.fakes.discord_api.command_wire import command_errors
from tests.support.fakes.discord_api.records import (
    InteractionResponse,
    MessageEdit,
    SentMessage,
    _Interaction,
)
from tests.support.fakes.discord_api.wire import (
    CALLBACK_AUTOCOMPLETE,
    CALLBACK_DEFERRED_MESSAGE,
    CALLBACK_MESSAGE,
    CALLBACK_MODAL,
    EMBED_LINKS,
    EPHEMERAL_FLAG,
    INTERACTION_AUTOCOMPLETE,
    JSON,
    LOADING_FLAG,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    _error,
    _field_error,
    _invalid_form,
    _is_empty_message,
    _json_response,
    _max_len,
    validate_message_payload,
)


class RestMethods:
    """The REST routes the fake answers: users, applications, commands, channels, messages,
    interaction callbacks and webhooks."""

    async def _not_found(self, request: web.Request) -> web.Response:
        self.unhandled.append(self.requests[-1])
        return _error(404, "404: Not Found", 0)

    async def _get_me(self, request: web.Request) -> web.Response:
        return _json_response(self.bot_user_payload())

    async def _get_application(self, request: web.Request) -> web.Response:
        return _json_response(self._application_payload())

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return _json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        return _json_response(
            {
                "url": self.gateway_url,
                "shards": self.shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 86_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    def _scope(self, request: web.Request) -> int | web.Response | None:
        if request.match_info["app_id"] != str(self.application_id):
            return _error(403, "Missing Access", 50001)
        guild = request.match_info.get("guild_id")
        if guild is None:
            return None
        if int(guild) not in self.guilds:
            return _error(403, "Missing Access", 50001)
        return int(guild)

    async def _get_commands(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        if isinstance(scope, web.Response):
            return scope
        return _json_response(self.synced_commands.get(scope, []))

    async def _put_commands(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        if isinstance(scope, web.Response):
            return scope
        raw = await request.read()
        payload = json.loads(raw) if raw else []
        if not isinstance(payload, list):
            return _invalid_form({"_errors": [{"code": "LIST_TYPE_CONVERT", "message": "list"}]})
        errors: JSON = {}
        for index, cmd in enumerate(payload):
            cmd_errors = command_errors(cmd) if isinstance(cmd, dict) else {"_errors": []}
            if cmd_errors:
                errors[str(index)] = cmd_errors
        if len(payload) > 100:
            errors["_errors"] = _max_len(100)["_errors"]
        if errors:
            return _invalid_form(errors)
        stored: list[JSON] = []
        for cmd in payload:
            key = (scope, str(cmd["name"]))
            cmd_id = self._command_ids.setdefault(key, self._ids.next())
            entry: JSON = {
                "type": 1,
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                "contexts": None,
                "integration_types": [0],
                **cmd,
                "id": str(cmd_id),
                "application_id": str(self.application_id),
                "version": str(self._ids.next()),
            }
            if scope is not None:
                entry["guild_id"] = str(scope)
            stored.append(entry)
        self.synced_commands[scope] = stored
        self.command_syncs += 1
        return _json_response(stored)

    async def _get_channel(self, request: web.Request) -> web.Response:
        access = self._channel_access(int(request.match_info["channel_id"]))
        if isinstance(access, web.Response):
            return access
        guild, channel = access
        return _json_response(channel.to_payload(guild.id))

    def _create_message(
        self, channel_id: int, body: JSON, *, source: str, interaction_id: int | None = None
    ) -> SentMessage:
        embeds = list(body.get("embeds") or ([body["embed"]] if body.get("embed") else []))
        for embed in embeds:
            embed.setdefault("type", "rich")
        msg = SentMessage(
            id=self._ids.next(),
            channel_id=channel_id,
            content=str(body.get("content") or ""),
            embeds=embeds,
            components=list(body.get("components") or []),
            allowed_mentions=body.get("allowed_mentions"),
            flags=int(body.get("flags") or 0),
            source=source,
            interaction_id=interaction_id,
            created_at=time.time(),
            nonce=body.get("nonce"),
            attachments=list(body.get("_files") or []),
        )
        self._messages[msg.id] = msg
        return msg

    def _apply_edit(self, msg: SentMessage, body: JSON, via: str) -> None:
        if "content" in body:
            msg.content = str(body["content"] or "")
        if "embeds" in body:
            msg.embeds = list(body["embeds"] or [])
            for embed in msg.embeds:
                embed.setdefault("type", "rich")
        if "components" in body:
            msg.components = list(body["components"] or [])
        if "allowed_mentions" in body:
            msg.allowed_mentions = body["allowed_mentions"]
        if body.get("flags") is not None:  # only SUPPRESS_EMBEDS may change; ephemeral sticks
            msg.flags = (msg.flags & EPHEMERAL_FLAG) | int(body["flags"])
        msg.flags &= ~LOADING_FLAG
        msg.edited_at = time.time()
        msg.edit_count += 1
        self.edits.append(MessageEdit(msg.id, msg.channel_id, dict(body), via, msg.edited_at))

    async def _post_message(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        access = self._channel_access(channel_id, VIEW_CHANNEL | SEND_MESSAGES)
        if isinstance(access, web.Response):
            return access
        guild, channel = access
        body = await self._json_body(request)
        errors = validate_message_payload(body)
        if errors:
            return _invalid_form(errors)
        if not self._channel_permissions(guild, channel) & EMBED_LINKS:
            body.pop("embeds", None)
            body.pop("embed", None)
        if _is_empty_message(body):
            return _error(400, "Cannot send an empty message", 50006)
        msg = self._create_message(channel_id, body, source="channel")
        return _json_response(self._message_payload(msg))

    def _channel_message(self, request: web.Request) -> SentMessage | web.Response:
        channel_id = int(request.match_info["channel_id"])
        access = self._channel_access(channel_id)
        if isinstance(access, web.Response):
            return access
        msg = self._messages.get(int(request.match_info["message_id"]))
        if msg is None or msg.deleted or msg.channel_id != channel_id:
            return _error(404, "Unknown Message", 10008)
        return msg

    async def _get_message(self, request: web.Request) -> web.Response:
        msg = self._channel_message(request)
        if isinstance(msg, web.Response):
            return msg
        return _json_response(self._message_payload(msg))

    async def _patch_message(self, request: web.Request) -> web.Response:
        msg = self._channel_message(request)
        if isinstance(msg, web.Response):
            return msg
        if msg.source != "channel" and msg.ephemeral:
            return _error(404, "Unknown Message", 10008)
        body = await self._json_body(request)
        errors = validate_message_payload(body)
        if errors:
            return _invalid_form(errors)
        self._apply_edit(msg, body, "channel")
        return _json_response(self._message_payload(msg))

    async def _delete_message(self, request: web.Request) -> web.Response:
        msg = self._channel_message(request)
        if isinstance(msg, web.Response):
            return msg
        msg.deleted = True
        return web.Response(status=204)

    def _lookup_interaction(self, token: str) -> _Interaction | None:
        return next((i for i in self._interactions.values() if i.token == token), None)

    async def _callback(self, request: web.Request) -> web.Response:
        try:
            interaction = self._interactions.get(int(request.match_info["interaction_id"]))
        except ValueError:
            interaction = None
        if interaction is None or interaction.token != request.match_info["token"]:
            return _error(404, "Unknown interaction", 10062)
        late = (
            self.interaction_response_timeout is not None
            and time.monotonic() - interaction.created > self.interaction_response_timeout
        )
        if interaction.responded:
            return _error(400, "Interaction has already been acknowledged.", 40060)
        if late:
            return _error(404, "Unknown interaction", 10062)
        body = await self._json_body(request)
        cb_type = int(body.get("type", 0))
        data = body.get("data")
        allowed = (
            {CALLBACK_AUTOCOMPLETE}
            if interaction.type == INTERACTION_AUTOCOMPLETE
            else {CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE, CALLBACK_MODAL}
        )
        if cb_type not in allowed:
            return _invalid_form(
                {"type": _field_error("INTERACTION_RESPONSE_TYPE_INVALID", "Invalid type")}
            )
        message: SentMessage | None = None
        if cb_type == CALLBACK_AUTOCOMPLETE:
            choices = (data or {}).get("choices") or []
            errors: JSON | None = None
            if len(choices) > 25:
                errors = {"choices": _max_len(25)}
            else:
                bad = {
                    str(i): {"name": _field_error("BASE_TYPE_BAD_LENGTH", "1-100")}
                    for i, c in enumerate(choices)
                    if not 1 <= len(str(c.get("name", ""))) <= 100
                }
                errors = {"choices": bad} if bad else None
            if errors:
                return _invalid_form({"data": errors})
        elif cb_type == CALLBACK_MESSAGE:
            msg_body = dict(data or {})
            errors = validate_message_payload(msg_body)
            if errors:
                return _invalid_form({"data": errors})
            if _is_empty_message(msg_body):
                return _error(400, "Cannot send an empty message", 50006)
            message = self._create_message(
                interaction.channel_id,
                msg_body,
                source="interaction",
                interaction_id=interaction.id,
            )
        elif cb_type == CALLBACK_DEFERRED_MESSAGE:
            flags = int((data or {}).get("flags") or 0) | LOADING_FLAG
            message = self._create_message(
                interaction.channel_id,
                {"content": "", "flags": flags},
                source="interaction",
                interaction_id=interaction.id,
            )
        interaction.responded = True
        if message is not None:
            interaction.original_message_id = message.id
        self.interaction_responses.append(
            InteractionResponse(
                interaction.id, interaction.type, interaction.name, cb_type, data, time.time()
            )
        )
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        info: JSON = {
            "id": str(interaction.id),
            "type": interaction.type,
            "response_message_loading": cb_type == CALLBACK_DEFERRED_MESSAGE,
            "response_message_ephemeral": bool(message and message.ephemeral),
        }
        result: JSON = {"interaction": info}
        if message is not None:
            info["response_message_id"] = str(message.id)
            result["resource"] = {"type": cb_type, "message": self._message_payload(message)}
        elif cb_type != CALLBACK_AUTOCOMPLETE:
            result["resource"] = {"type": cb_type}
        return _json_response(result)

    def _webhook_interaction(self, request: web.Request) -> _Interaction | web.Response:
        interaction = self._lookup_interaction(request.match_info["token"])
        if request.match_info["app_id"] != str(self.application_id) or interaction is None:
            return _error(404, "Unknown Webhook", 10015)
        return interaction

    async def _post_followup(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        if isinstance(interaction, web.Response):
            return interaction
        if not interaction.responded:
            return _error(404, "Unknown Webhook", 10015)
        body = await self._json_body(request)
        errors = validate_message_payload(body)
        if errors:
            return _invalid_form(errors)
        if _is_empty_message(body):
            return _error(400, "Cannot send an empty message", 50006)
        msg = self._create_message(
            interaction.channel_id, body, source="followup", interaction_id=interaction.id
        )
        if request.query.get("wait") in ("1", "true", "True"):
            return _json_response(self._message_payload(msg))
        return web.Response(status=204)

    def _webhook_message(self, request: web.Request) -> SentMessage | web.Response:
        interaction = self._webhook_interaction(request)
        if isinstance(interaction, web.Response):
            return interaction
        raw_id = request.match_info["message_id"]
        if raw_id == "@original":
            msg_id = interaction.original_message_id
        else:
            try:
                msg_id = int(raw_id)
            except ValueError:
                msg_id = None
        msg = None if msg_id is None else self._messages.get(msg_id)
        if msg is None or msg.deleted or msg.interaction_id != interaction.id:
            return _error(404, "Unknown Message", 10008)
        return msg

    async def _get_webhook_msg(self, request: web.Request) -> web.Response:
        msg = self._webhook_message(request)
        if isinstance(msg, web.Response):
            return msg
        return _json_response(self._message_payload(msg))

    async def _patch_webhook_msg(self, request: web.Request) -> web.Response:
        msg = self._webhook_message(request)
        if isinstance(msg, web.Response):
            return msg
        body = await self._json_body(request)
        errors = validate_message_payload(body)
        if errors:
            return _invalid_form(errors)
        self._apply_edit(msg, body, "webhook")
        return _json_response(self._message_payload(msg))

    async def _del_webhook_msg(self, request: web.Request) -> web.Response:
        msg = self._webhook_message(request)
        if isinstance(msg, web.Response):
            return msg
        msg.deleted = True
        return web.Response(status=204)
