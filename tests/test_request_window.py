"""The overall request window: a turn taken for a new send goes ahead of the later parts of
sends under way (which wait for their chat's interval anyway), so a fan-out of two-message
recaps (picture, then text) keeps the overall rate to its end."""

from __future__ import annotations

import asyncio

from bot.clock import FastClock
from bot.request_window import RequestWindow


async def test_a_turn_ahead_goes_before_every_waiting_request_but_the_first() -> None:
    window = RequestWindow(1, 1.0, clock=FastClock(100.0))
    await window.acquire()  # the slot is taken: every request below waits
    order: list[str] = []

    async def request(name: str, ahead: bool = False) -> None:
        await window.acquire(ahead=ahead)
        order.append(name)
        window.release()

    tasks = [asyncio.create_task(request("part 1"))]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(request("part 2")))
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(request("new send", ahead=True)))
    await asyncio.sleep(0)
    window.release()
    await asyncio.gather(*tasks)
    assert order == ["part 1", "new send", "part 2"]


async def test_a_turn_ahead_takes_a_free_slot_at_once() -> None:
    window = RequestWindow(2, 1.0, clock=FastClock(100.0))
    await window.acquire(ahead=True)
    assert window.used() == 1
