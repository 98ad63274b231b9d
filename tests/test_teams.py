"""The bundled team catalogue and the lookup of what fans type."""

from __future__ import annotations

import pytest

from bot.commands import Commands
from bot.messages.model import message_text
from bot.ports import CommandContext
from bot.teams import (
    catalogue,
    ensure_team,
    find_team,
    normalize,
    parse_catalogue,
    seed_known_teams,
    spellings,
)
from storage.store import Store

TOP_FIVE = {"Premier League": 20, "La Liga": 20, "Serie A": 20, "Bundesliga": 18, "Ligue 1": 18}

WORLD_CUP_2022 = {
    "Qatar", "Ecuador", "Senegal", "Netherlands", "England", "Iran", "USA", "Wales",
    "Argentina", "Saudi Arabia", "Mexico", "Poland", "France", "Australia", "Denmark", "Tunisia",
    "Spain", "Costa Rica", "Germany", "Japan", "Belgium", "Canada", "Morocco", "Croatia",
    "Brazil", "Serbia", "Switzerland", "Cameroon", "Portugal", "Ghana", "Uruguay", "South Korea",
}  # fmt: skip
EURO_2024 = {
    "Germany", "Scotland", "Hungary", "Switzerland", "Spain", "Croatia", "Italy", "Albania",
    "Slovenia", "Denmark", "Serbia", "England", "Poland", "Netherlands", "Austria", "France",
    "Belgium", "Slovakia", "Romania", "Ukraine", "Turkey", "Georgia", "Portugal", "Czech Republic",
}  # fmt: skip

# What fans type → the team they mean.
TYPED = {
    "Inter": "Inter", "Internazionale": "Inter", "Inter Milan": "Inter", "inter milano": "Inter",
    "Milan": "Milan", "AC Milan": "Milan", "Juve": "Juventus", "Juventus Turin": "Juventus",
    "Roma": "Roma", "Lazio": "Lazio", "Napoli": "Napoli", "Naples": "Napoli", "Toro": "Torino",
    "Verona": "Hellas Verona", "Cremonese": "Cremonese", "Pisa": "Pisa", "La Dea": "Atalanta",
    "Spurs": "Tottenham Hotspur", "Tottenham Hotpsur": "Tottenham Hotspur",
    "Man Utd": "Manchester United", "Manchester Utd": "Manchester United",
    "Man City": "Manchester City", "Wolves": "Wolverhampton Wanderers",
    "Forest": "Nottingham Forest", "Brighton": "Brighton & Hove Albion",
    "Sunderland": "Sunderland", "Leeds": "Leeds United", "Burnley": "Burnley",
    "Barça": "Barcelona", "Barca": "Barcelona", "Barcellona": "Barcelona",
    "Atletico": "Atlético Madrid", "Atleti": "Atlético Madrid", "Athletic": "Athletic Club",
    "Athletic Bilbao": "Athletic Club", "Betis": "Real Betis", "La Real": "Real Sociedad",
    "Oviedo": "Real Oviedo", "Levante": "Levante", "Elche": "Elche", "Siviglia": "Sevilla",
    "Bayern": "Bayern Munich", "Bayern München": "Bayern Munich",
    "Bayern Monaco": "Bayern Munich", "bayern munchen": "Bayern Munich",
    "Bayern Muenchen": "Bayern Munich", "Gladbach": "Borussia Mönchengladbach",
    "Moenchengladbach": "Borussia Mönchengladbach", "BVB": "Borussia Dortmund",
    "Koln": "Köln", "Koeln": "Köln", "1. FC Köln": "Köln", "Cologne": "Köln", "HSV": "Hamburger SV",
    "Leverkusen": "Bayer Leverkusen", "Stoccarda": "VfB Stuttgart", "St Pauli": "St. Pauli",
    "PSG": "Paris Saint-Germain", "Paris Saint Germain": "Paris Saint-Germain",
    "Paris FC": "Paris FC", "OM": "Marseille", "Marsiglia": "Marseille", "OL": "Lyon",
    "Lorient": "Lorient", "Metz": "Metz", "Saint Etienne": "Saint-Étienne",
    "Sporting": "Sporting CP",
    "Italia": "Italy", "Italy": "Italy", "Azzurri": "Italy", "Deutschland": "Germany",
    "Germania": "Germany", "España": "Spain", "Espana": "Spain", "Spagna": "Spain",
    "Selecao": "Brazil", "Seleção": "Brazil", "Brasile": "Brazil", "Olanda": "Netherlands",
    "Holland": "Netherlands", "Inghilterra": "England", "Three Lions": "England",
    "Les Bleus": "France", "Francia": "France", "Svizzera": "Switzerland",
    "Stati Uniti": "USA", "USMNT": "USA", "Korea Republic": "South Korea",
    "Türkiye": "Turkey", "Turkiye": "Turkey", "Czechia": "Czech Republic", "Cymru": "Wales",
    "Osterreich": "Austria", "Oesterreich": "Austria",
}  # fmt: skip

