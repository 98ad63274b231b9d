"""Fan-out: who hears about an event, and one outbox row per chat for it in one statement."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.chat_settings import DEFAULT_LEVEL, LEVEL_RANK
from bot.store_contract import Audience, AudienceRow, FanOut, FanOutPlan, MessageVariant
from storage.base import StoreBase


def level_rank(level: str) -> str:
    """SQL: the rank of the level the expression ``level`` holds, written from the core's one
    definition (:data:`bot.chat_settings.LEVEL_RANK`): NULL, or a word that is no level, is the
    default level's rank."""
    ranks = " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in LEVEL_RANK.items())
    return f"(CASE {level} {ranks} ELSE {LEVEL_RANK[DEFAULT_LEVEL]} END)"


#: a subscription's level: its own, else its chat's, else the default level
LEVEL_OF_SUBSCRIPTION = level_rank("COALESCE(s.level, c.level)")


def _numbered(sql: str, count: int) -> str:
    """``sql`` with its first ``count`` ``?`` marks named ``:p0``, ``:p1``… (to mix them
    with named parameters)."""
    for i in range(count):
        sql = sql.replace("?", f":p{i}", 1)
    return sql


_SETTING_NAME = re.compile(r"[a-z_]{1,32}")


#: ``name``: not turned off (on by default); ``!name``: turned off; ``+name``: turned on (off by
#: default); ``-name``: not turned on. (prefix -> (default, test, value))
_WANTS = {
    "": ("on", "!=", "off"),
    "!": ("on", "=", "off"),
    "+": ("off", "=", "on"),
    "-": ("off", "!=", "on"),
}


_CHOICE = re.compile(
    r"(?P<name>[a-z_]{1,32})(?P<test>!?=)(?P<values>[a-z_]{1,16}(?:\|[a-z_]{1,16})*)"
)


def _chosen(setting: str) -> str | None:
    """A condition on a setting of several values: ``name=a|b`` (one of them; absent is
    none of them) or ``name!=a`` (not that one; absent passes). None for other forms."""
    found = _CHOICE.fullmatch(setting)
    if found is None:
        return None
    values = ", ".join(f"'{v}'" for v in found["values"].split("|"))
    test = "IN" if found["test"] == "=" else "NOT IN"
    condition = f"COALESCE(json_extract(c.settings, '$.{found['name']}'), '') {test} ({values})"
    return _unless_absent(found["name"], condition, absent_passes=test == "NOT IN")


def _unless_absent(name: str, condition: str, *, absent_passes: bool) -> str:
    """`` AND condition`` on the setting ``name`` of the chat's settings JSON, read only
    from the chats whose settings name it at all (a look for ``"name"`` in the text, where
    reading the JSON of 100,000 chats costs a fan-out tens of milliseconds): a chat that
    never set it passes when ``absent_passes`` (its default passes the test), else fails."""
    named = f"instr(c.settings, '\"{name}\"')"
    if absent_passes:
        return f" AND ({named} = 0 OR {condition})"
    return f" AND ({named} > 0 AND {condition})"


def _wanted(settings: Sequence[str]) -> str:
    """The conditions on a chat's on/off settings (``"on"``/``"off"`` in its settings JSON;
    absent means the setting's default) that ``settings`` names, each ``name`` (not turned off),
    ``!name`` (turned off), ``+name`` (turned on) or ``-name`` (not turned on); and on settings
    of several values, ``name=a|b`` (one of those) or ``name!=a`` (not that one)."""
    conditions = []
    for setting in settings:
        choice = _chosen(setting)
        if choice is not None:
            conditions.append(choice)
            continue
        prefix = setting[0] if setting[:1] in ("!", "+", "-") else ""
        name = setting[len(prefix) :]
        if not _SETTING_NAME.fullmatch(name):
            raise ValueError(f"not a setting name: {setting!r}")
        default, test, value = _WANTS[prefix]
        condition = f"COALESCE(json_extract(c.settings, '$.{name}'), '{default}') {test} '{value}'"
        absent_passes = (default != value) if test == "!=" else (default == value)
        conditions.append(_unless_absent(name, condition, absent_passes=absent_passes))
    return "".join(conditions)


