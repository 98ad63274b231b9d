"""The one match every fan-out benchmark plays: Atalanta v Inter, and Lautaro's 65' goal."""

from __future__ import annotations

from bot.feed_format import Event, MatchDecl, Quote, parse_object

MATCH = "bench-atalanta-inter"


def goal_feed() -> tuple[MatchDecl | Event | Quote, MatchDecl | Event | Quote]:
    """The fixture to declare first, then the goal whose alert fans out."""
    decl = parse_object(
        {
            "type": "match",
            "match": MATCH,
            "competition": "Serie A",
            "home": "Atalanta",
            "away": "Inter",
            "kickoff": "2026-01-20T20:00:00Z",
        }
    )
    goal = parse_object(
        {
            "type": "goal",
            "match": MATCH,
            "id": "g1",
            "minute": 65,
            "team": "Inter",
            "player": "Lautaro Martínez",
            "assist": "Francesco Pio Esposito",
        }
    )
    return decl, goal
