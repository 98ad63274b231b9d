"""The match's depth through the engine: line-ups once per chat (a late change edits them),
substitutions made at once in one message, added time, braces and hat-tricks, statistics
edited into the half-time and full-time alerts, the player of the match, the shoot-out kick by
kick and the table after the result; golden texts in both languages.

``UPDATE_GOLDEN=1 pytest tests/test_match_depth.py`` rewrites the golden files (read them!).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from bot.engine import Engine
from bot.feed_format import FeedError, parse_object
from bot.match_data import Standings, moves, table_after
from bot.messages import i18n
from bot.messages.model import Message, message_text
from bot.messages.templates.depth import table_move_text
from storage.store import Store
from tests.support.core import DATA

GOLDEN = Path(__file__).parent / "golden" / "depth"
SAMPLE = Path(__file__).parent.parent / "bot" / "data" / "sample-depth.jsonl"
MATCH = "sample-riverside-harbor"
HOME, AWAY = "Riverside FC", "Harbor United"


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", "utf-8")
    assert text == path.read_text("utf-8").rstrip("\n")


def chat_follows(
    store: Store, chat_id: str, *teams: str, lang: str = "en", **settings: Any
) -> None:
    store.ensure_chat("test", chat_id)
    store.set_chat_settings("test", chat_id, {"level": "all", "language": lang, **settings})
    for team in teams:
        store.subscribe("test", chat_id, team)


def deliver(store: Store, chat_id: str) -> list[str]:
    """Every pending row of the chat marked sent (as delivery would); returns each one as
    ``[kind] text`` with ``(edit of KEY)`` for an edit, in order."""
    out = []
    for row in store.outbox_rows("test", chat_id):
        if row["status"] != "pending":
            continue
        store.mark_sent(row["id"], row["key"], "test", chat_id, [str(row["id"])])
        text = message_text(Message.from_json(row["payload"]))
        edit = row["edit_key"]
        where = f" (edits {edit.rsplit(':', 2)[0]})" if edit else ""
        out.append(f"[{row['kind']}{where}]\n{text}")
    return out


def transcript(lang: str) -> str:
    store = Store.open(":memory:")
    engine = Engine(store)
    lines = SAMPLE.read_text("utf-8").splitlines()
    engine.ingest(parse_object(json.loads(lines[0])))
    team_ids = [store.match(MATCH)["home_team"], store.match(MATCH)["away_team"]]  # type: ignore[index]
    chat_follows(store, "1", *team_ids, lang=lang)
    seen: list[str] = []
    for raw in lines[1:]:
        engine.ingest(parse_object(json.loads(raw)))
        seen += deliver(store, "1")
    with i18n.use(lang):
        recap = engine.recap_message(MATCH)
    assert recap is not None
    seen.append(f"[recap]\n{message_text(recap)}")
    return "\n\n────────\n\n".join(seen)


@pytest.mark.parametrize("lang", ["en", "it"])
def test_the_bundled_sample_reads_as_golden(lang: str) -> None:
    """Line-ups (the second team's an edit), added time, grouped substitutions, a brace and
    a hat-trick, statistics edited into half-time and full-time, the recap with the player
    of the match, the statistics and the table."""
    golden(f"sample-{lang}.txt", transcript(lang))


def test_the_sample_says_nothing_it_was_not_given() -> None:
    text = transcript("en") + transcript("it")
    for word in ("None", "null", "nan", "NaN"):
        assert word not in text


@pytest.mark.parametrize("lang", ["en", "it"])
def test_the_shoot_out_kick_by_kick_with_the_running_score(lang: str) -> None:
    store2 = Store.open(":memory:")
    engine2 = Engine(store2)
    lines = (DATA / "world-cup-final.jsonl").read_text("utf-8").splitlines()
    engine2.ingest(parse_object(json.loads(lines[0])))
    decl = store2.match("wc22-final")
    assert decl is not None
    chat_follows(store2, "1", decl["home_team"], lang=lang)
    for raw in lines[1:]:
        if raw.strip():
            engine2.ingest(parse_object(json.loads(raw)))
    kicks = [
        message_text(Message.from_json(r["payload"]))
        for r in store2.outbox_rows("test", "1")
        if r["key"].startswith("event:wc22-final:s")
    ]
    with i18n.use(lang):
        recap = engine2.recap_message("wc22-final")
    assert recap is not None
    shootout = next(s for s in recap.sections if s.title and "🎯" in s.title)
    sequence = message_text(Message(kind="recap", headline=(), sections=(shootout,)))
    golden(f"shootout-{lang}.txt", "\n\n".join([*kicks, sequence.strip()]))


def test_a_late_line_up_change_edits_the_message_once_per_chat() -> None:
    store = Store.open(":memory:")
    engine = Engine(store)
    lines = [json.loads(raw) for raw in SAMPLE.read_text("utf-8").splitlines()]
    engine.ingest(parse_object(lines[0]))
    match = store.match(MATCH)
    assert match is not None
    chat_follows(store, "1", match["home_team"], match["away_team"])
    home_lineup = next(o for o in lines if o["type"] == "lineup" and o["team"] == HOME)
    engine.ingest(parse_object(home_lineup))
    engine.ingest(parse_object(home_lineup))  # the same again: nothing new
    assert len(deliver(store, "1")) == 1
    changed = {**home_lineup, "formation": "4-4-2"}
    assert engine.ingest(parse_object(changed)).status == "updated"
    rows = deliver(store, "1")
    assert len(rows) == 1 and rows[0].startswith("[lineups (edits lineup:sample-riverside-harbor)]")
    assert "Riverside FC (4-4-2)" in rows[0]


def test_a_followed_player_is_marked_in_the_line_ups_and_found_before_he_plays() -> None:
    store = Store.open(":memory:")
    engine = Engine(store)
    lines = [json.loads(raw) for raw in SAMPLE.read_text("utf-8").splitlines()]
    engine.ingest(parse_object(lines[0]))
    away_lineup = next(o for o in lines if o["type"] == "lineup" and o["team"] == AWAY)
    engine.ingest(parse_object(away_lineup))  # nobody follows anything yet: he is now known
    found = [p for p in store.players() if p["name"] == "Olu Ade"]
    assert len(found) == 1 and found[0]["team"] == AWAY
    store.ensure_chat("test", "9")
    store.subscribe("test", "9", str(found[0]["id"]), kind="player")
    home_lineup = next(o for o in lines if o["type"] == "lineup" and o["team"] == HOME)
    engine.ingest(parse_object(home_lineup))  # the line-ups message (an edit, here a send)
    rows = deliver(store, "9")
    assert len(rows) == 1
    assert "⭐ Olu Ade is on the bench for Harbor United" in rows[0]
    assert "⭐ 17 Olu Ade" in rows[0]


def test_chats_that_turned_line_ups_and_stats_off_get_neither() -> None:
    store = Store.open(":memory:")
    engine = Engine(store)
    lines = SAMPLE.read_text("utf-8").splitlines()
    engine.ingest(parse_object(json.loads(lines[0])))
    match = store.match(MATCH)
    assert match is not None
    chat_follows(store, "off", match["home_team"], lineups="off", stats="off")
    chat_follows(store, "on", match["home_team"])
    for raw in lines[1:]:
        engine.ingest(parse_object(json.loads(raw)))
    engine.queue_recap(MATCH)
    kinds_off = [r["kind"] for r in store.outbox_rows("test", "off")]
    kinds_on = [r["kind"] for r in store.outbox_rows("test", "on")]
    assert "lineups" not in kinds_off and "lineups" in kinds_on
    recap_off = [r for r in store.outbox_rows("test", "off") if r["kind"] == "recap"]
    recap_on = [r for r in store.outbox_rows("test", "on") if r["kind"] == "recap"]
    assert "Possession" not in recap_off[0]["payload"]
    assert "Possession" in recap_on[0]["payload"]
    # nothing delivered: the half-time alert of "on" was rewritten with the statistics
    half_on = [r for r in store.outbox_rows("test", "on") if "Half-time:" in r["payload"]]
    half_off = [r for r in store.outbox_rows("test", "off") if "Half-time:" in r["payload"]]
    assert "Possession" in half_on[0]["payload"] and "Possession" not in half_off[0]["payload"]


def test_a_line_up_of_another_team_is_rejected_and_a_player_listed_twice_kept_once() -> None:
    store = Store.open(":memory:")
    engine = Engine(store)
    lines = [json.loads(raw) for raw in SAMPLE.read_text("utf-8").splitlines()]
    engine.ingest(parse_object(lines[0]))
    lineup = next(o for o in lines if o["type"] == "lineup")
    with pytest.raises(FeedError, match="does not play"):
        engine.ingest(parse_object({**lineup, "team": "Northport"}))
    twice = {**lineup, "bench": [*lineup["bench"], lineup["start"][0]]}
    engine.ingest(parse_object(twice))
    data = engine.stored_data(MATCH)
    assert len(data.lineups[0].bench) == len(lineup["bench"])


def test_stats_left_out_when_not_given_never_zero() -> None:
    store = Store.open(":memory:")
    engine = Engine(store)
    lines = [json.loads(raw) for raw in SAMPLE.read_text("utf-8").splitlines()]
    for obj in lines:
        if obj["type"] in ("match", "period") or obj["type"] == "goal":
            engine.ingest(parse_object(obj))
    engine.ingest(
        parse_object(
            {
                "type": "stats",
                "match": MATCH,
                "period": "full_time",
                "home": {"possession": 60, "corners": 3},
                "away": {"possession": 40},
            }
        )
    )
    recap = engine.recap_message(MATCH)
    assert recap is not None
    text = message_text(recap)
    assert "Possession: 60% – 40%" in text
    assert "Corners" not in text and "Shots" not in text


def test_no_ratings_no_player_of_the_match() -> None:
    store = Store.open(":memory:")
    engine = Engine(store)
    for raw in SAMPLE.read_text("utf-8").splitlines():
        if '"ratings"' not in raw:
            engine.ingest(parse_object(json.loads(raw)))
    recap = engine.recap_message(MATCH)
    assert recap is not None and "Player of the match" not in message_text(recap)


def _table(*rows: tuple[str, int]) -> Standings:
    return Standings(
        type="standings", match="m", table=tuple({"team": t, "points": p} for t, p in rows)
    )


def _moves(table: Standings, home: str, away: str, goals: tuple[int, int]) -> list[str]:
    after = table_after(table, (home, away), goals, lambda name, side: name == side)
    if after is None:
        return []
    return [table_move_text(m) for m in moves(*after, (home, away))]


@pytest.mark.parametrize("lang", ["en", "it"])
def test_table_impact_as_a_fan_says_it(lang: str) -> None:
    league = _table(("Napoli", 40), ("Inter", 39), ("Milan", 36), ("Roma", 30), ("Atalanta", 28))
    with i18n.use(lang):
        said = [
            *_moves(league, "Atalanta", "Inter", (0, 1)),  # Inter go top
            *_moves(league, "Napoli", "Roma", (3, 0)),  # Napoli stay top
            *_moves(league, "Milan", "Inter", (2, 0)),  # Milan level with Napoli? no: 39
            *_moves(league, "Napoli", "Inter", (1, 1)),  # level at the top? no: 41 and 40
            *_moves(_table(("A", 3), ("B", 3)), "A", "B", (0, 0)),  # a league of two
            *_moves(_table(("A", 0), ("B", 3)), "A", "B", (1, 0)),
        ]
    golden(f"table-{lang}.txt", "\n".join(said))


def test_standings_missing_a_team_say_nothing() -> None:
    assert _moves(_table(("Napoli", 40), ("Inter", 39)), "Atalanta", "Inter", (0, 1)) == []


def test_match_data_lines_are_validated_like_any_feed_line() -> None:
    with pytest.raises(FeedError, match="possession"):
        parse_object(
            {
                "type": "stats",
                "match": "m",
                "period": "full_time",
                "home": {"possession": "45%"},
                "away": {},
            }
        )
    with pytest.raises(FeedError, match="start"):
        parse_object({"type": "lineup", "match": "m", "team": "Inter", "start": []})
    with pytest.raises(FeedError, match="minutes"):
        parse_object({"type": "added_time", "match": "m", "id": "a", "minute": 90})


def test_lineups_and_stats_commands_answer_for_the_chats_match() -> None:
    from bot.commands import Commands
    from tests.support.core import chat

    store = Store.open(":memory:")
    engine = Engine(store)
    lines = SAMPLE.read_text("utf-8").splitlines()
    engine.ingest(parse_object(json.loads(lines[0])))
    commands = Commands(store)
    assert "No line-ups for Riverside FC v Harbor United yet" in message_text(
        commands.run(chat("1"), "lineups", "Riverside FC")
    )
    for raw in lines[1:]:
        engine.ingest(parse_object(json.loads(raw)))
    match = store.match(MATCH)
    assert match is not None
    store.ensure_chat("test", "1")
    store.subscribe("test", "1", match["away_team"])
    lineups = message_text(commands.run(chat("1"), "lineups", ""))
    assert lineups.startswith("📋 Line-ups: Riverside FC v Harbor United")
    assert "Harbor United (3-5-2)" in lineups
    stats = message_text(commands.run(chat("1"), "stats", "harbor united"))
    assert "Riverside FC 3-1 Harbor United" in stats.splitlines()[0]
    assert "Possession: 58% – 42%" in stats
    store.set_chat_settings("test", "1", {"language": "it"})
    assert "Possesso palla: 58% – 42%" in message_text(commands.run(chat("1"), "stats", ""))
