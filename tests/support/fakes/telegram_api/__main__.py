"""``python -m tests.support.fakes.telegram_api``: the fake on its own."""

from tests.support.fakes.telegram_api.standalone import main

main()