# Names that mean several teams: a choice, never a silent pick.
AMBIGUOUS = {
    "Manchester": {"Manchester City", "Manchester United"},
    "Real": {"Real Madrid", "Real Sociedad", "Real Betis", "Real Oviedo"},
    "Paris": {"Paris Saint-Germain", "Paris FC"},
    "Borussia": {"Borussia Dortmund", "Borussia Mönchengladbach"},
    "Milano": {"Inter", "Milan"},
    "Atletic": {"Athletic Club", "Atlético Madrid"},
    "United": {"Manchester United", "Newcastle United", "West Ham United"},
}

FAN = CommandContext(platform="telegram", chat_id="1", user_id="u1")


def test_each_top_five_league_has_all_its_clubs() -> None:
    clubs: dict[str, set[str]] = {}
    for team in catalogue().teams:
        if team.competition is not None:
            clubs.setdefault(team.competition, set()).add(team.name)
    for league, count in TOP_FIVE.items():
        assert len(clubs[league]) == count, league
        assert catalogue().seasons[league] == "2025-26"
    assert {"Cremonese", "Pisa", "Sassuolo"} <= clubs["Serie A"]
    assert {"Sunderland", "Leeds United", "Burnley"} <= clubs["Premier League"]
    assert {"Levante", "Elche", "Real Oviedo"} <= clubs["La Liga"]
    assert {"Hamburger SV", "Köln"} <= clubs["Bundesliga"]
    assert {"Lorient", "Paris FC", "Metz"} <= clubs["Ligue 1"]
    assert not {"Monza", "Leicester City", "Holstein Kiel"} & set().union(
        *(clubs[league] for league in TOP_FIVE)
    )


def test_clubs_have_a_country_and_national_teams_their_tournaments() -> None:
    teams = {team.name: team for team in catalogue().teams}
    assert (teams["Inter"].kind, teams["Inter"].country) == ("club", "Italy")
    assert teams["Lens"].country == "France" and teams["Celtic"].country == "Scotland"
    assert all(team.country for team in teams.values())
    nationals = {name for name, team in teams.items() if team.kind == "national"}
    assert nationals == WORLD_CUP_2022 | EURO_2024
    assert len(nationals) == 44
    assert teams["Italy"].tournaments == ("Euro 2024",)
    assert teams["France"].tournaments == ("World Cup 2022", "Euro 2024")


def test_every_alias_belongs_to_one_team_only() -> None:
    owner: dict[str, str] = {}
    for team in catalogue().teams:
        for name in (team.name, *team.aliases):
            for spelling in spellings(name):
                assert owner.setdefault(spelling, team.name) == team.name, (
                    f"“{name}” is both {owner[spelling]} and {team.name}"
                )
    # A deliberately ambiguous name is never also an alias of one of its teams.
    assert not set(catalogue().ambiguous) & set(owner)


def test_every_catalogue_name_finds_its_own_team(store: Store) -> None:
    for team in catalogue().teams:
        for name in (team.name, *team.aliases):
            found = find_team(store, name)
            assert found.team is not None and found.team.name == team.name, name


