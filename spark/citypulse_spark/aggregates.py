"""The table of aggregates: what the job computes, one row per gold table / aggregate topic.

main.py loops over it, for the streaming job and the batch recompute alike. Adding an aggregate is one
row here and its accumulators and finish step in transforms.py; a stream's bronze, silver, watermark and dedup come with
its first aggregate. Topic names, schemas and keys are never spelled here: ``input`` and ``output`` are
stream names of libs/contracts/topics.json (contracts.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from pyspark.sql import Column, DataFrame

from . import contracts
from . import transforms as T


@dataclass(frozen=True)
class Aggregate:
    name: str  # --aggregates, its window state folder, log lines
    input: str  # the contract stream read, e.g. "trafficNormalized"
    length: str  # window length, a Spark interval ("5 minutes")
    slide: str  # how far consecutive windows start apart; == length: tumbling windows
    keys: tuple[str, ...]  # the grouping columns besides the window (the contract key minus window_start)
    accs: Sequence[T.Acc]  # what is kept per window and keys (transforms.py: accumulate -> merge -> finish)
    finish: Callable[[DataFrame], DataFrame]  # accumulator rows -> the aggregate's rows (contract fields)
    output: str  # the contract stream of the aggregate topic, e.g. "trafficByZone5m"
    gold_table: str  # LAKE_DIR/gold/<gold_table>

    def accumulate(self, events: DataFrame) -> DataFrame:
        """Deduplicated events -> accumulator rows, one per window and keys."""
        return T.accumulate(T.assign_windows(events, self.length, self.slide), self.keys, self.accs)

    def merge(self, accumulated: DataFrame, *extra: Column) -> DataFrame:
        """Accumulator rows (of several batches) -> one per window and keys (+ ``extra`` aggregates)."""
        return T.merge(accumulated, self.keys, self.accs, *extra)

    def closes_between(self, before: datetime | None, watermark: datetime) -> bool:
        """Whether a window of this aggregate can end in ``(before, watermark]``: the windows a micro-
        batch with watermark ``watermark`` closes, ``before`` being the previous batch's (None: not
        known). Windows start at multiples of the slide from the epoch (``F.window``), so when the
        length is a multiple of the slide every window ends at one too, and none ends in the span
        unless a multiple of the slide lies in it (a 5-minute window at a 5-second trigger: one
        batch in sixty). Otherwise, or without ``before``: True."""
        slide, length = interval_seconds(self.slide), interval_seconds(self.length)
        if before is None or length % slide:
            return True
        return int(watermark.timestamp()) // slide > int(before.timestamp()) // slide

    def compute(self, events: DataFrame) -> DataFrame:
        """Deduplicated events, all of them -> the aggregate's rows (what the batch recompute does)."""
        return self.finish(self.accumulate(events))


_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def interval_seconds(text: str) -> int:
    """A Spark interval of one unit, "20 seconds", "5 minutes", "1 hour", in seconds."""
    n, _, unit = text.strip().partition(" ")
    seconds = _UNIT_SECONDS.get(unit.strip().lower().removesuffix("s"))
    if not n.isdigit() or seconds is None:
        raise ValueError(f"not an interval of one unit: {text!r} (e.g. '5 minutes')")
    return int(n) * seconds


TRAFFIC_ZONE_5M = Aggregate(
    name="traffic_zone_5m",
    input=contracts.TRAFFIC_NORMALIZED,
    length="5 minutes",
    slide="5 minutes",
    keys=("zone_id",),
    accs=T.ZONE_ACCS,
    finish=T.zone_finish,
    output=contracts.TRAFFIC_BY_ZONE_5M,
    gold_table="traffic_zone_5m",
)
MOBILITY_INDEX_5M = Aggregate(
    name="mobility_index_5m",
    input=contracts.TRAFFIC_NORMALIZED,
    length="5 minutes",
    slide="5 minutes",
    keys=(),
    accs=T.CITY_ACCS,
    finish=T.city_finish,
    output=contracts.MOBILITY_INDEX_5M,
    gold_table="mobility_index_5m",
)
TRANSPORT_LINE_10M = Aggregate(
    name="transport_line_10m",
    input=contracts.TRANSPORT_NORMALIZED,
    length="10 minutes",
    slide="10 minutes",
    keys=("line_id",),
    accs=T.TRANSPORT_ACCS,
    finish=T.transport_finish,
    output=contracts.TRANSPORT_BY_LINE_10M,
    gold_table="transport_line_10m",
)
INCIDENTS_ZONE_15M = Aggregate(
    name="incidents_zone_15m",
    input=contracts.INCIDENTS_NORMALIZED,
    length="15 minutes",
    slide="15 minutes",
    keys=("zone_id", "severity"),
    accs=T.INCIDENT_ACCS,
    finish=T.incident_finish,
    output=contracts.INCIDENTS_BY_ZONE_15M,
    gold_table="incidents_zone_15m",
)
TICKETS_PRIORITY_1M = Aggregate(
    name="tickets_priority_1m",
    input=contracts.TICKETS_NORMALIZED,
    length="1 minute",
    slide="1 minute",
    keys=("priority",),
    accs=T.TICKET_ACCS,
    finish=T.ticket_finish,
    output=contracts.TICKETS_BY_PRIORITY_1M,
    gold_table="tickets_priority_1m",
)

AGGREGATES: tuple[Aggregate, ...] = (
    TRAFFIC_ZONE_5M,
    MOBILITY_INDEX_5M,
    TRANSPORT_LINE_10M,
    INCIDENTS_ZONE_15M,
    TICKETS_PRIORITY_1M,
)


def select(names: Iterable[str], table: tuple[Aggregate, ...] = AGGREGATES) -> tuple[Aggregate, ...]:
    """The aggregates called ``names``, in the table's order; an unknown name is an error listing the known."""
    wanted = set(names)
    unknown = wanted - {a.name for a in table}
    if unknown:
        raise ValueError(f"unknown aggregates {sorted(unknown)}; the table has {[a.name for a in table]}")
    return tuple(a for a in table if a.name in wanted)


def by_input(table: Iterable[Aggregate]) -> dict[str, list[Aggregate]]:
    """The aggregates grouped by the contract stream they read, streams in the order they first appear."""
    out: dict[str, list[Aggregate]] = {}
    for a in table:
        out.setdefault(a.input, []).append(a)
    return out


def lake_name(stream: str) -> str:
    """A normalized stream's name in the lake and in query names: "trafficNormalized" -> "traffic"."""
    return stream.removesuffix("Normalized")
