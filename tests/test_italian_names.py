"""Italian names: articles merged with prepositions, national teams, competitions and rounds."""

from __future__ import annotations

import json

import pytest

from bot.messages import i18n
from bot.messages.grammar import ItalianForm, article_for, parse_phrase
from bot.messages.names import competition_name, round_text, team_name
from bot.teams import catalogue


def it(spec: str, team: str) -> str:
    with i18n.use("it"):
        return format(team_name(team), spec)


@pytest.mark.parametrize(
    ("team", "il", "di", "a", "per"),
    [
        ("Inter", "l'Inter", "dell'Inter", "all'Inter", "per l'Inter"),
        ("Atalanta", "l'Atalanta", "dell'Atalanta", "all'Atalanta", "per l'Atalanta"),
        ("Milan", "il Milan", "del Milan", "al Milan", "per il Milan"),
        ("Juventus", "la Juventus", "della Juventus", "alla Juventus", "per la Juventus"),
        ("Spezia", "lo Spezia", "dello Spezia", "allo Spezia", "per lo Spezia"),
        ("Rangers", "i Rangers", "dei Rangers", "ai Rangers", "per i Rangers"),
        ("Italy", "l'Italia", "dell'Italia", "all'Italia", "per l'Italia"),
        ("France", "la Francia", "della Francia", "alla Francia", "per la Francia"),
        ("Portugal", "il Portogallo", "del Portogallo", "al Portogallo", "per il Portogallo"),
        ("Netherlands", "i Paesi Bassi", "dei Paesi Bassi", "ai Paesi Bassi", "per i Paesi Bassi"),
        ("USA", "gli Stati Uniti", "degli Stati Uniti", "agli Stati Uniti", "per gli Stati Uniti"),
        ("England", "l'Inghilterra", "dell'Inghilterra", "all'Inghilterra", "per l'Inghilterra"),
        ("Wales", "il Galles", "del Galles", "al Galles", "per il Galles"),
        ("Israel", "Israele", "di Israele", "a Israele", "per Israele"),
        (
            "Bayern Munich",
            "il Bayern Monaco",
            "del Bayern Monaco",
            "al Bayern Monaco",
            "per il Bayern Monaco",
        ),
    ],
)
def test_articles_merge_with_prepositions(team: str, il: str, di: str, a: str, per: str) -> None:
    assert (it("il", team), it("di", team), it("a", team), it("per", team)) == (il, di, a, per)
    assert it("Il", team) == il[:1].upper() + il[1:]
    assert it("contro", team) == per.replace("per", "contro", 1)


def test_agreement_follows_gender_and_number() -> None:
    assert it("o|a|i|e", "Inter") == "a"
    assert it("o|a|i|e", "Milan") == "o"
    assert it("o|a|i|e", "Netherlands") == "i"
    assert it("vince|vincono", "Netherlands") == "vincono"
    assert it("vince|vincono", "Juventus") == "vince"


def test_national_teams_have_italian_names_and_english_ones() -> None:
    for english, italian in [
        ("France", "Francia"),
        ("Germany", "Germania"),
        ("Spain", "Spagna"),
        ("England", "Inghilterra"),
        ("Scotland", "Scozia"),
        ("Netherlands", "Paesi Bassi"),
        ("USA", "Stati Uniti"),
        ("Croatia", "Croazia"),
        ("Turkey", "Turchia"),
        ("Switzerland", "Svizzera"),
        ("Czech Republic", "Repubblica Ceca"),
        ("South Korea", "Corea del Sud"),
    ]:
        assert it("", english) == italian
        with i18n.use("en"):
            assert format(team_name(english), "") == english
    # an Italian feed's spelling, or a provider's, reads in English as the catalogue's name
    with i18n.use("en"):
        assert f"{team_name('Francia')}" == "France"
        assert f"{team_name('Korea Republic')}" == "South Korea"
    assert it("", "Korea Republic") == "Corea del Sud"
    assert team_name("Francia") == "Francia"  # the stored spelling is untouched


def test_clubs_keep_their_names_and_monaco_is_the_club() -> None:
    assert it("", "Barcelona") == "Barcelona"
    assert it("", "Manchester United") == "Manchester United"
    assert it("il", "Monaco") == "il Monaco"
    assert it("", "Bayern Munich") == "Bayern Monaco"
    with i18n.use("en"):
        assert f"{team_name('Bayern Munich')}" == "Bayern Munich"


