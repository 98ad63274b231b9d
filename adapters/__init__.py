"""The bot's adapters: chat platforms, data providers, the command line, operations."""

from adapters.lean_imports import defer_rare_modules

defer_rare_modules()
