"""``/settings timezone NAME`` finds the zone in an index of the zone database made once a
process (:func:`bot.chat_settings.find_timezone`): it finds exactly the zone that looking
through the database at each call, in alphabetical order, found."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.chat_settings import find_timezone, real_timezones

ZONES = sorted(real_timezones())
#: each zone's name and last part casefolded, in alphabetical order (read once here, so that
#: the reference below compares as it compared, without reading the database each call)
FOLDED = [(zone.casefold(), zone.casefold().rsplit("/", 1)[-1], zone) for zone in ZONES]


def looked_through(typed: str) -> str | None:
    """The lookup as it was: every zone, in alphabetical order, at each call."""
    wanted = typed.strip().replace(" ", "_").casefold()
    if not wanted:
        return None
    for name, last, zone in FOLDED:
        if name == wanted or last == wanted:
            return zone
    return None


def spellings(zone: str) -> list[str]:
    last = zone.rsplit("/", 1)[-1]
    return [zone, f"  {zone.upper()} ", zone.lower().replace("_", " "), last.upper(), last]


def test_every_zone_is_found_under_each_spelling_as_before() -> None:
    assert len(ZONES) > 300
    for zone in ZONES:
        for typed in spellings(zone):
            assert find_timezone(typed) == looked_through(typed), typed


def test_names_the_database_shares() -> None:
    """Where a last part names several zones, the first in alphabetical order, as before."""
    for typed in ("rome", "utc", "UTC", "gmt", "london", "new york", "Europe/Rome", ""):
        assert find_timezone(typed) == looked_through(typed)
    assert find_timezone("rome") == "Europe/Rome"
    assert find_timezone("new york") == "America/New_York"
    assert find_timezone("narnia") is None
    assert find_timezone("   ") is None


@settings(database=None)
@given(
    typed=st.one_of(
        st.text(max_size=20),
        st.sampled_from(ZONES).flatmap(lambda z: st.sampled_from(spellings(z))),
        st.sampled_from(ZONES).map(lambda z: z[: len(z) // 2]),
    )
)
def test_any_text_finds_what_it_found(typed: str) -> None:
    assert find_timezone(typed) == looked_through(typed)