#: the columns and rows of a staged fan-out's outbox rows (``temp.fanout_audience`` as ``a``,
#: each chat's message from ``temp.fanout_messages``): the statement's end (``WHERE`` on the
#: staged chats, order) is the caller's; its parameters are :func:`_queued_params`' and
#: ``via`` (the follower kind), ``base`` (the staged number of the group's first chat)
_QUEUED = (
    "(key, platform, chat_id, kind, match_id, message_id, edit_key, fanout_pos, status, attempts,"
    " next_attempt_at, created_at)"
    " SELECT :key || ':' || a.platform || ':' || a.chat_id, a.platform, a.chat_id,"
    " :kind, :match, f.message_id,"
    " CASE WHEN :edits IS NULL THEN NULL"
    " ELSE :edits || ':' || a.platform || ':' || a.chat_id END,"
    " a.rowid - :base, 'pending', 0,"
    " CASE WHEN :hold THEN :now + COALESCE(a.spoiler, 0) ELSE 0.0 END, :now"
    " FROM temp.fanout_audience a CROSS JOIN temp.fanout_messages f"
    " ON f.zone = COALESCE(a.tz, :zone) AND f.language = COALESCE(a.lang, :language)"
    " AND f.via_match = :via"
)


def rewritable(row: str) -> str:
    """SQL: the outbox row ``row`` (a table name or alias) is an original that a correction
    may still rewrite in place, or a live scoreboard that a newer board may still replace:
    pending, and not claimed by a sender (a claimed one may be on its way already; the
    correction or the newer board is then queued behind it and edits it once sent. Replaced
    anyway, a board on its way would be sent with its old text; the row deleted under it
    would no longer hold its chat's next board behind it for a sender taking over, and on
    SQLite its id would go to the newer board's row, which the finished send marks sent)."""
    return f"{row}.status = 'pending' AND {row}.claimed_by IS NULL"


#: a correction's condition on the chats it queues a row for: not those whose original it
#: rewrote in place (:func:`rewritable`)
NOT_REWRITTEN = (
    f" AND NOT EXISTS (SELECT 1 FROM outbox o WHERE {rewritable('o')}"
    " AND o.key = :edits || ':' || a.platform || ':' || a.chat_id)"
)


def _queued_params(fan: FanOut) -> dict[str, Any]:
    return {
        "key": fan.key,
        "kind": fan.kind,
        "match": fan.match_id,
        "edits": fan.edits,
        "hold": 1 if fan.hold else 0,
        "now": fan.now,
        "zone": fan.default_zone,
        "language": fan.default_language,
    }


