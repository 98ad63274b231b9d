"""The chat commands every platform shares. Runs on the database thread, like the engine."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from bot.chat_settings import LEVEL_NAMES, MAX_SPOILER_DELAY, ChatSettings, find_timezone
from bot.feed import GoalEvent
from bot.match import Fixture, MatchState, derive_state
from bot.messages import i18n, templates
from bot.messages.model import Message
from bot.ports import CommandContext
from bot.team_search import adopt, offered, side_of
from bot.teams import Team, find_team, normalize
from storage.store import Store

Handler = Callable[[CommandContext, str], Message]
CHANGES_SUBSCRIPTIONS = frozenset({"subscribe", "unsubscribe"})  # /settings checks itself
ALIASES = {"follow": "subscribe", "unfollow": "unsubscribe", "teams": "subscriptions"}
#: Commands whose answer depends on ``CommandContext.can_manage`` (adapters may skip a costly
#: rights check for every other command).
MAY_CHANGE_CHAT = frozenset(
    {
        *CHANGES_SUBSCRIPTIONS,
        "settings",
        *(a for a, c in ALIASES.items() if c in CHANGES_SUBSCRIPTIONS),
    }
)


class Commands:
    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        self.handlers: dict[str, Handler] = {
            "start": self.start,
            "help": self.help,
            "subscribe": self.subscribe,
            "unsubscribe": self.unsubscribe,
            "subscriptions": self.subscriptions,
            "score": self.score,
            "scorers": self.scorers,
            "next": self.next,
            "last": self.last,
            "settings": self.settings,
        }

    def run(self, ctx: CommandContext, name: str, args: str) -> Message:
        """Answer ``/name args`` typed in ``ctx``'s chat, in the chat's language."""
        self.store.ensure_chat(ctx.platform, ctx.chat_id, ctx.chat_title, ctx.chat_kind)
        with i18n.use(self.language(ctx)):
            name = ALIASES.get(name.casefold(), name.casefold())
            handler = self.handlers.get(name)
            if handler is None:
                return templates.unknown_command(name)
            if name in CHANGES_SUBSCRIPTIONS and not ctx.can_manage:
                return templates.admins_only_in(ctx.place)
            return handler(ctx, args.strip())

    def language(self, ctx: CommandContext) -> str:
        """The chat's language; a private chat that never chose one takes the user's own
        (Telegram's ``language_code``) when the bot speaks it, and keeps it."""
        stored = self.store.chat_settings(ctx.platform, ctx.chat_id)
        if "language" in stored:
            return ChatSettings.model_validate(stored).language
        spoken = i18n.normalize_language(ctx.user_language)
        if ctx.chat_kind == "private" and spoken and spoken != i18n.DEFAULT_LANGUAGE:
            settings = ChatSettings.model_validate(stored)
            settings.language = spoken
            self.store.set_chat_settings(ctx.platform, ctx.chat_id, settings.as_dict())
            return spoken
        return i18n.DEFAULT_LANGUAGE

    def press(self, ctx: CommandContext, action: str) -> Message:
        """A button was pressed: ``subscribe:inter`` runs ``/subscribe`` for that team id,
        ``settings:level:all`` runs ``/settings level all``."""
        command, _, rest = action.partition(":")
        if command == "settings":
            return self.run(ctx, command, rest.replace(":", " "))
        if rest.startswith("pick:"):  # a team a provider search offered
            return self._pick(ctx, command, rest.removeprefix("pick:"))
        team = self.store.team(rest)
        if command not in self.handlers or team is None:
            with i18n.use(self.language(ctx)):
                return templates.button_expired()
        return self.run(ctx, command, team["name"])

    def _pick(self, ctx: CommandContext, command: str, key: str) -> Message:
        found = offered(self.store, key)
        if command not in self.handlers or found is None:
            with i18n.use(self.language(ctx)):
                return templates.button_expired()
        if command in CHANGES_SUBSCRIPTIONS and not ctx.can_manage:
            with i18n.use(self.language(ctx)):
                return templates.admins_only_in(ctx.place)
        team = adopt(self.store, found[0], found[1], self.clock())
        return self.run(ctx, command, team.name)

    # --- the commands ------------------------------------------------------------------------

    def start(self, ctx: CommandContext, args: str) -> Message:
        return templates.help_text(welcome=True)

    def help(self, ctx: CommandContext, args: str) -> Message:
        return templates.help_text()

    def _team(self, typed: str, command: str) -> Team | Message:
        if not typed:
            return templates.need_team(command)
        found = find_team(self.store, typed)
        team = found.team
        # "Internazionale U23" is not Inter: a women's, youth or reserve side is never
        # silently taken for the first team (or the other way round)
        if (
            team is not None
            and side_of(typed) != side_of(team.name)
            and self.store.team_by_alias(normalize(typed)) is None
        ):
            return templates.unknown_team(typed, [(team.id, team.name)], command)
        if team is not None:
            return team
        return templates.unknown_team(typed, [(t.id, t.name) for t in found.suggestions], command)

    def subscribe(self, ctx: CommandContext, args: str) -> Message:
        team = self._team(args, "subscribe")
        if isinstance(team, Message):
            return team
        new = self.store.subscribe(ctx.platform, ctx.chat_id, team.id)
        settings = ChatSettings.model_validate(self.store.chat_settings(ctx.platform, ctx.chat_id))
        return templates.subscribed(team.name, settings.level_name, not new, ctx.place)

    def unsubscribe(self, ctx: CommandContext, args: str) -> Message:
        team = self._team(args, "unsubscribe")
        if isinstance(team, Message):
            return team
        was = self.store.unsubscribe(ctx.platform, ctx.chat_id, team.id)
        return templates.unsubscribed(team.name, was, ctx.place)

    def subscriptions(self, ctx: CommandContext, args: str) -> Message:
        teams = self.store.subscriptions(ctx.platform, ctx.chat_id)
        return templates.subscriptions([t["name"] for t in teams], ctx.place)

    def _chat_teams(self, ctx: CommandContext) -> list[Team]:
        return [
            Team(r["id"], r["name"]) for r in self.store.subscriptions(ctx.platform, ctx.chat_id)
        ]

    def _zone(self, ctx: CommandContext) -> ChatSettings:
        return ChatSettings.model_validate(self.store.chat_settings(ctx.platform, ctx.chat_id))

    def _teams_for(self, ctx: CommandContext, args: str, command: str) -> list[Team] | Message:
        """The team named in ``args``, else the chat's teams, else a hint."""
        if args:
            team = self._team(args, command)
            return team if isinstance(team, Message) else [team]
        teams = self._chat_teams(ctx)
        return teams or templates.follows_nothing(ctx.place, command)

    def next(self, ctx: CommandContext, args: str) -> Message:
        teams = self._teams_for(ctx, args, "next")
        if isinstance(teams, Message):
            return teams
        zone = self._zone(ctx).zone
        now = datetime.fromtimestamp(self.clock(), UTC)
        rows, seen = [], set()
        for team in teams:
            upcoming = [
                r
                for r in self.store.matches_of_team(team.id)
                if r["period"] is None and datetime.fromisoformat(r["kickoff"]) >= now
            ]
            if not upcoming:
                rows.append(templates.no_data(team.name, "fixture"))
            elif upcoming[0]["id"] not in seen:
                seen.add(upcoming[0]["id"])
                rows.append(templates.next_fixture(Fixture.from_row(upcoming[0]), zone))
        return templates.scores(rows)

    def last(self, ctx: CommandContext, args: str) -> Message:
        teams = self._teams_for(ctx, args, "last")
        if isinstance(teams, Message):
            return teams
        zone = self._zone(ctx).zone
        rows, seen = [], set()
        for team in teams:
            played = [r for r in self.store.matches_of_team(team.id) if r["period"] == "full_time"]
            if not played:
                rows.append(templates.no_data(team.name, "result"))
            elif played[-1]["id"] not in seen:
                row = played[-1]
                seen.add(row["id"])
                state = derive_state(Fixture.from_row(row), self.store.events(row["id"]))
                rows.append(templates.last_result(state, zone))
        return templates.scores(rows)

    def settings(self, ctx: CommandContext, args: str) -> Message:
        current = self._zone(ctx)
        if not args:
            return self._settings_view(current, ctx.place)
        if not ctx.can_manage:
            return templates.admins_only_in(ctx.place)
        what, _, value = args.partition(" ")
        what, value = what.casefold(), value.strip()
        changed = current.model_copy()
        if what in ("level", "alerts"):
            if value.casefold() not in LEVEL_NAMES:
                return templates.settings_error(templates.bad_level(), "/settings level all")
            changed.level = value.casefold()  # type: ignore[assignment]
        elif what in ("timezone", "tz", "zone"):
            zone = find_timezone(value)
            if zone is None:
                return templates.settings_error(
                    templates.bad_timezone(value), "/settings timezone Europe/Rome"
                )
            changed.timezone = zone
        elif what in ("spoiler", "delay"):
            seconds = value.rstrip("s").strip()
            if not seconds.isdigit() or not 0 <= int(seconds) <= MAX_SPOILER_DELAY:
                return templates.settings_error(
                    templates.bad_spoiler(MAX_SPOILER_DELAY), "/settings spoiler 60"
                )
            changed.spoiler_delay = int(seconds)
        elif what in ("language", "lang", "lingua"):
            language = i18n.normalize_language(value)
            if language is None:
                return templates.settings_error(templates.bad_language(), "/settings language it")
            changed.language = language
        else:
            return templates.settings_error(templates.bad_setting(), "/settings level all")
        self.store.set_chat_settings(ctx.platform, ctx.chat_id, changed.as_dict())
        with i18n.use(changed.language):
            return self._settings_view(changed, ctx.place, note=templates.settings_saved())

    def _settings_view(self, s: ChatSettings, place: str, note: str | None = None) -> Message:
        return templates.settings_view(
            s.level_name, s.level, s.timezone, s.spoiler_delay, note, place, s.language
        )

    def score(self, ctx: CommandContext, args: str) -> Message:
        teams = self._teams_for(ctx, args, "score")
        if isinstance(teams, Message):
            return teams
        zone = self._zone(ctx).zone
        seen: set[str] = set()
        rows = []
        for team in teams:
            state = self.current_match(team.id)
            if state is None:
                rows.append(templates.no_data(team.name, "match"))
            elif state.fixture.id not in seen:
                seen.add(state.fixture.id)
                rows.append(templates.score_line(state, zone))
        return templates.scores(rows)

    def scorers(self, ctx: CommandContext, args: str) -> Message:
        competitions = self._competitions()
        if args:
            wanted = normalize(args)
            for competition in competitions:
                if normalize(competition) == wanted:
                    return templates.top_scorers(competition, self.top_scorers(competition))
            team = self._team(args, "scorers")
            if isinstance(team, Message):
                return team
            state = self.current_match(team.id)
            if state is None:
                return templates.no_match(team.name)
            return templates.match_scorers(state)
        followed = {t.id for t in self._chat_teams(ctx)}
        if followed:
            mine = {
                m["competition"]
                for m in self.store.matches()
                if m["home_team"] in followed or m["away_team"] in followed
            }
            competitions = [c for c in competitions if c in mine] or competitions
        if not competitions:
            return templates.no_goals_yet()
        return templates.top_scorers(competitions[0], self.top_scorers(competitions[0]))

    # --- queries -----------------------------------------------------------------------------

    def current_match(self, team_id: str) -> MatchState | None:
        """The team's live match, else its latest started one, else its next one."""
        rows = self.store.matches_of_team(team_id)
        if not rows:
            return None
        started = [r for r in rows if r["period"] is not None]
        live = [r for r in started if r["period"] != "full_time"]
        now = datetime.fromtimestamp(self.clock(), UTC)
        upcoming = [
            r for r in rows if r["period"] is None and datetime.fromisoformat(r["kickoff"]) >= now
        ]
        chosen = (live or started or [])[-1:] or upcoming[:1] or rows[-1:]
        row = chosen[0]
        return derive_state(Fixture.from_row(row), self.store.events(row["id"]))

    def chat_competition(self, ctx: CommandContext) -> str | None:
        """The competition of the latest match of the chat's teams, if any."""
        followed = {t.id for t in self._chat_teams(ctx)}
        mine = [
            m["competition"]
            for m in self.store.matches()
            if m["home_team"] in followed or m["away_team"] in followed
        ]
        return mine[-1] if mine else None

    def _competitions(self) -> list[str]:
        """Competitions in the store, the most recently played first."""
        order: list[str] = []
        for m in reversed(self.store.matches()):
            if m["competition"] not in order:
                order.append(m["competition"])
        return order

    def top_scorers(self, competition: str, limit: int = 10) -> list[tuple[str, str, int]]:
        """(player, team, goals) in ``competition`` from the matches the bot knows; own goals
        and cancelled goals do not count."""
        tally: Counter[tuple[str, str]] = Counter()
        for row in self.store.matches(competition):
            state = derive_state(Fixture.from_row(row), self.store.events(row["id"]))
            for scored in state.goals:
                goal: GoalEvent = scored.goal
                if goal.kind != "own_goal":
                    tally[(goal.player, goal.team)] += 1
        ranked = sorted(tally.items(), key=lambda item: (-item[1], item[0][0]))
        return [(player, team, n) for (player, team), n in ranked[:limit]]
