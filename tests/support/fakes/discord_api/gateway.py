"""The fake gateway (a websocket speaking Discord's gateway protocol)."""

from __future__ import annotations

import json
import secrets
import time
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import WSMsgType, web

from tests.support.fakes.discord_api.records import _GatewayConnection, _Interaction
from tests.support.fakes.discord_api.wire import (
    ALL_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    JSON,
    OP_DISPATCH,
    OP_HEARTBEAT,
    OP_HEARTBEAT_ACK,
    OP_HELLO,
    OP_IDENTIFY,
    OP_INVALID_SESSION,
    OP_PRESENCE,
    OP_REQUEST_MEMBERS,
    OP_RESUME,
    PRIVILEGED_INTENTS,
    _option_type,
)


class Gateway:
    """The gateway: hello, identify, resume, heartbeats, member chunks and dispatched events."""

    async def _dispatch_to(self, conn: _GatewayConnection, event: str, data: JSON) -> None:
        conn.seq += 1
        if conn.session_id is not None:
            self._sessions[conn.session_id] = conn.seq
        await conn.send({"op": OP_DISPATCH, "s": conn.seq, "t": event, "d": data})

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, timeout=2.0)
        await ws.prepare(request)
        compress = request.query.get("compress")
        self.gateway_queries.append(dict(request.query))
        conn = _GatewayConnection(ws=ws, compress=compress)
        if compress == "zlib-stream":
            conn.zlib = zlib.compressobj()
        self._connections.append(conn)
        try:
            await conn.send(
                {
                    "op": OP_HELLO,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_gateway_message(conn, json.loads(msg.data))
                elif msg.type is WSMsgType.BINARY:
                    await self._on_gateway_message(conn, json.loads(msg.data.decode()))
                if ws.closed:
                    break
        finally:
            self._connections.remove(conn)
            if not any(c.identified for c in self._connections):
                self._identified.clear()
            self._notify()
        return ws

    async def _on_gateway_message(self, conn: _GatewayConnection, payload: JSON) -> None:
        op = payload.get("op")
        data = payload.get("d")
        if op == OP_HEARTBEAT:
            self.heartbeats += 1
            await conn.send({"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_IDENTIFY:
            await self._identify(conn, data or {})
        elif op == OP_RESUME:
            await self._resume(conn, data or {})
        elif op == OP_REQUEST_MEMBERS:
            await self._members_chunk(conn, data or {})
        elif op == OP_PRESENCE:
            pass
        self._notify()

    async def _identify(self, conn: _GatewayConnection, data: JSON) -> None:
        self.identify_payloads.append(data)
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = data.get("intents")
        if intents is None:
            await conn.ws.close(code=4013, message=b"Invalid intent(s).")
            return
        if int(intents) & PRIVILEGED_INTENTS & ~self.privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = data.get("shard")
        if shard is not None:
            if not (
                isinstance(shard, list)
                and len(shard) == 2
                and all(isinstance(n, int) for n in shard)
                and 0 <= shard[0] < shard[1]
            ):
                await conn.ws.close(code=4010, message=b"Invalid shard.")
                return
            conn.shard = (shard[0], shard[1])
        count = conn.shard[1] if conn.shard else 1
        if len(self.guilds) > self.max_guilds_per_shard * count:
            await conn.ws.close(code=4011, message=b"Sharding required.")
            return
        served = [g for g in self.guilds.values() if conn.serves(g.id)]
        conn.session_id = secrets.token_hex(16)
        self._session_shards[conn.session_id] = conn.shard
        conn.identified = True
        ready = {
            "v": 10,
            "user": self.bot_user_payload(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in served],
            "session_id": conn.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "shard": data.get("shard", [0, 1]),
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": ["rotterdam"],
            "_trace": ['["fake-gateway",{"micros":0}]'],
        }
        await self._dispatch_to(conn, "READY", ready)
        for guild in served:
            await self._dispatch_to(
                conn, "GUILD_CREATE", self._guild_payload(guild, unavailable=False)
            )
        self._identified.set()

    async def _resume(self, conn: _GatewayConnection, data: JSON) -> None:
        session_id = data.get("session_id")
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if not isinstance(session_id, str) or session_id not in self._sessions:
            await conn.send({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        conn.session_id = session_id
        conn.seq = self._sessions[session_id]
        conn.shard = self._session_shards.get(session_id)
        conn.identified = True
        self.resumes += 1
        await self._dispatch_to(conn, "RESUMED", {"_trace": ['["fake-gateway",{"micros":0}]']})
        self._identified.set()

    async def _members_chunk(self, conn: _GatewayConnection, data: JSON) -> None:
        raw_ids = data.get("guild_id")
        guild_ids: list[Any] = raw_ids if isinstance(raw_ids, list) else [raw_ids]
        for gid in guild_ids:
            guild = None if gid is None else self.guilds.get(int(gid))
            if guild is None:
                continue
            chunk: JSON = {
                "guild_id": str(guild.id),
                "members": [self._member_payload(self.bot_user_payload(), [guild.bot_role_id])],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
            }
            if data.get("nonce") is not None:
                chunk["nonce"] = data["nonce"]
            await self._dispatch_to(conn, "GUILD_MEMBERS_CHUNK", chunk)

    def _synced_command(
        self, guild_id: int | None, name: str, locale: str | None = None
    ) -> JSON | None:
        """The synced command a user typed as ``name``: its name, or (as Discord's client
        shows it to a user whose locale is ``locale``) its name localization there."""
        scopes = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for cmd in self.synced_commands.get(scope, []):
                if cmd["name"] == name or (
                    locale and _localized(cmd, locale) == name and name != ""
                ):
                    return cmd
        return None

    async def _send_interaction(
        self,
        itype: int,
        guild_id: int | None,
        channel_id: int,
        user_id: int,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON] | None,
        *,
        focused: str | None,
        permissions: int | str | None,
        roles: Sequence[int],
        locale: str,
        username: str | None,
    ) -> int:
        command = self._synced_command(guild_id, name, locale)
        if command is None:
            raise LookupError(
                f"FakeDiscord: command {name!r} was never synced (globally or to {guild_id}); "
                "Discord would not deliver it"
            )
        declared = {o["name"]: o for o in command.get("options") or []}
        # Discord sends what the user typed in his language under the default names
        name = command["name"]
        typed_as = {_localized(o, locale): o["name"] for o in declared.values()}
        if isinstance(options, Mapping):
            options = {
                typed_as.get(k, k) if k not in declared else k: v for k, v in options.items()
            }
        if focused is not None and focused not in declared:
            focused = typed_as.get(focused, focused)
        if options is None:
            opts: list[JSON] = []
        elif isinstance(options, Mapping):
            opts = []
            for key, value in options.items():
                otype = declared.get(key, {}).get("type") or _option_type(value)
                opts.append({"name": key, "type": otype, "value": value})
        else:
            opts = [dict(o) for o in options]
        if focused is not None:
            for o in opts:
                if o["name"] == focused:
                    o["focused"] = True
                    break
            else:
                opts.append({"name": focused, "type": 3, "value": "", "focused": True})

        interaction_id = self._ids.next()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(60)
        user = self._user_payload(user_id, username)
        cmd_data: JSON = {"id": command["id"], "name": name, "type": command.get("type", 1)}
        if opts:
            cmd_data["options"] = opts
        if command.get("guild_id") is not None:
            cmd_data["guild_id"] = command["guild_id"]
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": itype,
            "data": cmd_data,
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10_485_760,
            "app_permissions": str(ALL_PERMISSIONS),
            "channel_id": str(channel_id),
        }
        found = self._find_channel(channel_id)
        if guild_id is not None:
            guild = self.guilds.get(guild_id)
            if found is not None:
                payload["channel"] = found[1].to_payload(found[0].id)
                payload["app_permissions"] = str(self._channel_permissions(*found))
            else:
                payload["channel"] = {"id": str(channel_id), "type": 0, "guild_id": str(guild_id)}
            everyone = guild.everyone_permissions if guild else DEFAULT_EVERYONE_PERMISSIONS
            perms = everyone if permissions is None else int(permissions)
            member = self._member_payload(user, roles)
            member["permissions"] = str(perms)
            payload.update(
                guild_id=str(guild_id),
                guild={
                    "id": str(guild_id),
                    "locale": guild.locale if guild else "en-US",
                    "features": [],
                },
                guild_locale=guild.locale if guild else "en-US",
                member=member,
                authorizing_integration_owners={"0": str(guild_id)},
                context=0,
            )
        else:
            payload.update(
                channel={"id": str(channel_id), "type": 1, "recipients": [user]},
                user=user,
                authorizing_integration_owners={"0": str(user_id)},
                context=1,
            )
        self._interactions[interaction_id] = _Interaction(
            interaction_id,
            token,
            itype,
            name,
            guild_id,
            channel_id,
            created=time.monotonic(),
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction_id


def _localized(obj: JSON, locale: str) -> str | None:
    """A command's or option's name as a user in ``locale`` sees it (``it`` for ``it-IT``
    too, as Discord falls back), None when it has no localization there."""
    names = obj.get("name_localizations") or {}
    return names.get(locale) or names.get(locale.split("-")[0])
