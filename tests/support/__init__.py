"""What the tests share, apart from fixtures (those stay in ``tests/conftest.py``).

- ``fakes/``: local servers on 127.0.0.1 speaking the real wire protocols (Telegram Bot API,
  Discord REST and gateway, football data providers) and an in-memory chat platform.
- ``core.py``: the bundled seed match, ingesting a feed file, following teams, a fan's chat,
  waiting for a condition.
- ``following.py``: fans, feeds and commands of the subscription tests.
- ``telegram.py``: ``matchbot run`` against the fake Bot API server (end-to-end harness).
- ``cli.py``: the ``matchbot`` command line as a subprocess, and its console chat.
- ``prestarted.py``: ``python -m adapters.cli`` processes forked from a pre-started interpreter
  (``prestarted_server.py``) instead of each starting Python and importing the bot;
  ``MATCHBOT_TESTS_EXEC=1`` starts them the literal way.
- ``hostile.py``: bad feed lines, one or more per class of trouble.
"""
