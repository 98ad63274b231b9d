"""What Discord checks in the application commands a bot registers
(``PUT /applications/{id}/commands``): names, descriptions, options, choices and their
localizations. An invalid command is refused with Discord's 400 "Invalid Form Body" and the
errors by field, as the real API does."""

from __future__ import annotations

from typing import Any

from tests.support.fakes.discord_api.wire import JSON, _field_error, _max_len

#: Discord's locales (https://discord.com/developers/docs/reference#locales).
LOCALES = frozenset(
    {
        "id",
        "da",
        "de",
        "en-GB",
        "en-US",
        "es-ES",
        "es-419",
        "fr",
        "hr",
        "it",
        "lt",
        "hu",
        "nl",
        "no",
        "pl",
        "pt-BR",
        "ro",
        "fi",
        "sv-SE",
        "vi",
        "tr",
        "cs",
        "el",
        "bg",
        "ru",
        "uk",
        "hi",
        "th",
        "zh-CN",
        "ja",
        "zh-TW",
        "ko",
    }
)
#: Option types: 3 string, 4 integer, 5 boolean, … 10 number, 11 attachment.
OPTION_TYPES = frozenset(range(3, 12))
#: The types whose options may carry choices, a minimum and a maximum.
NUMERIC = frozenset({4, 10})
CHAT_INPUT = 1
#: The most characters a command's texts may add up to (names, descriptions, choices).
MAX_COMMAND_CHARACTERS = 4000


def _bad_name(name: Any) -> bool:
    """Discord's rule for a slash command's or an option's name: 1 to 32 lower-case letters,
    digits, ``-`` or ``_`` (any script)."""
    return (
        not isinstance(name, str)
        or not 1 <= len(name) <= 32
        or name != name.lower()
        or not all(ch.isalnum() or ch in "-_" for ch in name)
    )


def _bad_text(text: Any, longest: int = 100) -> bool:
    return not isinstance(text, str) or not 1 <= len(text) <= longest


def _localization_errors(found: Any, bad: Any) -> JSON | None:
    if found is None:
        return None
    if not isinstance(found, dict):
        return _field_error("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
    errors: JSON = {}
    for locale, text in found.items():
        if locale not in LOCALES:
            errors[locale] = _field_error("LOCALE_INVALID", f"Invalid locale: {locale}")
        elif bad(text):
            errors[locale] = _field_error("BASE_TYPE_BAD_LENGTH", "Invalid localized text")
    return errors or None


def _texts_errors(thing: JSON, *, name_rule: Any = _bad_name) -> JSON:
    """The errors of a command's or an option's name, description and localizations."""
    errors: JSON = {}
    if name_rule(thing.get("name")):
        errors["name"] = _field_error("APPLICATION_COMMAND_INVALID_NAME", "Invalid name")
    if _bad_text(thing.get("description")):
        errors["description"] = _field_error(
            "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
        )
    for field, bad in (("name_localizations", name_rule), ("description_localizations", _bad_text)):
        found = _localization_errors(thing.get(field), bad)
        if found:
            errors[field] = found
    return errors


def _choice_errors(choice: JSON, option_type: int) -> JSON:
    errors: JSON = {}
    if _bad_text(choice.get("name")):
        errors["name"] = _field_error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100")
    found = _localization_errors(choice.get("name_localizations"), _bad_text)
    if found:
        errors["name_localizations"] = found
    value = choice.get("value")
    wanted = str if option_type == 3 else (int if option_type == 4 else (int, float))
    if not isinstance(value, wanted) or isinstance(value, bool):
        errors["value"] = _field_error("APPLICATION_COMMAND_OPTION_CHOICE_VALUE_INVALID", "Invalid")
    elif isinstance(value, str) and not 1 <= len(value) <= 100:
        errors["value"] = _field_error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100")
    return errors


def _option_errors(option: JSON) -> JSON:
    errors = _texts_errors(option)
    option_type = option.get("type")
    if option_type not in OPTION_TYPES:
        errors["type"] = _field_error("BASE_TYPE_CHOICES", "Value must be one of the types")
        return errors
    choices = option.get("choices") or []
    if choices and option.get("autocomplete"):
        errors["autocomplete"] = _field_error(
            "APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE", "Choices and autocomplete"
        )
    if len(choices) > 25:
        errors["choices"] = _max_len(25)
    elif choices:
        by_choice = {
            str(i): e for i, c in enumerate(choices) if (e := _choice_errors(c, option_type))
        }
        if by_choice:
            errors["choices"] = by_choice
    for bound in ("min_value", "max_value"):
        if bound in option and option_type not in NUMERIC:
            errors[bound] = _field_error("APPLICATION_COMMAND_OPTION_BOUND", "Numbers only")
    low, high = option.get("min_value"), option.get("max_value")
    if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
        errors["max_value"] = _field_error("APPLICATION_COMMAND_OPTION_BOUND", "max < min")
    return errors


def _characters(command: JSON) -> int:
    total = len(str(command.get("name", ""))) + len(str(command.get("description", "")))
    for option in command.get("options") or []:
        total += len(str(option.get("name", ""))) + len(str(option.get("description", "")))
        for choice in option.get("choices") or []:
            total += len(str(choice.get("name", ""))) + len(str(choice.get("value", "")))
    return total


def command_errors(command: JSON) -> JSON:
    """Discord's errors for one command of a bulk overwrite (empty: valid)."""
    if int(command.get("type", CHAT_INPUT)) != CHAT_INPUT:  # user and message commands
        bad_name = _bad_text(command.get("name"), 32)
        return {"name": _field_error("BASE_TYPE_BAD_LENGTH", "1 to 32")} if bad_name else {}
    errors = _texts_errors(command)
    options = command.get("options") or []
    if len(options) > 25:
        errors["options"] = _max_len(25)
        return errors
    by_option: JSON = {}
    names: set[str] = set()
    optional_seen = False
    for index, option in enumerate(options):
        found = _option_errors(option)
        if option.get("name") in names:
            found["name"] = _field_error("APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Dup")
        names.add(str(option.get("name")))
        if option.get("required") and optional_seen:
            found["required"] = _field_error(
                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                "Required options must be placed before non-required options",
            )
        optional_seen = optional_seen or not option.get("required")
        if found:
            by_option[str(index)] = found
    if by_option:
        errors["options"] = by_option
    if _characters(command) > MAX_COMMAND_CHARACTERS:
        errors["_errors"] = [{"code": "APPLICATION_COMMAND_TOO_LARGE", "message": "Too large"}]
    return errors
