"""The operator's HTTP endpoint, served in the bot's own event loop (aiohttp, which the bot
already uses) on ``MATCHBOT_METRICS_HOST``:``MATCHBOT_METRICS_PORT``:

* ``/metrics`` — Prometheus text format, written by prometheus-client; the store's gauges
  (outbox backlog, live matches, subscriptions) are read when it is scraped;
* ``/healthz`` — 200 ``ok`` while the bot works, 503 and one line saying why when it does not
  (see :mod:`bot.health`); it recovers by itself;
* ``/readyz`` — 200 once every platform started, 503 ``starting`` (or ``stopping``) otherwise.

A probe write to the store every :data:`PROBE_EVERY` seconds tells whether it can be written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web
from prometheus_client.aiohttp import make_aiohttp_handler

from adapters.ops.prometheus import PrometheusMetrics
from bot.app import MatchBot
from bot.health import Backlog, Health, Verdict
from storage import ops
from storage.thread import StoreThread

log = logging.getLogger(__name__)

#: seconds between two probe writes to the store
PROBE_EVERY = 10.0
#: seconds a scrape or a health check waits for the store before saying it does not answer
STORE_TIMEOUT = 5.0


class OpsServer:
    """``/metrics``, ``/healthz`` and ``/readyz`` for one running bot."""

    def __init__(
        self,
        bot: MatchBot,
        metrics: PrometheusMetrics,
        host: str,
        port: int,
        *,
        database: StoreThread,
        probe_every: float | None = None,
    ) -> None:
        """``database``: the bot's database thread, as the composition root built it (the
        probes use storage's own queries, beyond the core's contract)."""
        self.bot = bot
        self.database = database
        self.health: Health = bot.health
        self.metrics = metrics
        self.host = host
        self.port = port
        self.probe_every = PROBE_EVERY if probe_every is None else probe_every
        self.stopping = False
        self._runner: web.AppRunner | None = None
        self._probe: asyncio.Task[None] | None = None
        self._prometheus = make_aiohttp_handler(metrics.registry, disable_compression=True)

    @property
    def bound_port(self) -> int:
        """The port listened on (``MATCHBOT_METRICS_PORT=0`` lets the system choose)."""
        assert self._runner is not None
        return int(self._runner.addresses[0][1])

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as exc:
            await runner.cleanup()
            raise OSError(
                f"cannot serve metrics on {self.host}:{self.port}: {exc.strerror or exc}"
            ) from None
        self._runner = runner
        self._probe = asyncio.create_task(self._probe_regularly(), name="matchbot-store-probe")
        log.info("metrics and health on http://%s:%d/metrics", self.host, self.bound_port)

    async def stop(self) -> None:
        probe, self._probe = self._probe, None
        if probe is not None:
            probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await probe
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    # --- the store ---------------------------------------------------------------------------

    async def _probe_regularly(self) -> None:
        while True:
            await self.probe()
            await asyncio.sleep(self.probe_every)

    async def probe(self) -> None:
        """One probe write; its outcome goes to :class:`bot.health.Health`."""
        now = self.health.clock()
        try:
            async with asyncio.timeout(STORE_TIMEOUT):
                await self.database.call(lambda s: ops.write_probe(s, now))
        except RuntimeError:  # the store is not open (yet, or any more)
            return
        except ops.StoreProblem as exc:
            if self.health.verdict().healthy:
                log.error("the store cannot be written: %s", exc)
            self.health.store_failed(str(exc))
        except TimeoutError:
            self.health.store_failed(f"no answer from the database in {STORE_TIMEOUT:g} s")
        else:
            self.health.store_written()

    async def _read_store(self) -> tuple[list[ops.BacklogRow], ops.Counts] | None:
        now = self.health.clock()
        try:
            async with asyncio.timeout(STORE_TIMEOUT):
                return await self.database.read(lambda s: (ops.backlog(s, now), ops.counts(s, now)))
        except RuntimeError:  # the store is not open yet
            return None

    # --- the endpoints -----------------------------------------------------------------------

    async def verdict(self) -> Verdict:
        try:
            read = await self._read_store()
        except (ops.StoreProblem, TimeoutError) as exc:
            return Verdict(False, f"the store cannot be read: {exc or 'no answer'}")
        backlogs = [
            Backlog(r.platform, r.pending, r.oldest_pending_at, r.waiting_since)
            for r in (read[0] if read else [])
        ]
        return self.health.verdict(backlogs)

    async def _healthz(self, request: web.Request) -> web.Response:
        verdict = await self.verdict()
        self.metrics.healthy.set(1 if verdict.healthy else 0)
        return web.Response(status=200 if verdict.healthy else 503, text=verdict.reason + "\n")

    async def _readyz(self, request: web.Request) -> web.Response:
        if self.stopping:
            return web.Response(status=503, text="stopping\n")
        if not self.health.ready:
            return web.Response(status=503, text="starting\n")
        return web.Response(text="ready\n")

    async def _metrics(self, request: web.Request) -> web.StreamResponse:
        try:
            read = await self._read_store()
        except (ops.StoreProblem, TimeoutError) as exc:
            log.warning("metrics: the store's gauges could not be read: %s", exc)
            read = None
        if read is not None:
            self._set_store_gauges(*read)
        verdict = await self.verdict()
        self.metrics.healthy.set(1 if verdict.healthy else 0)
        return await self._prometheus(request)

    def _set_store_gauges(self, backlog: list[ops.BacklogRow], counts: ops.Counts) -> None:
        m = self.metrics
        now = self.health.clock()
        seen = set()
        for row in backlog:
            seen.add(row.platform)
            m.outbox_pending.labels(row.platform).set(row.pending)
            oldest = row.oldest_pending_at
            m.outbox_oldest.labels(row.platform).set(max(0.0, now - oldest) if oldest else 0.0)
        for platform in self.bot.deliveries:
            if platform not in seen:  # nothing pending: say so, not the last figure seen
                m.outbox_pending.labels(platform).set(0)
                m.outbox_oldest.labels(platform).set(0)
        m.live_matches.set(counts.live_matches)
        m.subscriptions.set(counts.subscriptions)
        m.active_chats.set(counts.active_chats)
