"""Answers about matches: /score, /scorers, /next, /last, /today and the daily digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from datetime import time as day_time

from bot.commands.resolving import NameResolving
from bot.match import Fixture, MatchState
from bot.match_data import StoredData
from bot.messages import templates
from bot.messages.model import Line, Message
from bot.messages.templates.depth import no_stats, stats_section
from bot.messages.templates.lineups import lineup_of, no_lineups
from bot.messages.templates.lineups import lineups as lineups_message
from bot.ports import CommandContext
from bot.store_contract import MatchRow
from bot.teams import normalize


class MatchAnswers(NameResolving):
    def today(self, ctx: CommandContext, args: str) -> Message:
        return self.today_message(ctx.platform, ctx.chat_id, ctx.place)

    def today_message(
        self, platform: str, chat_id: str, place: str = "chat", digest: bool = False
    ) -> Message:
        """The day's fixtures, live scores and results of every team, competition and player
        the chat follows, the day and times in the chat's time zone."""
        settings = self._zone(platform_chat=(platform, chat_id))
        zone = settings.zone
        local_now = datetime.fromtimestamp(self.clock(), zone)
        start = datetime.combine(local_now.date(), day_time(0), zone)
        end = datetime.combine(local_now.date() + timedelta(days=1), day_time(0), zone)
        teams, competitions = set(), set()
        for row in self.store.follows(platform, chat_id):
            if row["kind"] == "team":
                teams.add(row["target"])
            elif row["kind"] == "competition":
                competitions.add(row["target"])
            elif row["team_id"]:
                teams.add(row["team_id"])  # a player: his team's matches
        groups: dict[str, list[Line]] = {}
        for match in self.store.matches_between(
            start.astimezone(UTC).isoformat(), end.astimezone(UTC).isoformat()
        ):
            if not (
                match["home_team"] in teams
                or match["away_team"] in teams
                or match["competition_id"] in competitions
            ):
                continue
            state = self.states.get(self.store, Fixture.from_row(match))
            groups.setdefault(match["competition"], []).append(
                templates.today_line(state, zone, self.clock())
            )
        return templates.today(list(groups.items()), local_now, settings.timezone, place, digest)

    def _competition_matches(self, ctx: CommandContext, args: str) -> list[MatchRow] | None:
        """For a chat that follows no team nor player but competitions (and named none): the
        matches of those competitions, by kick-off; None otherwise."""
        if args or not isinstance(self._teams_for(ctx, "", "next"), Message):
            return None  # a team named, or the chat's teams (or its players' teams)
        followed = {
            f["target"]
            for f in self.store.follows(ctx.platform, ctx.chat_id)
            if f["kind"] == "competition"
        }
        if not followed:
            return None
        return [r for r in self.store.matches() if r["competition_id"] in followed]

    def next(self, ctx: CommandContext, args: str) -> Message:
        zone = self._zone(ctx).zone
        now = datetime.fromtimestamp(self.clock(), UTC)
        in_competitions = self._competition_matches(ctx, args)
        if in_competitions is not None:
            upcoming = [
                r
                for r in in_competitions
                if r["period"] is None and datetime.fromisoformat(r["kickoff"]) >= now
            ]
            return templates.scores(
                [
                    templates.next_fixture(Fixture.from_row(r), zone)
                    for r in upcoming[:COMPETITION_ROWS]
                ]
                or [templates.no_data(_competitions_named(self, ctx), "fixture")]
            )
        teams = self._teams_for(ctx, args, "next")
        if isinstance(teams, Message):
            return teams
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
        zone = self._zone(ctx).zone
        in_competitions = self._competition_matches(ctx, args)
        if in_competitions is not None:
            played = [r for r in in_competitions if r["period"] == "full_time"]
            return templates.scores(
                [
                    templates.last_result(self.states.get(self.store, Fixture.from_row(r)), zone)
                    for r in played[-COMPETITION_ROWS:]
                ]
                or [templates.no_data(_competitions_named(self, ctx), "result")]
            )
        teams = self._teams_for(ctx, args, "last")
        if isinstance(teams, Message):
            return teams
        rows, seen = [], set()
        for team in teams:
            played = [r for r in self.store.matches_of_team(team.id) if r["period"] == "full_time"]
            if not played:
                rows.append(templates.no_data(team.name, "result"))
            elif played[-1]["id"] not in seen:
                row = played[-1]
                seen.add(row["id"])
                state = self.states.get(self.store, Fixture.from_row(row))
                rows.append(templates.last_result(state, zone))
        return templates.scores(rows)

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
                rows.append(templates.score_line(state, zone, self.clock()))
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
            return templates.match_scorers(state, self._zone(ctx).zone)
        followed = {t.id for t in self._chat_teams(ctx)}
        if followed:
            mine = set(self.store.competitions_played(followed))
            competitions = [c for c in competitions if c in mine] or competitions
        if not competitions:
            return templates.no_goals_yet()
        return templates.top_scorers(competitions[0], self.top_scorers(competitions[0]))

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
        return self.states.get(self.store, Fixture.from_row(row))

    def chat_competition(self, ctx: CommandContext) -> str | None:
        """The competition of the latest match of the chat's teams, if any."""
        followed = {t.id for t in self._chat_teams(ctx)}
        mine = self.store.competitions_played(followed)
        return mine[0] if mine else None

    def _competitions(self) -> list[str]:
        """Competitions in the store, the most recently played first."""
        return self.store.competitions_played()

    def top_scorers(self, competition: str, limit: int = 10) -> list[tuple[str, str, int]]:
        """(player, team, goals) in ``competition`` from the matches the bot knows, by the one
        rule of :func:`bot.match.scorer_credit` (the store ranks them in one query)."""
        version = (self.store.competition_events_version(competition), limit)
        kept = self._scorers.get(competition)
        if kept is not None and kept[0] == version:
            return kept[1]  # no event of the competition came or went since
        ranked = [
            (r["player"], r["team"], r["goals"]) for r in self.store.top_scorers(competition, limit)
        ]
        self._scorers[competition] = (version, ranked)
        return ranked

    # --- the match's depth ------------------------------------------------------------------

    def _depth_match(self, ctx: CommandContext, args: str, command: str) -> MatchState | Message:
        """The named team's current or latest match, else that of the first team the chat
        follows that has one."""
        if args:
            team = self._team(args, command)
            if isinstance(team, Message):
                return team
            state = self.current_match(team.id)
            return state if state is not None else templates.no_match(team.name)
        for team in self._chat_teams(ctx):
            state = self.current_match(team.id)
            if state is not None:
                return state
        return templates.need_team(command)

    def lineups(self, ctx: CommandContext, args: str) -> Message:
        """``/lineups [TEAM]``: the line-ups of the current or latest match."""
        state = self._depth_match(ctx, args, "lineups")
        if isinstance(state, Message):
            return state
        fx = state.fixture
        data = StoredData.from_rows(self.store.match_data(fx.id))
        home, away = lineup_of(data.lineups, fx, "home"), lineup_of(data.lineups, fx, "away")
        if home is None and away is None:
            return no_lineups(fx)
        found = lineups_message(fx, home, away, templates.fixture_line(fx, self._zone(ctx).zone))
        return found.model_copy(update={"kind": "reply"})

    def stats(self, ctx: CommandContext, args: str) -> Message:
        """``/stats [TEAM]``: the statistics of the current or latest match (full time's, else
        half-time's)."""
        state = self._depth_match(ctx, args, "stats")
        if isinstance(state, Message):
            return state
        fx = state.fixture
        data = StoredData.from_rows(self.store.match_data(fx.id))
        figures = data.stats.get("full_time") or data.stats.get("half_time")
        section = stats_section(fx, figures) if figures is not None else None
        if section is None:
            return no_stats(fx)
        return Message(
            kind="reply",
            headline=templates.score_line(state, self._zone(ctx).zone, self.clock()),
            sections=(section,),
        )


COMPETITION_ROWS = 5
"""Fixtures or results /next and /last list for a chat that follows only competitions."""


def _competitions_named(commands: MatchAnswers, ctx: CommandContext) -> str:
    names = [
        f["name"]
        for f in commands.store.follows(ctx.platform, ctx.chat_id)
        if f["kind"] == "competition"
    ]
    return ", ".join(names)