def test_every_catalogue_team_has_its_italian_article() -> None:
    for team in catalogue().teams:
        name = team_name(team.name)
        assert name.has_article, team.name


def test_a_team_nobody_described_gets_no_article() -> None:
    assert not team_name("Riverside FC").has_article
    assert it("il", "Riverside FC") == "Riverside FC"
    assert it("di", "Riverside FC") == "di Riverside FC"


def test_a_sentence_takes_its_bare_shape_for_a_team_without_an_article() -> None:
    with i18n.use("it"):
        known = i18n._(
            "{team} had a goal ruled out{why} {at}", team=team_name("Inter"), why="", at="al 38'"
        )
        unknown = i18n._(
            "{team} had a goal ruled out{why} {at}",
            team=team_name("Riverside FC"),
            why="",
            at="al 38'",
        )
    assert known.startswith("all'Inter")
    assert "Riverside FC" in unknown and " a Riverside" not in unknown and "Alla" not in unknown


def test_phrases_and_article_rules() -> None:
    assert parse_phrase("l'Inter (f)") == ItalianForm("Inter", "l'", "f")
    assert parse_phrase("i Paesi Bassi") == ItalianForm("Paesi Bassi", "i", "m")
    assert parse_phrase("Bayern Monaco") == ItalianForm("Bayern Monaco")
    assert article_for("Sporting", "m") == "lo"
    assert article_for("Ajax", "m") == "l'"
    assert article_for("Milan", "m") == "il"
    assert article_for("Roma", "f") == "la"
    assert article_for("Atalanta", "f") == "l'"
    assert article_for("Stati Uniti", "m", plural=True) == "gli"


def test_competitions_in_italian() -> None:
    with i18n.use("it"):
        assert f"{competition_name('World Cup')}" == "Mondiali"
        assert f"{competition_name('FIFA World Cup'):a}" == "ai Mondiali"
        assert f"{competition_name('Euro 2024'):a}" == "agli Europei"
        assert f"{competition_name('Serie A')}" == "Serie A"
        assert f"{competition_name('Liga Portugal Betclic')}" == "Liga Portugal Betclic"
        assert f"{competition_name('Some Cup')}" == "Some Cup"
    with i18n.use("en"):
        assert f"{competition_name('World Cup')}" == "World Cup"


@pytest.mark.parametrize(
    ("raw", "italian", "english"),
    [
        ("Matchday 17", "17ª giornata", "Matchday 17"),
        ("Regular Season - 17", "17ª giornata", "Matchday 17"),
        ("Giornata 17", "17ª giornata", "Matchday 17"),
        ("Round of 16", "ottavi di finale", "Round of 16"),
        ("Round of 16 - 1st Leg", "ottavi di finale, andata", "Round of 16, first leg"),
        ("Quarter-finals - 2nd Leg", "quarti di finale, ritorno", "Quarter-final, second leg"),
        ("Semi-finals", "semifinale", "Semi-final"),
        ("Final", "finale", "Final"),
        ("8th Finals", "ottavi di finale", "Round of 16"),
        ("Round of 32", "sedicesimi di finale", "Round of 32"),
        ("3rd Place Final", "finale per il terzo posto", "Third-place play-off"),
        ("Group A - 2", "girone A, 2ª giornata", "Group A, Matchday 2"),
        ("League Stage - 5", "fase campionato, 5ª giornata", "League phase, Matchday 5"),
        ("Something odd", "Something odd", "Something odd"),
    ],
)
def test_rounds(raw: str, italian: str, english: str) -> None:
    with i18n.use("it"):
        assert round_text(raw) == italian
    with i18n.use("en"):
        assert round_text(raw) == english


def test_the_catalogue_data_is_overridable() -> None:
    """Every article comes from the data: the catalogue's ``_italian`` section names them."""
    from importlib import resources

    data = json.loads(resources.files("bot.data").joinpath("teams.json").read_text("utf-8"))
    assert data["_italian"]["Inter"] == "l'Inter (f)"


def test_an_alias_takes_the_article_of_its_own_spelling() -> None:
    """``Verona`` (the catalogue's Hellas Verona) is ``il Verona``, never ``l'Verona``."""
    with i18n.use("it"):
        assert format(team_name("Verona"), "per") == "per il Verona"
        assert format(team_name("Hellas Verona"), "di") == "dell'Hellas Verona"
        assert format(team_name("Juve"), "di") == "della Juve"
