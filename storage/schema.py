"""The database schema, as sqlite-utils migrations. Applying them twice is harmless."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("matchbot")


@migrations()
def m001_initial(db: Database) -> None:
    db.table("teams").create({"id": str, "name": str}, pk="id")
    db.table("team_aliases").create(
        {"alias": str, "team_id": str}, pk="alias", foreign_keys=[("team_id", "teams", "id")]
    )
    db.table("matches").create(
        {
            "id": str,
            "competition": str,
            "home_team": str,
            "away_team": str,
            "home_name": str,
            "away_name": str,
            "kickoff": str,
            "season": str,
            "round": str,
            "venue": str,
            "period": str,
            "home_goals": int,
            "away_goals": int,
            "finished_at": float,
            "updated_at": float,
        },
        pk="id",
        not_null={"competition", "home_team", "away_team", "kickoff"},
        defaults={"home_goals": 0, "away_goals": 0},
    )
    db.table("matches").create_index(["home_team", "kickoff"])
    db.table("matches").create_index(["away_team", "kickoff"])
    db.table("events").create(
        {
            "match_id": str,
            "id": str,
            "seq": int,
            "type": str,
            "minute": int,
            "stoppage": int,
            "side": str,
            "data": str,
            "ingested_at": float,
        },
        pk=("match_id", "id"),
    )
    db.table("events").create_index(["match_id", "seq"])
    db.table("quotes").create(
        {
            "match_id": str,
            "id": str,
            "seq": int,
            "speaker": str,
            "role": str,
            "team": str,
            "text": str,
            "ingested_at": float,
        },
        pk=("match_id", "id"),
    )
    db.table("chats").create(
        {
            "platform": str,
            "chat_id": str,
            "title": str,
            "kind": str,
            "settings": str,
            "active": int,
            "created_at": float,
        },
        pk=("platform", "chat_id"),
        defaults={"active": 1, "settings": "{}"},
    )
    db.table("subscriptions").create(
        {"platform": str, "chat_id": str, "team_id": str, "created_at": float},
        pk=("platform", "chat_id", "team_id"),
    )
    db.table("subscriptions").create_index(["team_id"])
    db.table("outbox").create(
        {
            "id": int,
            "key": str,
            "platform": str,
            "chat_id": str,
            "kind": str,
            "match_id": str,
            "body": str,
            "payload": str,
            "edit_key": str,
            "fanout_pos": int,
            "status": str,
            "attempts": int,
            "next_attempt_at": float,
            "created_at": float,
            "sent_at": float,
            "last_error": str,
        },
        pk="id",
        not_null={"key", "platform", "chat_id", "status"},
        defaults={"status": "pending", "attempts": 0, "fanout_pos": 0},
    )
    db.table("outbox").create_index(["key"], unique=True)
    db.table("outbox").create_index(["status", "platform", "chat_id", "id"])
    db.table("sent_messages").create(
        {"key": str, "platform": str, "chat_id": str, "message_ids": str, "sent_at": float},
        pk="key",
    )
    db.table("recaps").create(
        {"match_id": str, "queued_at": float, "chats": int},
        pk="match_id",
    )


@migrations()
def m002_polling(db: Database) -> None:
    db.table("matches").add_column("final_polled_at", float)


@migrations()
def m003_provider_teams(db: Database) -> None:
    """Our team names mapped to a data provider's team ids (``provider_team_id`` NULL: the
    provider was asked and no team matched; asked again after a while)."""
    db.table("provider_teams").create(
        {
            "provider": str,
            "team_name": str,
            "provider_team_id": str,
            "provider_name": str,
            "checked_at": float,
        },
        pk=("provider", "team_name"),
        not_null={"provider", "team_name"},
    )


@migrations()
def m004_sent_messages_by_chat(db: Database) -> None:
    db.table("sent_messages").create_index(["platform", "chat_id"])


@migrations()
def m005_team_search(db: Database) -> None:
    """Answers of the providers kept for a while (team searches, competition team lists,
    league seasons), and the teams a search offered to a chat, by ``<provider>:<id>``."""
    db.table("provider_cache").create(
        {"provider": str, "key": str, "value": str, "fetched_at": float},
        pk=("provider", "key"),
        not_null={"provider", "key", "value"},
    )
    db.table("team_candidates").create(
        {
            "key": str,
            "provider": str,
            "provider_id": str,
            "name": str,
            "label": str,
            "data": str,
            "offered_at": float,
        },
        pk="key",
        not_null={"provider", "provider_id", "name", "label"},
    )


@migrations()
def m006_follow_competitions_and_players(db: Database) -> None:
    """A subscription follows a team, a competition or a player: ``(platform, chat_id, kind,
    target, level)``, ``level`` NULL meaning the chat's own level. Existing rows are teams."""
    subs = db.table("subscriptions")
    for index in subs.indexes:
        if index.columns == ["team_id"]:
            db.execute(f"DROP INDEX [{index.name}]")
    subs.add_column("kind", str, not_null_default="team")
    subs.add_column("level", str)
    subs.transform(
        rename={"team_id": "target"},
        pk=("platform", "chat_id", "kind", "target"),
        column_order=["platform", "chat_id", "kind", "target", "level", "created_at"],
    )
    subs.create_index(["kind", "target"])
    db.table("competitions").create({"id": str, "name": str}, pk="id")
    db.table("competition_aliases").create(
        {"alias": str, "competition_id": str},
        pk="alias",
        foreign_keys=[("competition_id", "competitions", "id")],
    )
    db.table("matches").add_column("competition_id", str)
    db.table("matches").create_index(["competition_id", "kickoff"])
    db.table("matches").create_index(["kickoff"])
    db.table("players").create(
        {
            "id": int,
            "name": str,
            "norm": str,
            "team_id": str,
            "provider": str,
            "provider_id": str,
            "seen_at": float,
        },
        pk="id",
        not_null={"name", "norm", "team_id"},
    )
    db.table("players").create_index(["team_id", "norm"], unique=True)
    db.table("players").create_index(["provider", "provider_id"], unique=True)
    db.table("players").create_index(["norm"])


