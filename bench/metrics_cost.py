"""What counting costs a send: the bookkeeping delivery does per message (the metrics call,
the health and ingest-to-first-send records), without metrics and with the Prometheus metrics,
in the same run. Compare with ``python bench/fanout.py --runs unlimited`` (the whole send path's
CPU per message) to see its share.

    python bench/metrics_cost.py [--sends 200000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from adapters.ops.prometheus import PrometheusMetrics  # noqa: E402
from bot.health import FirstSends, Health  # noqa: E402
from bot.metrics import Metrics, NoMetrics  # noqa: E402


def per_send(metrics: Metrics, sends: int) -> float:
    """CPU microseconds per send of what :class:`bot.delivery.Delivery` records."""
    health, first = Health(), FirstSends()
    started = time.process_time()
    for i in range(sends):
        metrics.message_sent("telegram", "goal", "sent", 0.012)
        health.answered("telegram")
        first.sent("telegram", f"event:m1:g1:telegram:{i}")
    return (time.process_time() - started) / sends * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=200_000)
    args = parser.parse_args()
    # alternated, so both share the machine's load
    rounds: dict[str, list[float]] = {"none": [], "prometheus": []}
    for _ in range(3):
        rounds["none"].append(per_send(NoMetrics(), args.sends))
        rounds["prometheus"].append(per_send(PrometheusMetrics(time.time()), args.sends))
    for name, figures in rounds.items():
        print(f"{name:10} {min(figures):.2f} µs CPU per send (best of 3)")
    added = min(rounds["prometheus"]) - min(rounds["none"])
    print(f"added by the Prometheus metrics: {added:.2f} µs")


if __name__ == "__main__":
    main()
