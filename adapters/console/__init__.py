"""The console adapter: the bot in a terminal, for the demo and for trying commands."""

from adapters.console.adapter import ConsoleAdapter

__all__ = ["ConsoleAdapter"]
