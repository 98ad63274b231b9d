"""Languages: the Italian catalogue covers every sentence; chats choose their language."""

from __future__ import annotations

import ast
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po

from bot.commands import Commands
from bot.engine import Engine
from bot.feed_format import parse_line
from bot.messages import i18n, templates
from bot.messages.model import message_text
from bot.ports import CommandContext
from storage.store import Store
from tests.support.core import outbox_text
from tests.support.source import nodes

ROOT = Path(__file__).resolve().parent.parent
#: Where sentences are written (``_()``, ``N_()``, ``ngettext()``).
#: The templates package: one module per audience (alerts, recap, answers, ...).
TEMPLATES = sorted((ROOT / "bot" / "messages" / "templates").glob("*.py"))
SOURCES = [
    *TEMPLATES,
    ROOT / "bot" / "messages" / "lead.py",
    ROOT / "bot" / "messages" / "turning_points.py",
    ROOT / "bot" / "messages" / "who_and_when.py",
    ROOT / "bot" / "chat_settings.py",
    ROOT / "bot" / "command_catalogue.py",
    ROOT / "adapters" / "discord" / "commands.py",
]
#: A field, with the Italian article or preposition it may ask for (``{team:di}``).
FIELD = re.compile(r"\{(\w*)(?::[^{}]*)?\}")


def source_messages() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for path in SOURCES:
        for _line, message, _comments, _context in extract_from_file(
            "python", str(path), keywords=DEFAULT_KEYWORDS
        ):
            found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def test_every_sentence_has_its_italian() -> None:
    """A sentence added in English inside _() fails here until locales/it has it."""
    with i18n.catalogue_path("it").open("rb") as po:
        catalog = read_po(po)
    translated = {m.id: m.string for m in catalog if m.id}
    missing = []
    for message in source_messages():
        text = translated.get(message)
        strings = text if isinstance(text, tuple) else (text,)
        if not text or not all(strings):
            missing.append(message)
            continue
        wanted = set(FIELD.findall(message if isinstance(message, str) else message[1]))
        for string in strings:
            # Italian may drop a field English needs (or use {home}/{away} instead), never
            # invent one the code does not pass.
            assert set(FIELD.findall(string or "")) <= wanted | {
                "home",
                "away",
                "result",
                "al",
                "minute",
                "n",
                "the_result",
                "the_score",
            }, (message, string)
    assert missing == [], f"no Italian for: {missing}"


def test_unknown_sentences_fall_back_to_english() -> None:
    with i18n.use("it"):
        assert i18n._("A sentence nobody translated, {x}", x=1) == "A sentence nobody translated, 1"
        assert i18n._("⚽ Goals") == "⚽ Gol"
    assert i18n._("⚽ Goals") == "⚽ Goals"


def test_dates_numbers_and_lists_follow_the_language() -> None:
    kickoff = datetime(2025, 12, 28, 19, 45, tzinfo=UTC)
    rome = ZoneInfo("Europe/Rome")
    assert templates.kickoff_text(kickoff, rome) == "Sun 28 Dec 20:45 CET"
    assert i18n.ordinal(1) == "1st" and i18n.ordinal(12) == "12th" and i18n.ordinal(23) == "23rd"
    with i18n.use("it"):
        assert templates.kickoff_text(kickoff, rome) == "dom 28 dic 20:45 CET"
        assert i18n.date_text(kickoff) == "28 dic 2025"
        assert i18n.and_list(["A", "B", "C"]) == "A, B e C"
        assert i18n.ordinal(3) == "3º"
        assert templates.competition_name("World Cup") == "Mondiali"
        assert templates.competition_name("Serie A") == "Serie A"
        assert templates.competition_name("Liga Portugal") == "Liga Portugal"


@pytest.mark.parametrize(
    ("typed", "code"),
    [("it", "it"), ("IT", "it"), ("it-IT", "it"), ("italiano", "it"), ("en", "en"), ("de", None)],
)
def test_language_names(typed: str, code: str | None) -> None:
    assert i18n.normalize_language(typed) == code


def ctx(chat_id: str, kind: str = "private", language: str | None = None) -> CommandContext:
    return CommandContext(
        platform="telegram", chat_id=chat_id, user_id="1", chat_kind=kind, user_language=language
    )


def test_settings_language_changes_replies_and_alerts(store: Store, engine: Engine) -> None:
    commands = Commands(store)
    it_chat, en_chat = ctx("10"), ctx("20")
    for chat in (it_chat, en_chat):
        commands.run(chat, "subscribe", "inter")
    saved = commands.run(it_chat, "settings", "language it")
    text = message_text(saved)
    assert text.startswith("✅ Impostazioni salvate")
    assert "Lingua: Italiano" in text
    assert any(b.action == "settings:language:en" for b in saved.buttons)
    assert store.chat_settings("telegram", "10")["language"] == "it"
    assert message_text(commands.run(it_chat, "score", "nonexistentteamxyz")).startswith(
        "Non conosco una squadra"
    )
    bad = message_text(commands.run(it_chat, "settings", "language klingon"))
    assert bad.startswith("La lingua è en (English) o it (Italiano).")
    # alerts: each chat in its own language
    engine.ingest(
        parse_line(
            json.dumps(
                {
                    "type": "match",
                    "match": "m1",
                    "competition": "Serie A",
                    "home": "Atalanta",
                    "away": "Inter",
                    "kickoff": "2025-12-28T19:45:00Z",
                }
            )
        )
    )
    goal = {
        "type": "goal",
        "match": "m1",
        "id": "g1",
        "minute": 87,
        "team": "Inter",
        "player": "Lautaro Martínez",
    }
    engine.ingest(parse_line(json.dumps(goal)))
    bodies = {r["chat_id"]: outbox_text(r) for r in store.outbox_rows() if r["kind"] == "alert"}
    assert bodies["10"].startswith("<b>⚽ GOL! Atalanta 0-1 Inter</b>")
    assert "segna per l'Inter" in bodies["10"]
    assert bodies["20"].startswith("<b>⚽ GOAL! Atalanta 0-1 Inter</b>")


