"""What goes over the wire: Telegram's HTML parse mode (parsed as Telegram parses it), the
form fields kept as strings, and the limits the Bot API enforces.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

JSON = dict[str, Any]


FailureKind = Literal[
    "retry_after", "blocked", "kicked", "chat_not_found", "migrated", "server_error", "timeout"
]


MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024  # a photo's caption, UTF-16 code units after entity parsing


MAX_CALLBACK_ANSWER_LENGTH = 200


#: The ``from`` of messages an anonymous group administrator sends (``sender_chat``: the group).
GROUP_ANONYMOUS_BOT = 1087968824


#: The ``from`` of messages a member sends on behalf of one of their channels.
CHANNEL_BOT = 136817688


MAX_CALLBACK_DATA_BYTES = 64
#: An inline keyboard's most buttons, in all and in one row (Telegram refuses more).
MAX_KEYBOARD_BUTTONS = 100
MAX_ROW_BUTTONS = 8


#: Parameters that are always plain strings on the wire and must never be JSON-decoded
#: (``text="123"`` has to stay the string ``"123"``).
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "url",
        "callback_query_id",
        "inline_message_id",
        "language_code",
        "description",
        "short_description",
        "name",
        "title",
        "secret_token",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "emoji",
        "custom_title",
        "action",
        "query_id",
    }
)


#: Parameters holding nested JSON that some clients double-encode even in a JSON body.
_NESTED_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "link_preview_options",
        "commands",
        "scope",
        "entities",
        "allowed_updates",
        "reply_parameters",
        "caption_entities",
    }
)


_TAG_ENTITY_TYPE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlParseError(ValueError):
    """Telegram would answer ``Bad Request: can't parse entities: <message>``."""


