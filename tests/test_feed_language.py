"""A feed declares the language of its words once, on its ``match`` line (``"lang": "it"``):
every event and quote of that match without its own ``lang`` is in that language; one that says
its own keeps it; without a declaration the words are English. Through ``matchbot recap``'s
path (the feed's lines read, ingested, the recap written)."""

from __future__ import annotations

import asyncio
import io
import json

from adapters.console.replay import recaps_of_feed

DECL = {
    "type": "match",
    "match": "m1",
    "competition": "Serie A",
    "home": "Atalanta",
    "away": "Inter",
    "kickoff": "2025-12-28T19:45:00Z",
    "venue": "Bergamo",
}
EVENTS = [
    {"type": "period", "id": "p1", "minute": 0, "period": "first_half"},
    {"type": "save", "id": "s1", "minute": 23, "team": "Atalanta", "player": "Marco Carnesecchi",
     "shooter": "Marcus Thuram", "detail": "gran colpo di reni sul primo palo"},
    {"type": "note", "id": "n1", "minute": 64, "team": "Atalanta", "player": "Berat Djimsiti",
     "text": "errore di Djimsiti che regala palla all'Inter"},
    {"type": "note", "id": "n2", "minute": 66, "team": "Inter", "player": "Lautaro Martínez",
     "text": "his fourth league goal in a row", "lang": "en"},
    {"type": "goal", "id": "g1", "minute": 65, "team": "Inter", "player": "Lautaro Martínez"},
    {"type": "period", "id": "ft", "minute": 90, "period": "full_time"},
    {"type": "quote", "id": "q1", "speaker": "Cristian Chivu", "role": "allenatore dell'Inter",
     "text": "Abbiamo affrontato una grande Atalanta"},
]  # fmt: skip


def recap(lines: list[dict[str, object]], lang: str) -> str:
    feed = [json.dumps(lines[0], ensure_ascii=False)] + [
        json.dumps({"match": "m1", **item}, ensure_ascii=False) for item in lines[1:]
    ]
    out, err = io.StringIO(), io.StringIO()
    rejected, found = asyncio.run(recaps_of_feed(feed, "m1", "text", out, err, lang=lang))
    assert (rejected, found) == (0, True), err.getvalue()
    return out.getvalue()


def test_a_feed_declared_italian_reads_right_in_both_languages() -> None:
    italian_feed = [{**DECL, "lang": "it"}, *EVENTS]
    english = recap(italian_feed, "en")
    # the Italian words are not pasted into English sentences: quoted with their language
    assert (
        "Note on Berat Djimsiti: “errore di Djimsiti che regala palla all'Inter” (in Italian)"
        in (english)
    )
    assert "gran colpo di reni" not in english  # a detail in another language is left out
    assert "💬 What they said (in Italian)\nCristian Chivu" in english
    # the item that says its own language keeps it
    assert "his fourth league goal in a row" in english
    assert "“his fourth league goal in a row”" not in english

    italian = recap(italian_feed, "it")
    assert "64' 📝 errore di Djimsiti che regala palla all'Inter" in italian
    assert "gran colpo di reni sul primo palo" in italian
    assert "“his fourth league goal in a row” (in inglese)" in italian
    assert "💬 Le dichiarazioni\nCristian Chivu (allenatore dell'Inter): “Abbiamo" in italian


def test_without_a_declaration_the_words_are_english() -> None:
    english = recap([DECL, *EVENTS], "en")
    assert "64' 📝 errore di Djimsiti che regala palla all'Inter" in english
    italian = recap([DECL, *EVENTS], "it")
    assert "“errore di Djimsiti che regala palla all'Inter” (in inglese)" in italian
