"""Formatting: golden texts per event and recap, escaping, and platform limits.

Each format is written by the adapter that sends it: plain text by the console (the neutral
words of :func:`bot.messages.model.message_text`), HTML by ``adapters/telegram/render.py``,
markdown and embeds by ``adapters/discord/render.py``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.console.render import console_text
from adapters.discord.render import DISCORD, discord_embeds, discord_markdown, escape_discord
from adapters.splitting import cut_into_parts, message_lines, utf16_len
from adapters.telegram.render import TELEGRAM, escape_telegram, telegram_html, telegram_parts
from bot.engine import Engine
from bot.feed_format import parse_line
from bot.messages import i18n, templates
from bot.messages.model import Message, Section, bold, italic, line, message_text, plain
from storage.store import Store
from tests.support.core import DATA, SEED, SEED_MATCH, follow, ingest_file
from tests.support.fakes.telegram_api import parse_telegram_html

GOLDEN = Path(__file__).parent / "golden"
#: each format as its platform's adapter writes it
RENDERERS: dict[str, Callable[[Message], str]] = {
    "text": message_text,
    "telegram": telegram_html,
    "discord": discord_markdown,
}


def render(message: Message, fmt: str) -> str:
    text = RENDERERS[fmt](message)
    assert console_text(message, fmt) == text  # type: ignore[arg-type]  # the console's preview
    return text


DECL = {
    "type": "match",
    "match": "m1",
    "competition": "Serie A",
    "home": "Atalanta",
    "away": "Inter",
    "kickoff": "2025-12-28T19:45:00Z",
    "venue": "Bergamo",
}


@pytest.mark.parametrize("lang", ["en", "it"])
@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("telegram", "html"), ("discord", "md")])
@pytest.mark.parametrize(
    ("name", "feed", "match"),
    [
        ("seed", SEED, SEED_MATCH),
        ("world-cup-final", DATA / "world-cup-final.jsonl", "wc22-final"),
    ],
)
def test_recap_golden(
    engine: Engine, name: str, feed: Path, match: str, fmt: str, ext: str, lang: str
) -> None:
    assert ingest_file(engine, feed) == []
    with i18n.use(lang):
        message = engine.recap_message(match)
    assert message is not None
    suffix = "" if lang == "en" else f"-{lang}"
    check_golden(GOLDEN / f"{name}-recap{suffix}.{ext}", render(message, fmt))


def check_golden(path: Path, text: str) -> None:
    """``text`` is the golden file's; ``MATCHBOT_UPDATE_GOLDEN=1 pytest …`` rewrites the files
    instead (then read every changed line in ``git diff`` before committing them)."""
    if os.environ.get("MATCHBOT_UPDATE_GOLDEN") == "1":
        path.write_text(text + "\n", "utf-8")
    assert text == path.read_text("utf-8").rstrip("\n")


def alert_text(engine: Engine, store: Store, *events: dict[str, object], fmt: str = "text") -> str:
    """The last alert the events produce for a chat following both teams (level: all)."""
    follow(store, "console", "c", "atalanta", "inter", level="all")
    engine.ingest(parse_line(json.dumps(DECL)))
    for event in events:
        engine.ingest(parse_line(json.dumps({"match": "m1", **event})))
    state = engine.state("m1")
    assert state is not None
    last = next(s for s in state.events if s.event.id == events[-1]["id"])
    return render(templates.alert(state, last), fmt)


GOAL = {
    "type": "goal",
    "id": "g1",
    "minute": 65,
    "team": "Inter",
    "player": "Lautaro Martínez",
    "assist": "Francesco Pio Esposito",
}


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (
            [{"type": "period", "id": "p1", "minute": 0, "period": "first_half"}],
            "🟢 Kick-off: Atalanta v Inter\n\nSerie A · Bergamo · 28 Dec 2025",
        ),
        (
            [GOAL],
            "⚽ GOAL! Atalanta 0-1 Inter\n\n"
            "65' Lautaro Martínez scores for Inter (assist: Francesco Pio Esposito)\n"
            "Inter lead 1-0",
        ),
        (
            [{**GOAL, "kind": "penalty", "assist": None, "minute": 45, "stoppage": 2}],
            "⚽ GOAL! Atalanta 0-1 Inter\n\n45+2' Lautaro Martínez (pen) scores for Inter\n"
            "Inter lead 1-0",
        ),
        (
            [
                {
                    "type": "goal",
                    "id": "g1",
                    "minute": 30,
                    "team": "Atalanta",
                    "player": "Yann Bisseck",
                    "kind": "own_goal",
                }
            ],
            "⚽ GOAL! Atalanta 1-0 Inter\n\n30' Yann Bisseck (og) — own goal, counts for Atalanta\n"
            "Atalanta lead 1-0",
        ),
        (
            [
                {
                    "type": "goal_disallowed",
                    "id": "d1",
                    "minute": 50,
                    "team": "Atalanta",
                    "player": "Charles De Ketelaere",
                    "reason": "offside",
                }
            ],
            "❌ Goal disallowed — Atalanta\n\n"
            "50' Charles De Ketelaere's goal ruled out for offside. Still Atalanta 0-0 Inter",
        ),
        (
            [
                {
                    "type": "card",
                    "id": "r1",
                    "minute": 110,
                    "team": "Inter",
                    "player": "Nicolò Barella",
                    "card": "red",
                }
            ],
            "🟥 Red card — Inter\n\n110' Nicolò Barella",
        ),
        (
            [
                {
                    "type": "penalty_missed",
                    "id": "pm",
                    "minute": 70,
                    "team": "Inter",
                    "player": "Hakan Çalhanoğlu",
                    "outcome": "saved",
                }
            ],
            "🚫 Penalty missed — Inter\n\n70' Hakan Çalhanoğlu, saved. Still Atalanta 0-0 Inter",
        ),
        (
            [{"type": "period", "id": "p2", "minute": 45, "stoppage": 2, "period": "half_time"}],
            "⏸ Half-time: Atalanta 0-0 Inter",
        ),
        (
            [
                GOAL,
                {"type": "period", "id": "p4", "minute": 90, "stoppage": 5, "period": "full_time"},
            ],
            "🏁 Full-time: Atalanta 0-1 Inter",
        ),
        (
            [
                {
                    "type": "save",
                    "id": "s1",
                    "minute": 12,
                    "team": "Atalanta",
                    "player": "Marco Carnesecchi",
                    "shooter": "Marcus Thuram",
                }
            ],
            "🧤 Save — Atalanta\n\n12' Marco Carnesecchi denies Marcus Thuram",
        ),
        (
            [
                {
                    "type": "substitution",
                    "id": "s2",
                    "minute": 64,
                    "team": "Inter",
                    "player_in": "Francesco Pio Esposito",
                    "player_out": "Marcus Thuram",
                }
            ],
            "🔄 Substitution — Inter\n\n64' Francesco Pio Esposito comes on for Marcus Thuram",
        ),
    ],
)
def test_alert_golden(
    engine: Engine, store: Store, events: list[dict[str, object]], expected: str
) -> None:
    events = [{k: v for k, v in e.items() if v is not None} for e in events]
    assert alert_text(engine, store, *events) == expected


def test_goal_alert_in_telegram_html(engine: Engine, store: Store) -> None:
    assert alert_text(engine, store, GOAL, fmt="telegram") == (
        "<b>⚽ GOAL! Atalanta 0-1 Inter</b>\n\n"
        "65' <b>Lautaro Martínez</b> scores for Inter (assist: Francesco Pio Esposito)\n"
        "Inter lead 1-0"
    )


HOSTILE = "<script>alert('x')</script> & @everyone <@123> **bold** _i_ `code`"


def test_telegram_html_escapes_user_text_and_parses_as_telegram_would(
    engine: Engine, store: Store
) -> None:
    text = alert_text(
        engine,
        store,
        {"type": "note", "id": "n1", "minute": 5, "team": "Inter", "text": HOSTILE},
        fmt="telegram",
    )
    assert "<script>" not in text
    assert "&lt;script&gt;alert('x')&lt;/script&gt; &amp; @everyone" in text
    plain, _entities = parse_telegram_html(text)
    assert HOSTILE in plain


def test_discord_markdown_escapes_and_defuses_mentions() -> None:
    escaped = escape_discord(HOSTILE)
    assert "@everyone" not in escaped and "<@123>" not in escaped
    assert "\\*\\*bold\\*\\*" in escaped and "\\_i\\_" in escaped and "\\`code\\`" in escaped
    assert escape_telegram("a < b & c > d") == "a &lt; b &amp; c &gt; d"


def test_every_recap_format_is_valid_and_escaped(engine: Engine) -> None:
    ingest_file(engine, DATA / "world-cup-final.jsonl")
    message = engine.recap_message("wc22-final")
    assert message is not None
    html = telegram_html(message)
    assert "We suffered &lt;a lot&gt; &amp; we won." in html
    plain, _ = parse_telegram_html(html)
    assert "Argentina 3-3 France (a.e.t.), Argentina win 4-2 on penalties" in plain


def _embed_size(embed: dict[str, object]) -> int:
    fields = embed.get("fields", [])
    assert isinstance(fields, list)
    return (
        len(str(embed.get("title", "")))
        + len(str(embed.get("description", "")))
        + sum(len(f["name"]) + len(f["value"]) for f in fields)
    )


def test_discord_embeds_stay_inside_every_limit(engine: Engine) -> None:
    engine.ingest(parse_line(json.dumps(DECL)))
    for i in range(120):
        engine.ingest(
            parse_line(
                json.dumps(
                    {
                        "type": "note",
                        "match": "m1",
                        "id": f"n{i}",
                        "minute": i % 90,
                        "team": "Inter",
                        "text": f"note {i} " + "x" * 150,
                    }
                )
            )
        )
        engine.ingest(
            parse_line(
                json.dumps(
                    {
                        "type": "quote",
                        "match": "m1",
                        "id": f"q{i}",
                        "speaker": "S" * 150,
                        "text": "y" * 1900,
                    }
                )
            )
        )
    engine.ingest(
        parse_line(
            json.dumps(
                {"type": "period", "match": "m1", "id": "ft", "minute": 90, "period": "full_time"}
            )
        )
    )
    message = engine.recap_message("m1")
    assert message is not None
    embeds = discord_embeds(message)
    assert len(embeds) > 1
    everything = json.dumps(embeds, ensure_ascii=False)
    assert all(f"note {i} " in everything for i in range(120))  # nothing dropped
    for embed in embeds:
        assert len(str(embed.get("title", ""))) <= 256
        assert len(str(embed.get("description", ""))) <= 4096
        fields = embed.get("fields", [])
        assert isinstance(fields, list) and len(fields) <= 25
        for field in fields:
            assert 0 < len(field["name"]) <= 256 and 0 < len(field["value"]) <= 1024
        assert _embed_size(embed) <= 6000


def test_one_splitter_keeps_lines_whole_and_parts_short_in_every_format() -> None:
    """The same splitter cuts Telegram HTML and Discord markdown: lines stay whole while they
    fit, every part is within its limit, and nothing is lost or repeated."""
    rows = tuple(line(bold(f"line {i}"), " " + "z" * 90) for i in range(200))
    message = Message(kind="recap", headline=line("head"), sections=(Section(lines=rows),))
    for fmt, limit in ((TELEGRAM, 4096), (DISCORD, 2000), (DISCORD, 1024)):
        parts = cut_into_parts(message_lines(message), fmt, limit)
        shown = [parse_telegram_html(p)[0] if fmt is TELEGRAM else p for p in parts]
        assert len(parts) > 1 and all(utf16_len(text) <= limit for text in shown)
        assert "\n".join(parts).replace("\n\n", "\n").split("\n") == [
            fmt.line(r) for r in (message.headline, *rows)
        ]
    long_line = Message(kind="recap", headline=line("word " * 2000))
    assert all(len(parse_telegram_html(p)[0]) <= 4096 for p in telegram_parts(long_line))


def test_discord_markdown_is_cut_between_spans_and_marks_closed() -> None:
    """A line of bold, italic and escaped text longer than an embed field is cut between
    words: each value opens and closes its own marks, no escape is cut from its character."""
    row = tuple(
        span
        for i in range(300)
        for span in (bold(f"*{i}* <@&1>"), plain(" - _x_ "), italic("y z "))
    )
    message = Message(
        kind="recap", headline=line("h"), sections=(Section(title="T", lines=(row,)),)
    )
    (embed, *more) = discord_embeds(message)
    values = [f["value"] for e in (embed, *more) for f in e.get("fields", [])]
    assert len(values) > 1
    for value in values:
        assert len(value) <= 1024
        assert value.count("**") % 2 == 0  # each bold piece closed where it was opened
        assert not value.endswith("\\") and not value.startswith("** ")
    assert embed["fields"][1]["name"] == "T (cont.)"


def test_discord_recap_puts_the_lead_in_the_embed_description(engine: Engine) -> None:
    assert ingest_file(engine, SEED) == []
    message = engine.recap_message(SEED_MATCH)
    assert message is not None
    (embed,) = discord_embeds(message)
    assert embed["title"] == "🏁 Atalanta 0-1 Inter"
    fixture_line, lead = embed["description"].split("\n\n")
    assert fixture_line == "Serie A · Matchday 17 · Bergamo · 28 Dec 2025"
    assert lead.startswith("Lautaro Martínez's 65th-minute goal, set up by Francesco Pio Esposito")
    assert [f["name"] for f in embed["fields"]] == [
        "⚽ Goals",
        "📋 Key moments",
        "💬 What they said",
    ]


def test_the_recap_scores_each_goal_in_match_order_even_when_reported_late(engine: Engine) -> None:
    """A goal the feed reports after a later one still reads with the score of its minute."""
    engine.ingest(parse_line(json.dumps(DECL)))
    for event in (
        {"type": "period", "id": "k", "minute": 0, "period": "first_half"},
        {"type": "goal", "id": "g2", "minute": 70, "team": "Inter", "player": "Lautaro"},
        {"type": "goal", "id": "g1", "minute": 20, "team": "Atalanta", "player": "Lookman"},
        {
            "type": "substitution",
            "id": "s1",
            "minute": 60,
            "team": "Inter",
            "player_in": "Lautaro",
            "player_out": "Thuram",
        },
        {"type": "period", "id": "ft", "minute": 90, "period": "full_time"},
    ):
        engine.ingest(parse_line(json.dumps({"match": "m1", **event})))
    message = engine.recap_message("m1")
    assert message is not None
    moments = message_text(message).split("Key moments")[1]
    assert "20' ⚽ Lookman scores for Atalanta, 1-0" in moments
    assert "60' 🔄 Lautaro comes on for Thuram (Inter)" in moments  # and then scores
    assert "70' ⚽ Lautaro scores for Inter, 1-1" in moments


def test_a_word_too_long_is_cut_between_characters_shown_as_one() -> None:
    """One 5,000-character word of flags, emoji with skin tones and accents (combining marks):
    cut with an ellipsis, never between a flag's two letters, before a skin tone or a joiner,
    nor before an accent; the part fits Telegram's 4,096 and a Discord field's 1,024."""
    for unit in ("🇮🇹", "👩🏽\u200d💻", "e\u0301", "a🇮🇹"):
        word = unit * (5000 // len(unit) + 1)
        boundaries = {0, 1} if unit.startswith("a") else {0}  # after "a" is a fine cut too
        (part,) = telegram_parts(Message(kind="recap", headline=line(bold(word))))
        shown, _entities = parse_telegram_html(part)
        assert shown.endswith("…") and utf16_len(shown) <= 4096
        assert word.startswith(shown[:-1]) and len(shown[:-1]) % len(unit) in boundaries
        section = Section(title="T", lines=(line(word),))
        (embed,) = discord_embeds(Message(kind="recap", headline=line("h"), sections=(section,)))
        (field,) = embed["fields"]
        value = field["value"]
        assert len(value) <= 1024 and value.endswith("…")
        assert word.startswith(value[:-1]) and len(value[:-1]) % len(unit) in boundaries
