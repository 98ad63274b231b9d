"""A SQLite fan-out numbers its chats without reading the numbers back: each kind of follower's
chats are the next numbers of the scratch table (its rowids, from 1 in the emptied table), as
many as the insert added (``FanOutTables.plan_fan_out``); a kind nobody is in asks for no
message."""

from __future__ import annotations

from storage.store import Audience, FanOut, Store

NOW = 1_800_000_000.0


def chat(store: Store, chat_id: str, what: str, kind: str, **settings: object) -> None:
    store.ensure_chat("telegram", chat_id, None, "private")
    store.subscribe("telegram", chat_id, what, kind)
    if settings:
        store.set_chat_settings("telegram", chat_id, settings)


def staged(store: Store) -> dict[int, list[tuple[int, str]]]:
    """The scratch table as the plan left it: each kind's (rowid, chat), in rowid order."""
    found: dict[int, list[tuple[int, str]]] = {}
    for rowid, via, chat_id in store.db.conn.execute(
        "SELECT rowid, via_match, chat_id FROM temp.fanout_audience ORDER BY rowid"
    ):
        found.setdefault(via, []).append((rowid, chat_id))
    return found


def test_each_kind_of_follower_is_the_span_the_table_numbered(store: Store) -> None:
    for n, zone in enumerate(["Europe/Rome", None, "America/New_York", None, "Europe/Rome"]):
        chat(store, f"team-{n}", "inter", "team", **({"timezone": zone} if zone else {}))
    chat(store, "player-0", "7", "player", language="it")
    chat(store, "player-1", "7", "player")
    audience = Audience(["inter"], None, [7])
    fan = FanOut(key="k", kind="alert", match_id="m1", now=NOW)
    for _ in range(3):  # each plan numbers afresh, whatever the one before staged
        plan = store.plan_fan_out(audience, fan)
        table = staged(store)
        assert [via for via, _, _ in plan.spans] == [1, 0]
        for via, first, past in plan.spans:
            rowids = [rowid for rowid, _ in table[via]]
            assert rowids == list(range(first, past))
        assert plan.spans[0][1] == 1
        assert plan.spans[0][2] == plan.spans[1][1]
        assert {(v.zone, v.language, v.via_match) for v in plan.variants} == {
            ("Europe/Rome", "en", True),
            ("UTC", "en", True),
            ("America/New_York", "en", True),
            ("UTC", "it", False),
            ("UTC", "en", False),
        }


def test_a_plan_reads_no_number_back_and_asks_nothing_of_an_empty_kind(store: Store) -> None:
    chat(store, "team-0", "inter", "team")
    audience = Audience(["inter"], None, [7])  # nobody follows player 7
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        with store.atomic():
            plan = store.plan_fan_out(
                audience, FanOut(key="k", kind="alert", match_id="m1", now=NOW)
            )
    finally:
        store.db.conn.set_trace_callback(None)
    assert plan.spans == ((1, 1, 2), (0, 2, 2))
    assert [(v.zone, v.via_match) for v in plan.variants] == [("UTC", True)]
    assert not [s for s in statements if "MAX(rowid)" in s]
    assert len([s for s in statements if s.startswith("SELECT DISTINCT")]) == 1