@migrations()
def m007_reports(db: Database) -> None:
    """Who reported what: ``/report undo`` takes back only a reporter's own reports, and
    never a feed event (which has no row here). A database that already has the table (made
    when this migration was still called ``m006_reports``) keeps it."""
    db.table("reports").create(
        {
            "id": str,
            "platform": str,
            "user_id": str,
            "match_id": str,
            "kind": str,
            "created_at": float,
            "undone_at": float,
        },
        pk="id",
        not_null={"platform", "user_id", "match_id", "kind"},
        if_not_exists=True,
    )


@migrations()
def m008_events_version(db: Database) -> None:
    """A counter bumped by every event added to or removed from a match, so the engine can
    keep each match's state in memory and know when it must read the events again."""
    db.table("matches").add_column("events_version", int, not_null_default=0)
    # /scorers counts a competition's goals (and their cancellations) in one query
    db.table("events").create_index(["match_id", "type"])
    db.table("matches").create_index(["competition"])


#: every outbox column, each row's text taken from the message it refers to (when it does)
OUTBOX_VIEW = """CREATE VIEW outbox_view AS SELECT o.id, o.key, o.platform, o.chat_id, o.kind,
 o.match_id, COALESCE(o.body, m.body) AS body, COALESCE(o.payload, m.payload) AS payload,
 o.edit_key, o.fanout_pos, o.status, o.attempts, o.next_attempt_at, o.created_at, o.sent_at,
 o.last_error, o.message_id FROM outbox o LEFT JOIN messages m ON m.id = o.message_id"""


@migrations()
def m009_set_based_fan_out(db: Database) -> None:
    """A fan-out stores its message once (``messages``) and one small outbox row per chat
    referring to it, inserted by one statement from the subscriptions; the chat settings
    that statement needs become columns (``tz``, ``lang``, ``spoiler``, ``level``: NULL is
    the default), filled here from each chat's settings JSON."""
    db.table("messages").create(
        {"id": int, "body": str, "payload": str, "created_at": float}, pk="id"
    )
    db.table("outbox").add_column("message_id", int)
    chats = db.table("chats")
    chats.add_column("tz", str)
    chats.add_column("lang", str)
    chats.add_column("spoiler", float)
    chats.add_column("level", str)
    db.execute(
        "UPDATE chats SET tz = json_extract(settings, '$.timezone'),"
        " lang = json_extract(settings, '$.language'),"
        " spoiler = json_extract(settings, '$.spoiler_delay'),"
        " level = json_extract(settings, '$.level')"
        " WHERE settings IS NOT NULL AND json_valid(settings)"
    )
    db.execute(OUTBOX_VIEW)
    # the delivery's ready queue: pending rows in the order they are offered
    db.execute(
        "CREATE INDEX idx_outbox_ready ON outbox (platform, fanout_pos, id)"
        " WHERE status = 'pending'"
    )
    db.execute(
        "CREATE INDEX idx_outbox_due ON outbox (platform, next_attempt_at) WHERE status = 'pending'"
    )


@migrations()
def m010_health_probe(db: Database) -> None:
    """One row the health probe rewrites (``storage.ops.write_probe``): proof the database
    can still be written (disk full, read-only file, lost file)."""
    db.table("health_probe").create({"id": int, "written_at": float}, pk="id")


