"""/help, the platforms' command menus, an unknown command, and what the console says itself."""

from __future__ import annotations

from bot.command_catalogue import CATALOGUE
from bot.command_types import Argument, Catalogue, ChatCommand
from bot.messages.i18n import N_, _, current, ngettext
from bot.messages.model import Line, Message, Section, bold, line
from bot.messages.templates.vocabulary import competition_name, reply


def help_text(welcome: bool = False, catalogue: Catalogue = CATALOGUE) -> Message:
    """``/help`` (``/start``: with a welcome): every command of the catalogue it lists."""
    rows = [_help_row(command) for command in catalogue.in_help()]
    head = (
        _(
            "👋 I post live match alerts and full-time recaps for the teams, competitions and"
            " players this chat follows."
        )
        if welcome
        else _("What I can do")
    )
    sections = [Section(lines=tuple(rows))]
    if welcome:
        follow = CATALOGUE.by_name["subscribe"].name_in(current())
        sections.append(Section(lines=(line(_("Start with "), bold(f"/{follow} inter"), "."),)))
    return Message(kind="help", headline=line(bold(head)), sections=tuple(sections))


#: How a usage line writes an argument of each type, given (``TEAM``) or optional (``[TEAM]``);
#: a choice is written as its values (``goals|key|all``).
PLACEHOLDERS: dict[str, tuple[str, str]] = {
    "team": (N_("TEAM"), N_("[TEAM]")),
    "competition": (N_("COMPETITION"), N_("[COMPETITION]")),
    "follow": (N_("WHAT"), N_("[WHAT]")),
    "text": (N_("WHAT"), N_("[WHAT]")),
    "number": (N_("NUMBER"), N_("[NUMBER]")),
}


def usage(command: ChatCommand) -> str:
    """What ``command`` takes, in the current language, as its catalogue entry's arguments
    say (``[TEAM]``, ``WHAT``; ``[SETTING VALUE]`` for one change per argument); its own
    ``usage`` when it has one; empty when it takes nothing."""
    if command.usage:
        return _(command.usage)
    shown = [a for a in command.arguments if a.in_usage and not a.joins_previous]
    if command.one_change_per_argument and shown:
        return _("[SETTING VALUE]")
    return " ".join(_argument_usage(a) for a in shown)


def _argument_usage(argument: Argument) -> str:
    """``TEAM``, ``[TEAM]``, ``[goals|key|all]``, ``[xNUMBER]``: its form, its key in the
    current language (``[ritardo NUMERO]``)."""
    if argument.choices and not argument.placeholder:
        word = "|".join(c.value for c in argument.choices)
        given, optional = word, f"[{word}]"
    elif argument.placeholder:
        given, optional = _(argument.placeholder), f"[{_(argument.placeholder)}]"
    else:
        given, optional = (_(p) for p in PLACEHOLDERS[argument.type])
    if argument.form == "{}":
        return given if argument.required else optional
    key = argument.key
    form = argument.form.replace(key, argument.key_in(current()), 1) if key else argument.form
    text = form.format(given)
    return text if argument.required else f"[{text}]"


def _help_row(command: ChatCommand) -> Line:
    """``/score [TEAM] — live or latest score`` (``/punteggio [SQUADRA] — …`` in Italian)."""
    name = command.name_in(current())
    takes = usage(command)
    if takes:
        return line(bold(f"/{name} {takes}"), f" — {_(command.help)}")
    return line(bold(f"/{name}"), f" — {_(command.help)}")


def command_menu(
    platform: str, catalogue: Catalogue = CATALOGUE, reporters: bool = False
) -> list[tuple[str, str]]:
    """A platform's command menu (Telegram's ``setMyCommands``) in the current language:
    (name, description) pairs, the description ``[TEAM]: live or latest score``."""
    menu = []
    for command in catalogue.menu(platform, reporters):
        takes = usage(command)
        about = f"{takes}: {_(command.help)}" if takes else _(command.help)
        menu.append((command.name_in(current()), about))
    return menu


def unknown_command(name: str) -> Message:
    """``I don't know /scroe. Did you mean /score?`` (``Forse intendevi /punteggio?``): the
    near command named in the chat's language."""
    meant = CATALOGUE.closest(name)
    if meant is not None and name.casefold() not in (meant.name, *meant.other_names):
        return reply(
            _("I don't know /{name}. Did you mean /{command}?", name=name,
              command=meant.name_in(current())),
            kind="error",
        )  # fmt: skip
    return reply(_("I don't know /{name}. Try /help.", name=name), kind="error")


def something_failed() -> str:
    """A command's answer failed on the platform's side (Discord's ephemeral note)."""
    return _("Sorry, that failed. Please try again in a moment.")


def console_failed(detail: str) -> str:
    return _("Sorry, that failed: {detail}", detail=detail)


def console_not_a_command() -> str:
    return _("Commands start with /, for example /subscribe inter. /help lists them.")


def console_choose() -> str:
    """After the numbered buttons of a message in the terminal."""
    return _("(type the number to choose)")


def console_demo_intro(home: str, away: str, competition: str) -> tuple[str, str]:
    """``matchbot demo``'s first two lines."""
    return (
        _(
            "matchbot demo: {home} v {away}, {competition}, replayed from the bundled match"
            " report.",
            home=home,
            away=away,
            competition=competition_name(competition),
        ),
        _("This console chat follows both teams with every alert on. Ctrl+C stops."),
    )


def console_run_intro(home: str, away: str, seconds: int) -> tuple[str, str]:
    """``matchbot run`` without a platform: the terminal is a chat, the bundled match starts."""
    return (
        _("matchbot console: this terminal is a chat. Type /help, or /subscribe inter."),
        ngettext(
            "The bundled match {home} v {away} kicks off in {n} second. /quit ends.",
            "The bundled match {home} v {away} kicks off in {n} seconds. /quit ends.",
            seconds,
            home=home,
            away=away,
        ),
    )
