"""Six matches of different shapes, every alert and the recap, in English and Italian.

A league win (the bundled match), a comeback in a derby, a cup tie decided on penalties, a
national-teams final, a match of an own goal and VAR, a 0-0 between national teams. Each chat
follows both teams with every alert on; what it receives (the outbox, in order, as the console
writes it) is compared with ``tests/golden/shapes/<match>-<lang>.txt``, files read line by line
against the Italian style sheet. ``MATCHBOT_UPDATE_GOLDEN=1`` rewrites them (read the diff).

The Italian is also checked by rule: no English word outside names and quotes, and no team
that has an article written without one after a preposition or a verb (``segna per Inter``).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.messages import i18n
from bot.messages.model import Message, message_text
from bot.messages.names import team_name
from bot.teams import ensure_team
from storage.store import Store
from tests.support.core import DATA, SEED, ingest_file

GOLDEN = Path(__file__).parent / "golden" / "shapes"
SHAPES = DATA / "shapes"
MATCHES = {
    "league-win": (SEED, "serie-a-2025-26-atalanta-inter"),
    "comeback": (SHAPES / "derby-comeback.jsonl", "roma-lazio"),
    "cup-penalties": (SHAPES / "cup-penalties.jsonl", "bologna-torino"),
    "national-final": (DATA / "world-cup-final.jsonl", "wc22-final"),
    "own-goal-var": (SHAPES / "own-goal-var.jsonl", "milan-napoli"),
    "goalless": (SHAPES / "goalless.jsonl", "ned-fra"),
}


def received(engine: Engine, store: Store, feed: Path, match: str, lang: str) -> str:
    """The chat's messages: subscribe first (a chat in ``lang``), then ingest the feed."""
    store.ensure_chat("console", lang)
    store.set_chat_settings("console", lang, {"level": "all", "language": lang})
    items = [json.loads(line) for line in feed.read_text("utf-8").splitlines() if line.strip()]
    decl = next(i for i in items if i["type"] == "match")
    for name in (decl["home"], decl["away"]):
        store.subscribe("console", lang, team_id(store, name))
    assert ingest_file(engine, feed) == []
    engine.queue_recap(match)
    rows = [r for r in store.outbox_rows() if r["chat_id"] == lang]
    return "\n──────\n".join(message_text(Message.from_json(r["payload"])) for r in rows)


def team_id(store: Store, name: str) -> str:
    return ensure_team(store, name).id


@pytest.mark.parametrize("lang", ["en", "it"])
@pytest.mark.parametrize("name", list(MATCHES))
def test_match_reads_as_golden(engine: Engine, store: Store, name: str, lang: str) -> None:
    feed, match = MATCHES[name]
    text = received(engine, store, feed, match, lang)
    path = GOLDEN / f"{name}-{lang}.txt"
    if os.environ.get("MATCHBOT_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text + "\n", "utf-8")
    assert text == path.read_text("utf-8").rstrip("\n")
    if lang == "it":
        assert english_words(text, names_in(feed)) == []
        assert missing_articles(text, feed) == []
        assert "(assist:" not in text  # "su assist di", as the style sheet has it


# --- the Italian, by rule ----------------------------------------------------------------------

#: Words that are English and never Italian (football reports' vocabulary and grammar words).
ENGLISH = frozenset(
    {
        "the",
        "and",
        "of",
        "for",
        "with",
        "from",
        "after",
        "before",
        "by",
        "was",
        "were",
        "had",
        "have",
        "has",
        "won",
        "win",
        "wins",
        "beat",
        "beats",
        "drew",
        "draw",
        "scores",
        "scored",
        "score",
        "goal",
        "goals",
        "own",
        "penalty",
        "penalties",
        "minute",
        "minutes",
        "match",
        "save",
        "saves",
        "miss",
        "misses",
        "missed",
        "chance",
        "card",
        "cards",
        "red",
        "yellow",
        "half",
        "time",
        "full",
        "kick",
        "substitution",
        "comes",
        "disallowed",
        "offside",
        "still",
        "lead",
        "leads",
        "shoot",
        "out",
        "extra",
        "said",
        "what",
        "they",
        "key",
        "moments",
        "storylines",
        "sent",
        "off",
        "big",
        "denied",
        "lost",
        "late",
        "early",
        "first",
        "second",
        "round",
        "final",
        "matchday",
        "group",
        "coach",
        "captain",
        "cancelled",
        "ruled",
        "level",
        "finished",
        "ended",
        "shared",
        "goalless",
        "thrashed",
        "edged",
        "settled",
        "came",
        "behind",
        "fought",
        "back",
        "turnaround",
        "eased",
        "past",
        "swept",
        "aside",
        "riot",
        "left",
        "gave",
        "them",
        "winner",
        "equaliser",
        "rescued",
        "decided",
        "stoppage",
        "opening",
        "midway",
        "hour",
        "mark",
        "just",
        "around",
        "pen",
        "og",
        "his",
        "her",
        "its",
        "shoots",
        "wide",
        "heads",
        "yards",
        "bar",
        "tips",
        "over",
        "alone",
        "front",
        "puts",
        "interfering",
        "build",
        "up",
        "costly",
        "error",
        "deep",
        "gifts",
        "possession",
        "fourth",
        "league",
        "row",
    }
)
QUOTED = re.compile(r"“[^”]*”")


def names_in(feed: Path) -> set[str]:
    """Every name a feed gives (players, speakers, venues, competitions as written)."""
    names: set[str] = set()
    for line in feed.read_text("utf-8").splitlines():
        item = json.loads(line) if line.strip() else {}
        for key in ("player", "assist", "shooter", "player_in", "player_out", "speaker", "venue"):
            if item.get(key):
                names.add(item[key])
    return names


def english_words(text: str, names: set[str]) -> list[str]:
    """The English words of an Italian text, outside quotes and names."""
    plain = QUOTED.sub(" ", text)
    for name in sorted(names, key=len, reverse=True):
        plain = plain.replace(name, " ")
    words = re.findall(r"[A-Za-z]+", plain)
    return sorted({w for w in words if w.casefold() in ENGLISH})


#: A preposition or a verb that must be followed by the team's article in Italian.
_BEFORE_ARTICLE = r"(?:di|a|da|in|su|per|contro|con|tra|fra|vince|vincono|batte|battono|supera|e)"


def missing_articles(text: str, feed: Path) -> list[str]:
    """Places where a team that has an article comes without it (``segna per Inter``)."""
    decl = json.loads(feed.read_text("utf-8").splitlines()[0])
    text = QUOTED.sub(" ", text)
    if decl.get("venue"):  # "a Roma" is the city
        text = text.replace(f" a {decl['venue']}", " ")
    found = []
    with i18n.use("it"):
        for raw in (decl["home"], decl["away"]):
            team = team_name(raw)
            if not team.has_article or not team.italian.article:
                continue
            name = re.escape(format(team, ""))
            for hit in re.finditer(rf"\b{_BEFORE_ARTICLE} {name}\b", text):
                found.append(hit.group(0))
    return found


def test_the_checks_can_fail() -> None:
    assert english_words("65' Lautaro Martínez scores for Inter", {"Lautaro Martínez"}) == [
        "for",
        "scores",
    ]
    assert english_words("Cristian Chivu: “We won”", {"Cristian Chivu"}) == []
    assert missing_articles("65' Lautaro Martínez segna per Inter", SEED) == ["per Inter"]
    assert missing_articles("Atalanta-Inter 0-1: vince l'Inter", SEED) == []
