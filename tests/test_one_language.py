"""One language per message, and estimated minutes said as approximate.

A feed's own words (a save's or a miss's ``detail``, a reporter's note, a coach's role) in
another language than the chat's are not pasted into its sentences: the fact is said from the
event's fields, a note and a quote stay as quotes marked with their language. A minute the feed
or a provider only estimated (``minute_estimated``) is never stated as fact.
"""

from __future__ import annotations

import json

from bot.engine import Engine
from bot.feed_format import parse_line
from bot.messages import i18n, templates
from bot.messages.model import message_text

DECL = {
    "type": "match",
    "match": "m1",
    "competition": "Serie A",
    "home": "Atalanta",
    "away": "Inter",
    "kickoff": "2025-12-28T19:45:00Z",
    "venue": "Bergamo",
}


def ingest(engine: Engine, *items: dict[str, object]) -> None:
    engine.ingest(parse_line(json.dumps(DECL)))
    for item in items:
        engine.ingest(parse_line(json.dumps({"match": "m1", **item})))


def alert(engine: Engine, event_id: str, lang: str) -> str:
    state = engine.state("m1")
    assert state is not None
    stored = next(s for s in state.events if s.event.id == event_id)
    with i18n.use(lang):
        return message_text(templates.alert(state, stored))


def recap(engine: Engine, lang: str) -> str:
    with i18n.use(lang):
        message = engine.recap_message("m1")
    assert message is not None
    return message_text(message)


MISS = {
    "type": "miss",
    "id": "m",
    "minute": 31,
    "team": "Inter",
    "player": "Lautaro Martínez",
    "detail": "shoots weakly into the goalkeeper's hands",
}
NOTA = {
    "type": "note",
    "id": "n",
    "minute": 40,
    "team": "Atalanta",
    "player": "Berat Djimsiti",
    "text": "errore di Djimsiti che regala palla all'Inter",
    "lang": "it",
}
FULL_TIME = {"type": "period", "id": "ft", "minute": 90, "period": "full_time"}


def test_prose_in_another_language_is_not_pasted(engine: Engine) -> None:
    ingest(engine, MISS, NOTA, FULL_TIME)
    italian = alert(engine, "m", "it")
    assert italian == "😱 Grande occasione sprecata — Inter\n\n31' Lautaro Martínez"
    assert "goalkeeper" in alert(engine, "m", "en")  # the feed's own language keeps it
    # an Italian reporter's note: as written for Italian chats, quoted and marked for English
    assert alert(engine, "n", "it").endswith("40' errore di Djimsiti che regala palla all'Inter")
    english = alert(engine, "n", "en")
    assert english.endswith(
        "40' Note on Berat Djimsiti: “errore di Djimsiti che regala palla all'Inter” (in Italian)"
    )
    assert "goalkeeper" not in recap(engine, "it")
    assert "(in Italian)" in recap(engine, "en")


def test_quotes_stay_verbatim_with_their_language(engine: Engine) -> None:
    quote = {
        "type": "quote",
        "id": "q1",
        "speaker": "Cristian Chivu",
        "role": "Inter coach",
        "team": "Inter",
        "text": "We knew it would be demanding.",
    }
    ingest(engine, FULL_TIME, quote)
    italian = recap(engine, "it")
    assert "💬 Dichiarazioni in inglese\nCristian Chivu (allenatore dell'Inter):" in italian
    assert "“We knew it would be demanding.”" in italian
    english = recap(engine, "en")
    assert "💬 What they said\nCristian Chivu (Inter coach): “We knew it" in english
    state = engine.state("m1")
    assert state is not None
    with i18n.use("it"):
        late = message_text(templates.quote_followup(state, parse_line(json.dumps(
            {"match": "m1", **quote}))))  # type: ignore[arg-type]  # fmt: skip
    assert late.endswith("“We knew it would be demanding.” (in inglese)")


def test_an_unknown_role_in_another_language_is_left_out(engine: Engine) -> None:
    quote = {
        "type": "quote",
        "id": "q1",
        "speaker": "Marco Rossi",
        "role": "fan in the Curva Nord",
        "team": "Atalanta",
        "text": "Great night.",
    }
    ingest(engine, FULL_TIME, quote)
    assert "Marco Rossi: “Great night.”" in recap(engine, "it")


ESTIMATED_GOAL = {
    "type": "goal",
    "id": "g",
    "minute": 34,
    "minute_estimated": True,
    "team": "Inter",
    "player": "Lautaro Martínez",
}


def test_an_estimated_minute_is_said_as_approximate(engine: Engine) -> None:
    ingest(engine, ESTIMATED_GOAL, FULL_TIME)
    assert "~34' Lautaro Martínez scores for Inter" in alert(engine, "g", "en")
    assert "~34' Lautaro Martínez segna per l'Inter" in alert(engine, "g", "it")
    english, italian = recap(engine, "en"), recap(engine, "it")
    assert "just after the half-hour" in english and "34th" not in english
    assert "poco dopo la mezz'ora" in italian and "al 34'" not in italian
    assert "~34' Lautaro Martínez" in english


def test_an_estimated_half_says_only_the_half(engine: Engine) -> None:
    ingest(engine, {**ESTIMATED_GOAL, "minute": 45}, FULL_TIME)
    assert "Lautaro Martínez's goal in the first half" in recap(engine, "en")
    assert "il gol di Lautaro Martínez nel primo tempo" in recap(engine, "it")
