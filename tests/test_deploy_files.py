"""The deployment files (Docker is not run here): compose.yaml and the Prometheus and Grafana
files parse, the dashboard only names metrics the bot exports, the Dockerfile runs as a
non-root user with its database on a volume and a HEALTHCHECK on /healthz, and the systemd
unit is a notify service with a watchdog."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import yaml
from prometheus_client.parser import text_string_to_metric_families

from adapters.ops.prometheus import PrometheusMetrics

ROOT = Path(__file__).resolve().parents[1]


def exported_metrics() -> set[str]:
    from prometheus_client import generate_latest

    metrics = PrometheusMetrics(time.time())
    # every labelled family with one child, so its samples show
    metrics.message_sent("telegram", "goal", "sent", 0.1)
    metrics.first_send("telegram", 0.1)
    metrics.flood_wait("telegram", 1)
    metrics.chat_deactivated("telegram", "blocked")
    metrics.provider_request("API-Football", "ok")
    metrics.provider_quota("API-Football", "day", 3)
    metrics.polling_error("telegram")
    metrics.failure("telegram sends", "Bad Gateway")
    metrics.fault("API_FOOTBALL_KEY", True)
    metrics.outbox_pending.labels("telegram").set(0)
    metrics.outbox_oldest.labels("telegram").set(0)
    text = generate_latest(metrics.registry).decode()
    return {s.name for f in text_string_to_metric_families(text) for s in f.samples}


def test_compose_file_runs_the_bot_with_optional_monitoring() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    bot = compose["services"]["matchbot"]
    assert bot["build"] == "."
    assert "matchbot-data:/data" in bot["volumes"]
    assert bot["environment"]["MATCHBOT_DB"] == "/data/matchbot.db"
    for optional in ("prometheus", "grafana"):
        assert compose["services"][optional]["profiles"] == ["monitoring"]
        for volume in compose["services"][optional]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), source
    prometheus = yaml.safe_load((ROOT / "deploy/prometheus.yml").read_text())
    target = prometheus["scrape_configs"][0]["static_configs"][0]["targets"][0]
    assert target == f"matchbot:{bot['environment']['MATCHBOT_METRICS_PORT']}"
    for provisioning in (ROOT / "deploy/grafana/provisioning").rglob("*.yml"):
        assert yaml.safe_load(provisioning.read_text())["apiVersion"] == 1


def test_the_dashboard_charts_only_metrics_the_bot_exports() -> None:
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/matchbot.json").read_text())
    exported = exported_metrics()
    named = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            named |= set(re.findall(r"\b((?:matchbot|process)_[a-z_]+)", target["expr"]))
    assert named, "no metric charted"
    assert named <= exported, named - exported
    charted = {re.sub(r"_(total|bucket|count|sum)$", "", n) for n in named}
    for wanted in (
        "matchbot_messages_sent",
        "matchbot_send_seconds",
        "matchbot_ingest_to_first_send_seconds",
        "matchbot_outbox_pending",
        "matchbot_outbox_oldest_pending_seconds",
        "matchbot_flood_waits",
        "matchbot_chats_deactivated",
        "matchbot_provider_requests",
        "matchbot_provider_quota_left",
        "matchbot_polling_errors",
        "matchbot_live_matches",
        "matchbot_subscriptions",
        "matchbot_healthy",
    ):
        assert wanted in charted, wanted


def test_the_dockerfile_runs_as_a_user_with_a_volume_and_a_health_check() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.\d+-slim", text, re.M)
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0")
    assert 'VOLUME ["/data"]' in text and "MATCHBOT_DB=/data/matchbot.db" in text
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert "[dev]" not in text  # runtime dependencies only
    assert 'CMD ["matchbot", "run"]' in text


def test_the_systemd_unit_is_a_notify_service_with_a_watchdog() -> None:
    lines = (ROOT / "deploy/matchbot.service").read_text().splitlines()
    keys = dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    assert keys["Type"] == "notify"
    assert int(keys["WatchdogSec"]) >= 60
    assert keys["Restart"] == "on-failure"
    assert keys["ExecStart"].endswith("matchbot run")
