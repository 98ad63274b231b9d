"""An Italian member on Discord types the Italian names of the slash commands (``/segui``,
``/impostazioni``, ``/punteggio``): ``matchbot run`` with the real discord.py client against the
fake Discord, which, like Discord, finds the command by its Italian name localization and sends
the interaction under the command's own name with the member's locale."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.telegram import SPEED
from tests.test_discord_e2e import (
    ADMIN,
    ALERTS,
    GUILD,
    MANAGE_CHANNELS,
    Running,
    embed,
    match_lines,
    start_running,
)

pytestmark = pytest.mark.timeout(60)


async def italian_slash(run: Running, typed: str, options: dict[str, object] | None) -> dict:
    """A member whose Discord is in Italian types ``/typed``; the embed of the answer."""
    iid = await run.dc.send_interaction_command(
        GUILD, ALERTS, ADMIN, typed, options, permissions=MANAGE_CHANNELS, locale="it"
    )
    return embed(await run.dc.wait_interaction_response(iid, timeout=5))


async def test_italian_slash_command_names_drive_the_bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with start_running(tmp_path, monkeypatch, SPEED) as run:
        dc = run.dc
        synced = {c["name"]: c for c in dc.synced_commands[None]}
        assert synced["subscribe"]["name_localizations"] == {"it": "segui"}
        assert synced["settings"]["name_localizations"] == {"it": "impostazioni"}
        assert synced["score"]["name_localizations"] == {"it": "punteggio"}

        saved = await italian_slash(run, "impostazioni", {"language": "it", "level": "all"})
        assert saved["title"] == "✅ Impostazioni salvate"
        # the Italian name exists for Italian members only, as on Discord
        with pytest.raises(LookupError):
            await dc.send_interaction_command(GUILD, ALERTS, ADMIN, "segui", {}, locale="en-US")
        followed = await italian_slash(run, "segui", {"name": "Inter"})
        assert followed["title"].startswith("✅ Questo canale ora segue l'Inter")
        assert len(run.subscriptions(ALERTS)) == 1

        goal = {
            "type": "goal",
            "id": "g1",
            "minute": 12,
            "team": "Inter",
            "player": "Lautaro Martínez",
            "assist": "Nicolò Barella",
        }
        kickoff = {"type": "period", "id": "p1", "minute": 0, "period": "first_half"}
        run.feed_in(match_lines("m-it", kickoff, goal))
        await dc.wait_for(lambda: any(_title(m).startswith("⚽ GOL!") for m in _alerts(run)), 10)
        goal = next(m for m in _alerts(run) if _title(m).startswith("⚽ GOL!"))
        assert _title(goal) == "⚽ GOL! Atalanta 0-1 Inter"
        assert "su assist di" in embed(goal)["description"]
        score = await italian_slash(run, "punteggio", {"team": "Inter"})
        assert "Atalanta 0-1 Inter" in f"{score['title']} {score.get('description', '')}"


def _alerts(run: Running) -> list:
    return [m for m in run.dc.messages(ALERTS) if m.embeds]


def _title(msg: object) -> str:
    return str(msg.embeds[0].get("title", ""))  # type: ignore[attr-defined]
