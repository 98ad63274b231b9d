"""Discord escaping, property-based: whatever a name or quote holds, what the bot sends to
Discord shows it as typed, with no markdown taking effect, no ``<…>`` construct Discord
parses (mentions, command mentions, timestamps, custom emoji, links) and no mass mention."""

from __future__ import annotations

import itertools
import json
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.discord.render import ZWSP, discord_embeds, discord_markdown, escape_discord
from bot.engine import Engine
from bot.feed_format import parse_line
from bot.messages import templates
from bot.messages.model import Message, Section, Span

SPECIAL = frozenset("\\*_~`|[]<")
LINE_MARKERS = frozenset(">#+-")
#: Everything Discord parses in angle brackets.
CONSTRUCTS = [
    "<@123456789012345678>",
    "<@!123456789012345678>",
    "<@&123456789012345678>",
    "<#123456789012345678>",
    "</subscribe:123456789012345678>",
    "</report undo:1>",
    "<t:1767225600>",
    "<t:1767225600:R>",
    "<:pog:123456789012345678>",
    "<a:party:123456789012345678>",
    "<https://example.com/phish>",
    "<id:browse>",
    "<id:customize>",
]
PARSEABLE = re.compile(
    r"<(?:@[!&]?\d+|#\d+|/[^<>:]+:\d+|t:-?\d+(?::[tTdDfFR])?|a?:\w+:\d+|https?://[^\s>]+"
    r"|id:\w+)>"
)
PIECES = [*CONSTRUCTS, "@everyone", "@here", "@EveryOne", "**", "__", "~~", "||", "`", "```"]
PIECES += ["[x](https://example.com)", "> ", ">>> ", "# ", "## ", "-# ", "- ", "+ ", "1. "]
PIECES += ["\\", "\n", " ", "<", ">", ":", "@", "<<@1>>", "\\<@1>", ZWSP, "Lautaro"]
TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=12).map("".join),
)


def tokens(escaped: str) -> list[tuple[str, bool]]:
    """The characters as Discord reads them: ``(char, literal)``; a backslash before a
    character that is neither alphanumeric nor a space makes it literal and disappears."""
    out, i = [], 0
    while i < len(escaped):
        c = escaped[i]
        nxt = escaped[i + 1] if i + 1 < len(escaped) else ""
        if c == "\\" and nxt and not nxt.isalnum() and not nxt.isspace():
            out.append((nxt, True))
            i += 2
        else:
            out.append((c, False))
            i += 1
    return out


def assert_inert(escaped: str) -> None:
    """Nothing in ``escaped`` takes effect in Discord."""
    read = tokens(escaped)
    for c, literal in read:
        assert literal or c not in SPECIAL, (c, escaped)
    assert re.search(r"@(everyone|here)", escaped, re.IGNORECASE) is None, escaped
    assert PARSEABLE.search(escaped) is None, escaped
    for i, (c, literal) in enumerate(read):  # every "<" is escaped and followed by a ZWSP
        if c == "<":
            assert literal and i + 1 < len(read) and read[i + 1][0] == ZWSP, escaped
    start = True
    for i, (c, literal) in enumerate(read):  # no quote, heading or list at a line start
        if c == "\n":
            start = True
        elif start and not c.isspace():
            assert literal or c not in LINE_MARKERS, escaped
            if c.isdigit() and not literal:
                j = i
                while j < len(read) and read[j][0].isdigit():
                    j += 1
                assert j == len(read) or read[j] != (".", False), escaped
            start = False


@settings(database=None)
@given(TEXT)
@example("".join(CONSTRUCTS) + "@everyone @here")
def test_escaped_text_is_inert_and_reads_as_typed(text: str) -> None:
    escaped = escape_discord(text)
    assert_inert(escaped)
    shown = "".join(c for c, _ in tokens(escaped))
    assert shown.replace(ZWSP, "") == text.replace(ZWSP, "")


@settings(database=None)
@given(TEXT, TEXT, TEXT, st.sampled_from(["plain", "bold", "italic", "strike", "quote"]))
def test_every_part_of_a_discord_message_is_inert(
    headline: str, title: str, body: str, style: str
) -> None:
    message = Message(
        kind="recap",
        headline=(Span(text=headline, style=style),),  # type: ignore[arg-type]
        sections=(
            Section(lines=((Span(text=body, style=style),),)),  # type: ignore[arg-type]
            Section(title=title, lines=((Span(text=body),), (Span(text=headline),))),
        ),
    )
    for embed in discord_embeds(message):
        for text in [embed.get("title", ""), embed.get("description", "")] + [
            part for field in embed.get("fields", []) for part in (field["name"], field["value"])
        ]:
            assert re.search(r"@(everyone|here)", text, re.IGNORECASE) is None
            assert PARSEABLE.search(text) is None, text
            assert all(literal for c, literal in tokens(text) if c == "<"), text
    markdown = discord_markdown(message)
    assert PARSEABLE.search(markdown) is None
    assert all(literal for c, literal in tokens(markdown) if c == "<")


_ids = itertools.count()


@settings(database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(min_size=1, max_size=40).filter(str.strip),
    st.sampled_from(CONSTRUCTS),
)
def test_names_from_a_feed_are_inert_in_discord_alerts(
    engine: Engine, name: str, construct: str
) -> None:
    """A player named like a command mention or a timestamp (and his assist, and a quote)."""
    n = next(_ids)
    match = f"m{n}"
    decl = {
        "type": "match",
        "match": match,
        "competition": f"Cup {construct}",
        "home": "Atalanta",
        "away": "Inter",
        "kickoff": "2025-12-28T19:45:00Z",
    }
    player = f"{name} {construct}"
    goal = {
        "type": "goal",
        "match": match,
        "id": "g1",
        "minute": 65,
        "team": "Inter",
        "player": player,
        "assist": construct,
    }
    for line in (decl, goal):
        engine.ingest(parse_line(json.dumps(line)))
    state = engine.state(match)
    assert state is not None
    messages = [templates.alert(state, state.events[-1])]
    quote = {"type": "quote", "match": match, "id": "q1", "team": "Inter"}
    engine.ingest(parse_line(json.dumps({**quote, "speaker": player, "text": construct})))
    recap = engine.recap_message(match)
    assert recap is not None
    messages.append(recap)
    for message in messages:
        markdown = discord_markdown(message)
        assert PARSEABLE.search(markdown) is None, markdown
        assert all(literal for c, literal in tokens(markdown) if c == "<"), markdown
        for embed in discord_embeds(message):
            assert PARSEABLE.search(json.dumps(embed, ensure_ascii=False)) is None