def utf16_len(text: str) -> int:
    """Length of *text* in UTF-16 code units, the unit Telegram counts offsets/limits in."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _decode_entity(source: str, pos: int) -> tuple[str | None, int]:
    """Decode the HTML entity starting at ``source[pos] == "&"``.

    Returns ``(decoded, consumed)``; ``decoded`` is ``None`` if no supported entity starts here.
    """
    end = source.find(";", pos + 1, pos + 12)
    if end == -1:
        return None, 1
    body = source[pos + 1 : end]
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], end - pos + 1
    if body.startswith("#"):
        digits = body[1:]
        try:
            if digits[:1] in ("x", "X"):
                code = int(digits[1:], 16)
            elif digits.isdigit():
                code = int(digits)
            else:
                return None, 1
        except ValueError:
            return None, 1
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), end - pos + 1
    return None, 1


@dataclass
class _OpenTag:
    name: str
    offset: int  # UTF-16 offset in the plain text
    attrs: dict[str, str]
    byte_offset: int
    language: str | None = None


def parse_telegram_html(source: str, *, strict_entities: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram-flavoured HTML into ``(plain_text, entities)`` or raise HtmlParseError.

    Offsets/lengths of the entities are in UTF-16 code units.  The text is not trimmed here.
    """
    out: list[str] = []
    position = 0  # UTF-16 length of ``out``
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    n = len(source)
    i = 0

    def byte_offset(pos: int) -> int:
        return len(source[:pos].encode("utf-8", "surrogatepass"))

    def emit(chunk: str) -> None:
        nonlocal position
        out.append(chunk)
        position += utf16_len(chunk)

    def skip_ws(j: int) -> int:
        while j < n and source[j] in " \t\r\n":
            j += 1
        return j

    while i < n:
        ch = source[i]
        if ch == "&":
            decoded, consumed = _decode_entity(source, i)
            if decoded is None:
                if strict_entities:
                    raise HtmlParseError(
                        f"Unsupported HTML entity at byte offset {byte_offset(i)} "
                        '(only &lt; &gt; &amp; &quot; and numeric entities; escape "&" as &amp;)'
                    )
                decoded, consumed = "&", 1
            emit(decoded)
            i += consumed
            continue
        if ch != "<":
            j = i
            while j < n and source[j] not in "<&":
                j += 1
            emit(source[i:j])
            i = j
            continue

        begin = i
        if i + 1 < n and source[i + 1] == "/":  # end tag
            j = source.find(">", i + 2)
            if j == -1:
                raise HtmlParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            name = source[i + 2 : j].strip().lower()
            if not stack:
                raise HtmlParseError(
                    f'Unexpected end tag "{name}" at byte offset {byte_offset(begin)}'
                )
            top = stack.pop()
            if name != top.name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                    f'expected "</{top.name}>", found "</{name}>"'
                )
            length = position - top.offset
            if top.name == "code" and stack and stack[-1].name == "pre" and top.language:
                stack[-1].language = top.language  # merged into the <pre> entity, like Telegram
            elif length > 0:
                entity: JSON = {
                    "type": _TAG_ENTITY_TYPE[top.name],
                    "offset": top.offset,
                    "length": length,
                }
                keep = True
                if top.name == "a":
                    href = top.attrs.get("href", "")
                    if href.startswith("tg://user?id="):
                        entity["type"] = "text_mention"
                        user_id = href.removeprefix("tg://user?id=")
                        entity["user"] = {"id": int(user_id), "is_bot": False, "first_name": "?"}
                    elif href:
                        entity["url"] = href
                    else:
                        keep = False  # Telegram silently drops <a> without href
                elif top.name == "pre" and top.language:
                    entity["language"] = top.language
                elif top.name == "blockquote" and "expandable" in top.attrs:
                    entity["type"] = "expandable_blockquote"
                elif top.name == "tg-emoji":
                    entity["custom_emoji_id"] = top.attrs.get("emoji-id", "")
                if keep:
                    entities.append(entity)
            i = j + 1
            continue

        # start tag
        j = i + 1
        while j < n and source[j].isascii() and (source[j].isalnum() or source[j] == "-"):
            j += 1
        name = source[i + 1 : j].lower()
        if name not in _TAG_ENTITY_TYPE:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {byte_offset(begin)}'
            )
        attrs: dict[str, str] = {}
        while True:
            j = skip_ws(j)
            if j >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if source[j] == ">":
                j += 1
                break
            k = j
            while k < n and source[k].isascii() and (source[k].isalnum() or source[k] in "-_"):
                k += 1
            if k == j:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {byte_offset(begin)}'
                )
            attr_name = source[j:k].lower()
            k = skip_ws(k)
            value = ""
            if k < n and source[k] == "=":
                k = skip_ws(k + 1)
                if k >= n:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                if source[k] in "\"'":
                    quote = source[k]
                    close = source.find(quote, k + 1)
                    if close == -1:
                        raise HtmlParseError(
                            f"Unclosed end of attribute value at byte offset {byte_offset(k)}"
                        )
                    raw = source[k + 1 : close]
                    k = close + 1
                else:
                    m = k
                    while m < n and source[m] not in " \t\r\n>":
                        m += 1
                    raw = source[k:m]
                    k = m
                value, _ = parse_telegram_html_attr(raw)
            attrs[attr_name] = value
            j = k
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
            )
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise HtmlParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {byte_offset(begin)}'
            )
        tag = _OpenTag(name=name, offset=position, attrs=attrs, byte_offset=byte_offset(begin))
        if name == "code" and attrs.get("class", "").startswith("language-"):
            tag.language = attrs["class"].removeprefix("language-")
        stack.append(tag)
        i = j

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def parse_telegram_html_attr(raw: str) -> tuple[str, bool]:
    """Decode entities inside an attribute value (leniently). Returns (value, had_errors)."""
    parts: list[str] = []
    i = 0
    errors = False
    while i < len(raw):
        if raw[i] == "&":
            decoded, consumed = _decode_entity(raw, i)
            if decoded is None:
                errors = True
                decoded = "&"
            parts.append(decoded)
            i += consumed
        else:
            parts.append(raw[i])
            i += 1
    return "".join(parts), errors


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading/trailing whitespace like Telegram and fix the entity offsets."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    fixed: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return stripped, fixed


def _maybe_json(key: str, value: str) -> Any:
    """Decode a form value the way Telegram types it (see PTB ``RequestParameter.json_value``)."""
    if key in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
