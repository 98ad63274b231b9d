"""Telegram: a python-telegram-bot 22.x application plugged into the matchbot core."""

from adapters.telegram.adapter import TelegramAdapter

__all__ = ["TelegramAdapter"]