@migrations()
def m011_outbox_leases(db: Database) -> None:
    """Several processes on one database (PostgreSQL) claim the rows they are about to send:
    ``claimed_by`` (the process) until ``lease_until``; a row whose lease ended (its process
    died) is claimed again. The outbox view shows both."""
    db.table("outbox").add_column("claimed_by", str)
    db.table("outbox").add_column("lease_until", float)
    db.execute("DROP VIEW IF EXISTS outbox_view")
    db.execute(
        OUTBOX_VIEW.replace(" o.message_id FROM", " o.message_id, o.claimed_by, o.lease_until FROM")
    )


@migrations()
def m012_match_data(db: Database) -> None:
    """Line-ups, statistics, ratings and the table before a match: one JSON object per match
    and key (``lineup:inter``, ``stats:full_time``…), replaced by a later one, ``version``
    counting the replacements (a late line-up change edits the message sent before)."""
    db.table("match_data").create(
        {"match_id": str, "key": str, "data": str, "version": int, "updated_at": float},
        pk=("match_id", "key"),
        not_null={"data"},
        defaults={"version": 1},
    )
    # a card picture uploaded once to a platform, then sent again by its file id
    db.table("uploads").create(
        {"platform": str, "key": str, "file_id": str, "created_at": float},
        pk=("platform", "key"),
    )


@migrations()
def m013_match_clock(db: Database) -> None:
    """The provider's clock of a match: its status (``second_half``, ``suspended``...), its
    minute and added minute, and when the bot learnt them (``/score`` says the minute)."""
    matches = db.table("matches")
    matches.add_column("status", str)
    matches.add_column("clock_minute", int)
    matches.add_column("clock_stoppage", int)
    matches.add_column("clock_at", float)


@migrations()
def m014_quote_language(db: Database) -> None:
    """The language a quote was said in (``lang`` in the feed): a chat in another language
    keeps it verbatim, marked with its language."""
    db.table("quotes").add_column("lang", str)


@migrations()
def m015_outbox_chat_lane_index(db: Database) -> None:
    """The per-chat index of the outbox covers only what is looked up per chat, the pending
    rows (a chat's lane, its queued answers, what a blocked or moved chat drops), by chat id
    alone: a fan-out writes a smaller entry per row. The sends of the last minute, which a
    new leader counts against the limits, get their own index of the sent rows (written by
    each send, never by a fan-out)."""
    for index in db.table("outbox").indexes:
        if index.columns == ["status", "platform", "chat_id", "id"]:
            db.execute(f"DROP INDEX [{index.name}]")
    db.execute("CREATE INDEX idx_outbox_chat_pending ON outbox (chat_id) WHERE status = 'pending'")
    db.execute("CREATE INDEX idx_outbox_sent ON outbox (platform, sent_at) WHERE status = 'sent'")


@migrations()
def m016_outbox_held_index(db: Database) -> None:
    """The due-time index of the outbox covers only the rows not due when they were queued
    (held back by a spoiler delay, retried later, a platform's wait): most rows of a fan-out
    are due at once and write no entry there. ``next_due_at`` reads the rest from the ready
    queue (see :meth:`storage.outbox.OutboxTables.next_due_at`)."""
    db.execute("DROP INDEX IF EXISTS idx_outbox_due")
    db.execute(
        "CREATE INDEX idx_outbox_held ON outbox (platform, next_attempt_at)"
        " WHERE status = 'pending' AND next_attempt_at > created_at"
    )


#: indexes a migration dropped (PostgreSQL's schema is built from what the migrations leave,
#: so it drops these by name: see storage.pg_schema)
DROPPED_INDEXES = ("idx_outbox_status_platform_chat_id_id", "idx_outbox_due")


#: What a migration does to the data of a PostgreSQL database, in PostgreSQL's SQL, by the
#: migration's name: the schema itself is derived from the migrations (``storage.pg_schema``),
#: the data they rewrite is not. Run once, when the migration is applied (``storage.pg_store``).
POSTGRES_DATA_STEPS: dict[str, tuple[str, ...]] = {}


@migrations()
def m017_chat_settings_once(db: Database) -> None:
    """Each chat setting stored once: those the fan-out reads in their columns (``tz``,
    ``lang``, ``spoiler``, ``level``, filled by ``m009``), every other one in the settings JSON,
    which no longer repeats the four."""
    db.execute(
        "UPDATE chats SET tz = COALESCE(tz, json_extract(settings, '$.timezone')),"
        " lang = COALESCE(lang, json_extract(settings, '$.language')),"
        " spoiler = COALESCE(spoiler, json_extract(settings, '$.spoiler_delay')),"
        " level = COALESCE(level, json_extract(settings, '$.level')),"
        " settings = json_remove(settings, '$.timezone', '$.language', '$.spoiler_delay',"
        " '$.level') WHERE CASE WHEN json_valid(settings) THEN json_type(settings) = 'object'"
        " ELSE 0 END"
    )