def test_private_chat_takes_the_users_italian(store: Store) -> None:
    commands = Commands(store)
    answer = commands.run(ctx("30", language="it-IT"), "help", "")
    assert message_text(answer).startswith("Cosa so fare")
    assert store.chat_settings("telegram", "30")["language"] == "it"
    # once chosen, the chat's own setting wins over the user's app language
    commands.run(ctx("30", language="it"), "settings", "language en")
    assert message_text(commands.run(ctx("30", language="it"), "help", "")).startswith(
        "What I can do"
    )
    # a group is not switched by one member's app language
    group = ctx("-40", kind="group", language="it")
    assert message_text(commands.run(group, "help", "")).startswith("What I can do")
    assert "language" not in store.chat_settings("telegram", "-40")


TRANSLATING_CALLS = {"_", "N_", "ngettext"}
WORDS = re.compile(r"[A-Za-z]{2,}[ ,.;:!?'’]+[A-Za-z]{2,}")


def untranslated_sentences(path: Path) -> list[tuple[int, str]]:
    """String literals with words in them that no ``_()`` / ``N_()`` / ``ngettext()`` wraps
    (docstrings, commands like ``/settings level goals|key|all``, dict keys and the values of
    keyword arguments such as ``kind=`` are not sentences)."""
    wrapped: set[int] = set()
    skipped: set[int] = set()
    for node in nodes(path):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in TRANSLATING_CALLS:
                wrapped |= {id(n) for arg in node.args for n in ast.walk(arg)}
            skipped |= {id(n) for kw in node.keywords for n in ast.walk(kw.value)}
        elif isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Module) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))
        elif isinstance(node, ast.Dict):
            skipped |= {id(k) for k in node.keys if k is not None}
        elif isinstance(node, ast.Compare | ast.Subscript):
            skipped |= {id(n) for n in ast.walk(node)}
    found = []
    for node in nodes(path):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in wrapped
            and id(node) not in skipped
            and WORDS.search(node.value)
            and not node.value.lstrip().startswith("/")
        ):
            found.append((node.lineno, node.value))
    return found


def test_every_sentence_in_templates_is_translatable() -> None:
    """A new English sentence in the templates must be written inside _() and get its Italian
    in locales/it (see the README's "Languages")."""
    assert TEMPLATES
    assert [(p.name, s) for p in TEMPLATES for s in untranslated_sentences(p)] == []


#: Modules that answer chats without building the text themselves: whatever they show a chat
#: comes from templates.py. Their own literals are log lines, errors for the operator and
#: protocol strings.
CHAT_FACING = [
    ROOT / "bot" / "app.py",
    ROOT / "bot" / "reporting.py",
    ROOT / "bot" / "report_command.py",
    ROOT / "bot" / "stats_commands.py",
    ROOT / "adapters" / "console" / "adapter.py",
    ROOT / "adapters" / "discord" / "commands.py",
    ROOT / "adapters" / "telegram" / "handlers.py",
]
#: Calls whose text goes to the operator (logs, a feed line's rejection on stderr) or is no
#: sentence (a prefix to strip).
OPERATOR_CALLS = {
    "debug",
    "info",
    "warning",
    "error",
    "exception",
    "critical",
    "Rejected",
    "keep_running",
    "removeprefix",
}
#: Words with a space between them: a sentence (not ``football-data.org``, ``reply:console:``).
SENTENCE = re.compile(r"[A-Za-z]{2,}[,.;:!?'’]*\s+[A-Za-z]{2,}")


def chat_sentences(path: Path) -> list[tuple[int, str]]:
    """English sentences a chat could see, written outside templates.py: string literals other
    than docstrings, log lines, operator errors and command syntax (``/report undo r1a2b3``).
    A ``raise`` is an operator's error unless it raises ``ReportError`` (its text is the
    reporter's answer)."""
    skipped: set[int] = set()
    for node in nodes(path):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            skipped.add(id(first.value))  # a docstring
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in OPERATOR_CALLS or name in TRANSLATING_CALLS:
                skipped |= {id(n) for n in ast.walk(node)}
        if isinstance(node, ast.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if getattr(raised, "id", getattr(raised, "attr", "")) != "ReportError":
                skipped |= {id(n) for n in ast.walk(node)}
    return sorted(
        (node.lineno, node.value)
        for node in nodes(path)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skipped
        and SENTENCE.search(node.value)
        and not node.value.lstrip().startswith("/")
    )


@pytest.mark.parametrize("path", CHAT_FACING, ids=lambda p: p.name)
def test_chat_facing_modules_take_their_sentences_from_templates(path: Path) -> None:
    """A reporter's answer, the console's hints, Discord's "Sorry, that failed": written in
    templates.py inside _() (so they have their Italian), never as a literal here."""
    assert chat_sentences(path) == []


def test_the_check_finds_a_literal_sentence(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text(
        '"""Docstring, not a sentence for a chat."""\n'
        "def f(log, x):\n"
        '    log.warning("feed %s failed", x)\n'
        '    raise ReportError(f"Which team? I don\'t know {x}.")\n'
        'TEXT = "Sorry, that failed. Please try again."\n'
        'USAGE = "/report undo r1a2b3"\n'
    )
    assert [line for line, _ in chat_sentences(source)] == [4, 5]
