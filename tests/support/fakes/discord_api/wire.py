"""What goes over the wire: Discord's constants (permissions, opcodes, interaction types), the
checks Discord makes on a message payload, and the JSON error answers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from aiohttp import web

JSON = dict[str, Any]


FailureKind = Literal["rate_limited", "forbidden", "not_found", "server_error"]


DISCORD_EPOCH_MS = 1_420_070_400_000


API_PREFIX = "/api/v10"


# Permission bits used by the fake (see discord.Permissions).
ADMINISTRATOR = 1 << 3


VIEW_CHANNEL = 1 << 10


SEND_MESSAGES = 1 << 11


EMBED_LINKS = 1 << 14


ALL_PERMISSIONS = (1 << 53) - 1


#: @everyone defaults of a freshly created Discord server.
DEFAULT_EVERYONE_PERMISSIONS = 1_071_698_660_929


#: What a typical invite link grants a bot: view, send, embed, read history, use app commands…
DEFAULT_BOT_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | (1 << 16) | (1 << 15) | (1 << 6) | (1 << 31)
)


PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message_content


EPHEMERAL_FLAG = 64


LOADING_FLAG = 128


# Gateway opcodes
OP_DISPATCH = 0


OP_HEARTBEAT = 1


OP_IDENTIFY = 2


OP_PRESENCE = 3


OP_RESUME = 6


OP_RECONNECT = 7


OP_REQUEST_MEMBERS = 8


OP_INVALID_SESSION = 9


OP_HELLO = 10


OP_HEARTBEAT_ACK = 11


# Interaction types / callback types
INTERACTION_APPLICATION_COMMAND = 2


INTERACTION_AUTOCOMPLETE = 4


CALLBACK_MESSAGE = 4


CALLBACK_DEFERRED_MESSAGE = 5


CALLBACK_DEFERRED_UPDATE = 6


CALLBACK_UPDATE_MESSAGE = 7


CALLBACK_AUTOCOMPLETE = 8


CALLBACK_MODAL = 9


_VIA = "1.1 google"


_RATE_LIMIT_MESSAGE = "You are being rate limited."


def _now_iso(ts: float | None = None) -> str:
    return datetime.fromtimestamp(time.time() if ts is None else ts, UTC).isoformat()


def _field_error(code: str, message: str) -> JSON:
    return {"_errors": [{"code": code, "message": message}]}


def _max_len(limit: int) -> JSON:
    return _field_error("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _len(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


#: A message's most action rows, and components in a row; a button's custom_id and label.
MAX_ACTION_ROWS = 5
MAX_ROW_COMPONENTS = 5
MAX_CUSTOM_ID = 100
MAX_BUTTON_LABEL = 80


def _component_errors(rows: Any) -> JSON | None:
    """Discord's errors for a message's components beyond its limits, else None."""
    if not isinstance(rows, list) or not rows:
        return None
    if len(rows) > MAX_ACTION_ROWS:
        return _max_len(MAX_ACTION_ROWS)
    errors: JSON = {}
    for index, row in enumerate(rows):
        items = row.get("components") or [] if isinstance(row, dict) else []
        if len(items) > MAX_ROW_COMPONENTS:
            errors[str(index)] = {"components": _max_len(MAX_ROW_COMPONENTS)}
            continue
        for i, item in enumerate(items):
            if _len(item.get("custom_id")) > MAX_CUSTOM_ID:
                errors[str(index)] = {"components": {str(i): {"custom_id": _max_len(100)}}}
            elif _len(item.get("label")) > MAX_BUTTON_LABEL:
                errors[str(index)] = {"components": {str(i): {"label": _max_len(80)}}}
    return errors or None


def validate_message_payload(payload: Mapping[str, Any]) -> JSON | None:
    """Return Discord's ``errors`` object for a message body that breaks a limit, else None."""
    errors: JSON = {}
    content = payload.get("content")
    if content is not None and len(str(content)) > 2000:
        errors["content"] = _max_len(2000)

    components = _component_errors(payload.get("components"))
    if components:
        errors["components"] = components

    embeds = payload.get("embeds")
    if embeds is None and isinstance(payload.get("embed"), dict):
        embeds = [payload["embed"]]
    if isinstance(embeds, list) and embeds:
        if len(embeds) > 10:
            errors["embeds"] = _max_len(10)
        else:
            embed_errors: JSON = {}
            total = 0
            for index, embed in enumerate(embeds):
                if not isinstance(embed, dict):
                    continue
                one: JSON = {}
                for key, limit in (("title", 256), ("description", 4096)):
                    total += _len(embed.get(key))
                    if _len(embed.get(key)) > limit:
                        one[key] = _max_len(limit)
                footer = embed.get("footer") or {}
                total += _len(footer.get("text"))
                if _len(footer.get("text")) > 2048:
                    one["footer"] = {"text": _max_len(2048)}
                author = embed.get("author") or {}
                total += _len(author.get("name"))
                if _len(author.get("name")) > 256:
                    one["author"] = {"name": _max_len(256)}
                fields = embed.get("fields") or []
                field_errors: JSON = {}
                if len(fields) > 25:
                    field_errors.update(_max_len(25))
                for f_index, fld in enumerate(fields):
                    f_err: JSON = {}
                    for key, limit in (("name", 256), ("value", 1024)):
                        value = fld.get(key)
                        total += _len(value)
                        if value is None or str(value) == "":
                            f_err[key] = _field_error(
                                "BASE_TYPE_REQUIRED", "This field is required"
                            )
                        elif _len(value) > limit:
                            f_err[key] = _max_len(limit)
                    if f_err:
                        field_errors[str(f_index)] = f_err
                if field_errors:
                    one["fields"] = field_errors
                if one:
                    embed_errors[str(index)] = one
            if total > 6000:
                embed_errors["_errors"] = [
                    {
                        "code": "MAX_EMBED_SIZE_EXCEEDED",
                        "message": "Embed size exceeds maximum size of 6000",
                    }
                ]
            if embed_errors:
                errors["embeds"] = embed_errors
    return errors or None


def _is_empty_message(payload: Mapping[str, Any]) -> bool:
    content = payload.get("content")
    has_content = content is not None and str(content).strip() != ""
    return not (
        has_content
        or payload.get("embeds")
        or payload.get("embed")
        or payload.get("components")
        or payload.get("sticker_ids")
        or payload.get("attachments")
        or payload.get("poll")
    )


def _json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    # web.json_response would say "application/json; charset=utf-8", which discord.py's
    # json_or_text() does not decode (it compares the header with "application/json").
    all_headers = {"Content-Type": "application/json"}
    all_headers.update(headers or {})
    return web.Response(status=status, body=json.dumps(data).encode(), headers=all_headers)


def _error(status: int, message: str, code: int = 0, **extra: Any) -> web.Response:
    return _json_response({"message": message, "code": code, **extra}, status=status)


def _invalid_form(errors: JSON) -> web.Response:
    return _error(400, "Invalid Form Body", 50035, errors=errors)


def _option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3
