"""What the extraction worker's loop has done (`ExtractionWorker.stats`): batches, idle waits, how each idle
wait ended. Cheap counters plus a short ring of recent events, for tests and for a look from a debugger."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

RECENT_EVENTS = 200


@dataclass(slots=True)
class LoopStats:
    batches: int = 0  # claims that found work
    postings: int = 0  # postings those batches finished
    idle_waits: int = 0  # times the loop slept because the queue was empty
    woken: int = 0  # idle waits ended by `wake()` (new work queued in this process) or `stop()`
    polled: int = 0  # idle waits that ran out the poll interval
    errors: int = 0  # batches that raised (retried after a backoff)
    events: deque[str] = field(default_factory=lambda: deque(maxlen=RECENT_EVENTS))

    def batch(self, count: int) -> None:
        self.batches += 1
        self.postings += count
        self.events.append(f"batch:{count}")

    def idle(self) -> None:
        self.idle_waits += 1
        self.events.append("idle")

    def idle_ended(self, woken: bool) -> None:
        if woken:
            self.woken += 1
        else:
            self.polled += 1
        self.events.append("woken" if woken else "polled")

    def error(self) -> None:
        self.errors += 1
        self.events.append("error")