class FanOutTables(StoreBase):
    def subscribers(self, team_ids: Iterable[str]) -> list[AudienceRow]:
        """Active chats following any of the teams, each once, oldest subscriber first."""
        return self.audience(team_ids)

    def audience(
        self,
        team_ids: Iterable[str],
        competition_id: str | None = None,
        player_ids: Iterable[int] = (),
        need: int = 1,
        need_player: int = 1,
    ) -> list[AudienceRow]:
        """Active chats that get a match's message, each once, oldest subscriber first.

        A chat is in when any of its subscriptions matches (one of the teams, the
        competition, one of the players) with a level that lets the message through: each
        subscription's level (else the chat's, else key events) ranks goals 1, key 2, all 3
        and must reach ``need`` (``need_player`` for player subscriptions). ``via_match`` is 1
        when a team or competition subscription let it through, 0 when only a player did.
        One statement, however many chats: the work stays in SQLite.
        """
        query = self._audience_query(team_ids, competition_id, player_ids, need, need_player)
        if query is None:
            return []
        sql, params = query
        return self._rows(f"{sql} ORDER BY since, c.platform, c.chat_id", params)

    def _audience_query(
        self,
        team_ids: Iterable[str],
        competition_id: str | None,
        player_ids: Iterable[int],
        need: int,
        need_player: int,
        wants: Sequence[str] = (),
    ) -> tuple[str, list[Any]] | None:
        """:meth:`audience` as one SELECT (unordered), with each chat's settings columns."""
        teams = list(team_ids)
        players = [str(p) for p in player_ids]
        where = []
        params: list[Any] = []
        if teams:
            where.append(f"(s.kind = 'team' AND s.target IN ({','.join('?' * len(teams))}))")
            params += teams
        if competition_id is not None:
            where.append("(s.kind = 'competition' AND s.target = ?)")
            params.append(competition_id)
        if players:
            where.append(f"(s.kind = 'player' AND s.target IN ({','.join('?' * len(players))}))")
            params += players
        if not where:
            return None
        return (
            "SELECT c.platform, c.chat_id, c.tz, c.lang, c.spoiler,"
            " MIN(s.created_at) AS since, MAX(s.kind != 'player') AS via_match"
            " FROM subscriptions s JOIN chats c"
            " ON c.platform = s.platform AND c.chat_id = s.chat_id"
            f" WHERE c.active = 1 AND ({' OR '.join(where)}){_wanted(wants)}"
            f" AND {LEVEL_OF_SUBSCRIPTION} >= (CASE s.kind WHEN 'player' THEN ? ELSE ? END)"
            " GROUP BY c.platform, c.chat_id",
            [*params, need_player, need],
        )

    def _subscribers_of(
        self, targets: Sequence[tuple[str, Sequence[str]]], need: int, wants: Sequence[str] = ()
    ) -> tuple[str, list[Any]] | None:
        """Every subscription of an active chat to one of ``targets`` (kind, ids) whose level
        lets a message needing ``need`` through, one row per subscription (a chat following
        two of them comes twice): ``platform, chat_id, tz, lang, spoiler, since``. No grouping
        and no join beyond the chat's row: the cheapest pass over a large audience."""
        where: list[str] = []
        params: list[Any] = []
        for kind, ids in targets:
            if not ids:
                continue
            if len(ids) == 1:
                where.append("(s.kind = ? AND s.target = ?)")
            else:
                where.append(f"(s.kind = ? AND s.target IN ({','.join('?' * len(ids))}))")
            params += [kind, *ids]
        if not where:
            return None
        return (
            "SELECT c.platform, c.chat_id, c.tz, c.lang, c.spoiler, s.created_at AS since"
            " FROM subscriptions s JOIN chats c"
            " ON c.platform = s.platform AND c.chat_id = s.chat_id"
            f" WHERE c.active = 1 AND ({' OR '.join(where)}){_wanted(wants)}"
            f" AND {LEVEL_OF_SUBSCRIPTION} >= ?",
            [*params, need],
        )

    def plan_fan_out(self, audience: Audience, fan: FanOut) -> FanOutPlan:
        """Stage one fan-out: the chats of ``audience`` copied once, oldest subscription
        first, into an in-memory scratch table whose rowid numbers them (no window function,
        no second pass over the subscriptions). Returns the distinct messages it needs — per
        time zone, language, and whether the chat follows the match or only one of its
        players, whatever the platform — for the core to make before :meth:`queue_fan_out`
        (storage never calls the core). Call the two back to back, in one transaction.

        The chats that follow the match (a team or the competition) are queued first, then
        those that follow only one of its players (their own message, their own positions
        from 0)."""
        groups = self._follower_groups(audience)
        zone, language = fan.default_zone, fan.default_language
        self._fan_out_tables()
        spans: list[tuple[int, int, int]] = []  # (via_match, first rowid, past the last)
        variants: list[MessageVariant] = []
        # The scratch table was just emptied: SQLite numbers the rows an insert adds one past
        # the largest rowid, from 1 in an empty table, so each group's rows are the next
        # ``inserted`` numbers (not read back with two MAX(rowid) a group).
        end = 1
        for via_match, query in groups:
            if query is None:
                continue
            sql, params = query
            inserted = self._exec(
                "INSERT INTO temp.fanout_audience (via_match, platform, chat_id, tz, lang, spoiler)"
                f" SELECT ?, a.platform, a.chat_id, a.tz, a.lang, a.spoiler FROM ({sql}) a"
                " ORDER BY a.since, a.platform, a.chat_id",
                [via_match, *params],
            )
            base, end = end, end + inserted
            spans.append((via_match, base, end))
            if not inserted:  # nobody of this kind: no message for them
                continue
            variants += [
                MessageVariant(combo["zone"], combo["language"], bool(via_match))
                for combo in self._rows(
                    "SELECT DISTINCT COALESCE(tz, ?) AS zone, COALESCE(lang, ?) AS language"
                    " FROM temp.fanout_audience WHERE rowid >= ? AND rowid < ?",
                    [zone, language, base, end],
                )
            ]
        return FanOutPlan(tuple(spans), tuple(variants))

    def _follower_groups(
        self, audience: Audience
    ) -> list[tuple[int, tuple[str, list[Any]] | None]]:
        """The audience's two kinds of followers, each as a query of
        :meth:`_subscribers_of` (None: nobody): ``(1, …)`` those following the match (a team
        or the competition), then ``(0, …)`` those following only one of its players."""
        return [
            (
                1,
                self._subscribers_of(
                    [
                        ("team", list(audience.team_ids)),
                        (
                            "competition",
                            [audience.competition_id] if audience.competition_id else [],
                        ),
                    ],
                    audience.need,
                    audience.wants,
                ),
            ),
            (
                0,
                self._subscribers_of(
                    [("player", [str(p) for p in audience.player_ids])],
                    audience.need_player,
                    audience.wants,
                ),
            ),
        ]

    def queue_fan_out(
        self,
        audience: Audience,
        fan: FanOut,
        plan: FanOutPlan,
        payloads: Mapping[MessageVariant, str],
    ) -> int:
        """Queue the staged fan-out (:meth:`plan_fan_out`), in a handful of statements however
        many chats: each distinct neutral message of ``payloads`` (made by the core, one per
        variant of the plan) is stored once (each adapter renders it when it sends it); one
        ``INSERT … SELECT`` per group adds each chat's outbox row referring to it (position in
        the fan-out by subscription age; held back by the chat's spoiler delay when
        ``fan.hold``). With ``fan.edits``, a chat whose original row is still pending gets that
        row rewritten instead. Returns how many rows are new.

        A chat reached by several subscriptions is queued once: its key is unique, and the
        rows it would add again are the same but for their position (``INSERT OR IGNORE``);
        no grouping of the audience, no sort beyond the one ordering it. A plan that needs no
        message (nobody to queue for) costs nothing here.
        """
        if not plan.variants:
            return 0
        skip = self._messages_and_originals(audience, fan, plan, payloads)
        added = self._queue_spans(fan, plan, "INSERT OR IGNORE INTO", skip, " ORDER BY a.rowid")
        self._empty_scratch()
        return added

    def _messages_and_originals(
        self,
        audience: Audience,
        fan: FanOut,
        plan: FanOutPlan,
        payloads: Mapping[MessageVariant, str],
    ) -> str:
        """What a staged fan-out does before its rows are queued: its messages stored
        (:meth:`_store_messages`) and, with ``fan.edits``, the originals still pending
        rewritten (:meth:`_rewrite_originals`). Returns the condition that leaves those
        chats out of the rows queued (empty without ``fan.edits``)."""
        self._store_messages(fan, plan, payloads)
        if fan.edits is None:
            return ""
        self._rewrite_originals(audience, fan)
        return NOT_REWRITTEN

    def _queue_spans(
        self, fan: FanOut, plan: FanOutPlan, insert: str, skip: str, order: str = ""
    ) -> int:
        """One ``insert`` (``INSERT [OR IGNORE] INTO``) of outbox rows per span of the staged
        audience, ``skip`` (:meth:`_messages_and_originals`) and ``order`` appended; returns
        how many rows are new."""
        added = 0
        for via_match, base, end in plan.spans:
            added += self._exec(
                f"{insert} outbox {_QUEUED} WHERE a.rowid >= :base AND a.rowid < :end{skip}{order}",
                _queued_params(fan) | {"via": via_match, "base": base, "end": end},
            )
        return added

    def _empty_scratch(self) -> None:
        """Empty the scratch tables of a fan-out (see :meth:`_fan_out_tables`)."""
        self._exec("DELETE FROM temp.fanout_messages")
        self._exec("DELETE FROM temp.fanout_audience")

    def _store_messages(
        self, fan: FanOut, plan: FanOutPlan, payloads: Mapping[MessageVariant, str]
    ) -> None:
        """Each distinct message of a staged fan-out stored once (``messages``), and named in
        ``temp.fanout_messages`` for its variant."""
        for variant in plan.variants:
            cursor = self.db.execute(
                "INSERT INTO messages (payload, created_at) VALUES (?, ?)",
                [payloads[variant], fan.now],
            )
            self._exec(
                "INSERT OR IGNORE INTO temp.fanout_messages VALUES (?, ?, ?, ?)",
                [variant.zone, variant.language, int(variant.via_match), cursor.lastrowid],
            )

    def _rewrite_originals(self, audience: Audience, fan: FanOut) -> None:
        """A correction's chats whose original row is not sent yet: that row now says the
        truth (and is not followed by a correction). A row claimed by a sender may be on its
        way already: it is left as it is, and the correction queued behind it edits it. The
        audience grouped per chat (each chat's message decided by all its subscriptions):
        corrections are rare."""
        query = self._audience_query(
            audience.team_ids,
            audience.competition_id,
            audience.player_ids,
            audience.need,
            audience.need_player,
            audience.wants,
        )
        if query is None:
            return
        sql, params = query
        self._exec(
            "UPDATE outbox SET message_id = x.message_id, body = NULL, payload = NULL,"
            " kind = :kind FROM (SELECT :edits || ':' || a.platform || ':' || a.chat_id AS k,"
            f" f.message_id FROM ({_numbered(sql, len(params))}) a"
            " JOIN temp.fanout_messages f"
            " ON f.zone = COALESCE(a.tz, :zone) AND f.language = COALESCE(a.lang, :language)"
            " AND f.via_match = a.via_match) x"
            f" WHERE outbox.key = x.k AND {rewritable('outbox')}",
            {
                "kind": fan.kind,
                "edits": fan.edits,
                "zone": fan.default_zone,
                "language": fan.default_language,
            }
            | {f"p{i}": v for i, v in enumerate(params)},
        )

    def _fan_out_tables(self) -> None:
        """The scratch tables of a fan-out (:meth:`plan_fan_out`, :meth:`queue_fan_out`), made
        once per connection (a schema change would make SQLite prepare every statement again)
        and emptied before each fan-out (a fan-out that failed half-way leaves nothing behind
        for the next one).

        ``fanout_audience`` holds one fan-out's chats, oldest subscription first, numbered by
        its rowid; ``fanout_messages`` the message stored for each (zone, language, kind of
        follower)."""
        if not getattr(self, "_scratch_ready", False):
            self._exec(
                "CREATE TEMP TABLE IF NOT EXISTS fanout_messages (zone TEXT, language TEXT,"
                " via_match INTEGER, message_id INTEGER, PRIMARY KEY (zone, language, via_match))"
            )
            self._exec(
                "CREATE TEMP TABLE IF NOT EXISTS fanout_audience (via_match INTEGER,"
                " platform TEXT, chat_id TEXT, tz TEXT, lang TEXT, spoiler REAL)"
            )
            self._scratch_ready = True
        self._empty_scratch()
