"""One definition each: the alert levels (their rank, the default, their names), the languages,
the spoiler delay's maximum and football-data.org's competition codes. Everything else is
written from them: the fan-out's SQL, /settings, the command line, the Discord choices, the
stats provider and the provider's team search. A second copy written by hand fails here."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from adapters.providers.polling_source import FD_FREE_COMPETITIONS
from bot.chat_settings import (
    DEFAULT_LEVEL,
    LEVEL_LABELS,
    LEVEL_NAMES,
    LEVEL_RANK,
    MAX_SPOILER_DELAY,
    ChatSettings,
)
from bot.competitions import provider_competitions
from bot.messages import i18n
from storage.fan_out import level_rank
from storage.store import Store
from tests.support import source

ROOT = Path(__file__).parent.parent
CODE = [
    p for package in ("bot", "adapters", "storage") for p in sorted((ROOT / package).rglob("*.py"))
]


def constants(path: Path) -> list[object]:
    return [node.value for node in source.nodes(path) if isinstance(node, ast.Constant)]


def where(found: dict[str, list[str]], wanted: object) -> list[str]:
    return found.get(repr(wanted), [])


@pytest.fixture(scope="module")
def found() -> dict[str, list[str]]:
    """Every constant of the code: repr -> the files it is written in."""
    seen: dict[str, list[str]] = {}
    for path in CODE:
        for value in set(map(repr, constants(path))):
            seen.setdefault(value, []).append(path.relative_to(ROOT).as_posix())
    return seen


def test_the_sql_level_rank_is_written_from_the_python_one(any_store: Store) -> None:
    for level in [*LEVEL_RANK, None, "nonsense"]:
        row = any_store._one(f"SELECT {level_rank('?')} AS rank", [level])
        assert row is not None
        expected = LEVEL_RANK[level] if level in LEVEL_RANK else LEVEL_RANK[DEFAULT_LEVEL]
        assert row["rank"] == expected, level
    assert ChatSettings().level == DEFAULT_LEVEL
    # the levels are ranked in the order of their type, fewest alerts first
    assert list(LEVEL_RANK.values()) == list(range(1, len(LEVEL_RANK) + 1))
    assert set(LEVEL_NAMES) == set(LEVEL_LABELS) == set(LEVEL_RANK)


def test_no_sql_ranks_the_levels_by_hand() -> None:
    for path in CODE:
        text = path.read_text("utf-8")
        assert not re.search(r"WHEN '(goals|key|all)' THEN \d", text), path
        assert not re.search(r"COALESCE\([^)]*'(goals|key|all)'\)", text), path


def test_level_names_and_labels_are_written_once(found: dict[str, list[str]]) -> None:
    for name in [*LEVEL_NAMES.values(), *LEVEL_LABELS.values()]:
        assert where(found, name) == ["bot/chat_settings.py"], name
    assert where(found, "goals|key|all") == []
    for path in CODE:  # the levels listed by hand, in a tuple or a sentence
        text = path.read_text("utf-8")
        assert not re.search(r"\(\s*\"goals\",\s*\"key\",\s*\"all\"\s*\)", text), path
        # the settings' refusals list the levels from the definition (not /help's prose, which
        # names the words a fan types in each language)
        assert "level is goals, key or all" not in text, path


def test_languages_are_written_once(found: dict[str, list[str]]) -> None:
    for _code, name in i18n.LANGUAGES.items():
        assert where(found, name) == ["bot/messages/i18n.py"], name
    assert where(found, "en|it") == [] and where(found, "choose en or it") == []


def test_the_spoiler_maximum_is_written_once() -> None:
    most = MAX_SPOILER_DELAY
    for path in CODE:
        name = path.relative_to(ROOT).as_posix()
        if name == "bot/chat_settings.py" or "spoiler" not in path.read_text("utf-8").casefold():
            continue
        for value in constants(path):
            assert value != most or isinstance(value, bool), name
            assert not (isinstance(value, str) and re.search(rf"\b{most}\b", value)), (name, value)


def test_football_data_codes_are_written_once(found: dict[str, list[str]]) -> None:
    codes = {c["fd"] for c in provider_competitions().values() if "fd" in c}
    assert set(FD_FREE_COMPETITIONS) == codes and len(FD_FREE_COMPETITIONS) == len(codes)
    for code in codes:
        assert where(found, code) == [], (code, where(found, code))
    data = json.loads((ROOT / "bot/data/provider_competitions.json").read_text("utf-8"))
    assert [c["fd"] for c in data.values() if isinstance(c, dict) and "fd" in c] == list(
        FD_FREE_COMPETITIONS
    )
