"""The names each argument's key answers to (``Argument.keys``: ``level``, ``alerts``,
``livello``…) are worked out once per argument, not at each look (every key typed, every
``/settings`` view and answer looks through them): they are the names worked out afresh."""

from __future__ import annotations

from bot.command_catalogue import CATALOGUE
from bot.command_types import Argument


def afresh(argument: Argument) -> tuple[str, ...]:
    head, _, _ = argument.form.partition("{}")
    key = head.strip().casefold() if head.endswith(" ") else ""
    if not key:
        return ()
    others = (n for names in argument.names.values() for n in names)
    return tuple(dict.fromkeys(w.casefold() for w in (key, *argument.aliases, *others)))


def test_every_argument_keeps_the_names_its_key_answers_to() -> None:
    arguments = [a for command in CATALOGUE.commands for a in command.arguments]
    assert any(afresh(a) for a in arguments)
    for argument in arguments:
        assert argument.keys == afresh(argument), argument.name
        assert argument.keys is argument.keys  # kept, not worked out again
        assert argument.key == (afresh(argument) or ("",))[0]


def test_a_key_is_found_in_any_language_and_case() -> None:
    settings = CATALOGUE.find("settings")
    assert settings is not None
    for typed, name in (("ritardo", "spoiler"), ("ALERTS", "level"), ("livello", "level")):
        found = settings.keyed(typed)
        assert found is not None and found.key == name, typed
    assert settings.keyed("xyzzy") is None
