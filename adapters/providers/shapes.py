"""Checks of the JSON the providers answer: a wrong shape raises :class:`ShapeError` (retryable:
the next answer may be fine); the ``opt_*`` helpers read optional fields without raising."""

from __future__ import annotations

from typing import Any

from adapters.providers.errors import ProviderError

Json = Any


class ShapeError(ProviderError):
    """The provider answered JSON of an unexpected shape."""


def obj(value: Json, what: str, provider: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ShapeError(
            f"unexpected response shape: {what} should be an object, got {type(value).__name__}",
            provider=provider,
            retryable=True,
        )
    return value


def lst(value: Json, what: str, provider: str) -> list[Any]:
    if not isinstance(value, list):
        raise ShapeError(
            f"unexpected response shape: {what} should be a list, got {type(value).__name__}",
            provider=provider,
            retryable=True,
        )
    return value


def req_int(value: Json, what: str, provider: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ShapeError(
            f"unexpected response shape: {what} should be an integer, got {value!r:.40}",
            provider=provider,
            retryable=True,
        )
    return value


def req_str(value: Json, what: str, provider: str) -> str:
    if not isinstance(value, str) or not value:
        raise ShapeError(
            f"unexpected response shape: {what} should be a non-empty string, got {value!r:.40}",
            provider=provider,
            retryable=True,
        )
    return value


def opt_int(value: Json) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def opt_str(value: Json) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def dig(value: Json, *keys: str) -> Json:
    """``value[k1][k2]...`` or ``None`` when any level is missing / not an object."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