POSTGRES_DATA_STEPS["m017_chat_settings_once"] = (
    "UPDATE chats SET tz = COALESCE(tz, settings::jsonb ->> 'timezone'),"
    " lang = COALESCE(lang, settings::jsonb ->> 'language'),"
    " spoiler = COALESCE(spoiler, (settings::jsonb ->> 'spoiler_delay')::double precision),"
    " level = COALESCE(level, settings::jsonb ->> 'level'),"
    " settings = (settings::jsonb - 'timezone' - 'language' - 'spoiler_delay' - 'level')::text"
    " WHERE settings LIKE '{%'",
)


@migrations()
def m018_score_not_stored(db: Database) -> None:
    """A match's score is not stored: it is derived from its events, in one place
    (``bot.match``); the columns written and never read go."""
    for column in ("home_goals", "away_goals"):
        if column in db.table("matches").columns_dict:
            db.execute(f"ALTER TABLE matches DROP COLUMN {column}")


POSTGRES_DATA_STEPS["m018_score_not_stored"] = (
    "ALTER TABLE matches DROP COLUMN IF EXISTS home_goals",
    "ALTER TABLE matches DROP COLUMN IF EXISTS away_goals",
)


@migrations()
def m019_questions(db: Database) -> None:
    """The question the bot asked a user in a chat ("Which team…?" after a bare
    ``/subscribe``): the command waiting for its argument, the outbox key of the reply that
    asked, and when (see ``bot.questions``)."""
    db.table("questions").create(
        {
            "platform": str,
            "chat_id": str,
            "user_id": str,
            "command": str,
            "key": str,
            "asked_at": float,
        },
        pk=("platform", "chat_id", "user_id"),
        not_null={"command", "key", "asked_at"},
    )


class SchemaTooNew(Exception):
    """The database was migrated by a newer matchbot: this code would misread it."""

    def __init__(self, database_version: int, code_version: int, unknown: list[str]) -> None:
        super().__init__(
            f"the database's schema is version {database_version}, newer than this matchbot's"
            f" schema version {code_version} (it has {', '.join(unknown)}): run the newer"
            " matchbot, or a copy of the database from before the upgrade"
        )
        self.database_version = database_version
        self.code_version = code_version


#: names migrations had before they were renamed (a database may still list them)
FORMER_NAMES = frozenset({"m006_reports"})

#: Migrations renumbered after databases had applied them, by their former name: two were
#: numbered 016 when two branches met. A database records the migrations it applied by name
#: (SQLite's ``_sqlite_migrations``, PostgreSQL's ``matchbot_migrations``), so its records are
#: renamed before it is compared with this code (:func:`rename_applied`): nothing runs twice,
#: and a database that applied either 016, both, or neither upgrades the same way. (An older
#: matchbot then finds names it does not know and refuses the database as newer than itself,
#: as it does after any new migration.)
RENAMED = {
    "m016_chat_settings_once": "m017_chat_settings_once",
    "m017_score_not_stored": "m018_score_not_stored",
}


def rename_applied(db: Database) -> None:
    """Give a SQLite database's records of renamed migrations their new names."""
    table = migrations.migrations_table
    if not db[table].exists():
        return
    marks = ", ".join("?" * len(RENAMED))
    former = f"SELECT 1 FROM {table} WHERE migration_set = ? AND name IN ({marks})"
    if db.execute(former, [migrations.name, *RENAMED]).fetchone() is None:
        return  # nothing to rename: no write, no lock taken
    with db.atomic():
        for old, new in RENAMED.items():
            db.execute(
                f"UPDATE OR IGNORE {table} SET name = ? WHERE migration_set = ? AND name = ?",
                [new, migrations.name, old],
            )
            # left only when the new name was recorded already
            db.execute(
                f"DELETE FROM {table} WHERE migration_set = ? AND name = ?", [migrations.name, old]
            )


def names() -> list[str]:
    """The migrations this code knows, in order: the schema's version is their number."""
    return [m.name for m in migrations._migrations]


def refuse_newer(applied: list[str]) -> None:
    """Raise :class:`SchemaTooNew` when ``applied`` names a migration this code lacks."""
    known = names()
    former = FORMER_NAMES | RENAMED.keys()
    unknown = [name for name in applied if name not in known and name not in former]
    if unknown:
        raise SchemaTooNew(len(set(applied)), len(known), unknown)


def apply(db: Database) -> None:
    """Bring the schema up to date (no-op when it already is); a database migrated by a newer
    matchbot is refused (:class:`SchemaTooNew`)."""
    rename_applied(db)
    refuse_newer([m.name for m in migrations.applied(db)])
    migrations.apply(db)