@pytest.mark.parametrize(("typed", "meant"), TYPED.items())
def test_what_fans_type_finds_the_team_they_mean(store: Store, typed: str, meant: str) -> None:
    found = find_team(store, typed)
    assert found.team is not None, f"{typed}: only {found.suggestions}"
    assert found.team.name == meant


@pytest.mark.parametrize(("typed", "teams"), AMBIGUOUS.items())
def test_an_ambiguous_name_offers_a_choice(store: Store, typed: str, teams: set[str]) -> None:
    found = find_team(store, typed, limit=5)
    assert found.team is None
    assert teams <= {team.name for team in found.suggestions}


@pytest.mark.parametrize("typed", ["Inter Miami", "Inter U23", "Juventus Women"])
def test_a_different_team_is_not_taken_for_a_known_one(store: Store, typed: str) -> None:
    found = find_team(store, typed)
    assert found.team is None
    assert found.suggestions[0].name == typed.split()[0]


def test_a_typo_suggests_the_team_whose_word_it_is(store: Store) -> None:
    # "intr" is inside "Eintracht", but it is a typo of Inter.
    assert [t.name for t in find_team(store, "intr").suggestions] == ["Inter"]


def test_a_feed_team_with_an_ambiguous_name_is_among_the_choices(store: Store) -> None:
    ensure_team(store, "Paris")  # a club a feed calls just "Paris"
    found = find_team(store, "Paris")
    assert found.team is None
    assert [t.name for t in found.suggestions] == ["Paris", "Paris Saint-Germain", "Paris FC"]


def test_an_old_alias_of_an_ambiguous_name_no_longer_picks_silently() -> None:
    store = Store.open(":memory:")
    store.add_team("real-madrid", "Real Madrid")
    store.add_alias("real", "real-madrid")  # the catalogue once said Real = Real Madrid
    seed_known_teams(store)
    assert find_team(store, "Real").team is None
    store.close()


def test_seeding_twice_changes_nothing_and_feeds_reuse_catalogue_teams(store: Store) -> None:
    before = store.team_names()
    seed_known_teams(store)
    assert sorted(map(str, store.team_names())) == sorted(map(str, before))
    assert ensure_team(store, "1. FC Köln").id == "koln"
    assert ensure_team(store, "Borussia Moenchengladbach").name == "Borussia Mönchengladbach"
    assert ensure_team(store, "Italia").id == "italy"


def test_names_fold_accents_and_letters_unicode_keeps_whole() -> None:
    assert normalize("Atlético") == "atletico"
    assert normalize("Bodø/Glimt") == "bodo glimt"
    assert normalize("Łódź") == "lodz"
    assert normalize("Samardžić") == "samardzic"
    assert spellings("Köln") == ("koln", "koeln")
    assert spellings("Inter") == ("inter",)


def test_subscribe_to_an_ambiguous_name_gets_buttons(store: Store) -> None:
    message = Commands(store).run(FAN, "subscribe", "Manchester")
    assert message.kind == "suggestions"
    assert [b.label for b in message.buttons] == ["Manchester City", "Manchester United"]
    text = message_text(message)
    assert "“Manchester” could be: Manchester City, Manchester United." in text
    assert "Which one?" in text
    assert "don't know" not in text  # the bot knows both: it asks, it does not apologise


def test_the_old_format_still_loads_and_mistakes_are_named() -> None:
    old = parse_catalogue({"_comment": "x", "Inter": ["Internazionale"]})
    assert [(t.name, t.aliases, t.kind, t.competition) for t in old.teams] == [
        ("Inter", ("Internazionale",), "club", None)
    ]
    league = {"country": "Italy", "clubs": ["Inter"]}
    with pytest.raises(ValueError, match="no entry for Milan"):
        parse_catalogue({"_competitions": {"A": {**league, "clubs": ["Milan"]}}, "Inter": []})
    with pytest.raises(ValueError, match="Inter is in both A and B"):
        parse_catalogue({"_competitions": {"A": league, "B": league}, "Inter": []})
    with pytest.raises(ValueError, match="no entry for Roma"):
        parse_catalogue({"_ambiguous": {"Rome": ["Roma"]}})
