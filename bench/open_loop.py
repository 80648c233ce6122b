"""An open-loop load generator for the survey form: submissions start on a fixed schedule (`rate` a second for
`seconds`) whether or not the earlier ones have finished, as employers' browsers would.

A closed loop (a fixed number of requests in flight) slows down with the server and so never shows the queue an
overloaded server builds; here a slow answer does not delay the next request, and each latency is measured from
the moment the request was due (so time spent waiting for the client's own event loop counts too: no coordinated
omission). Connections are kept alive and reused: a submission takes an idle one or opens a new one.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from bench.support import HttpClient


@dataclass
class OpenLoopResult:
    offered: float  # submissions a second asked for
    scheduled: int
    elapsed: float  # from the first due time to the last answer
    latencies: list[float] = field(default_factory=list)  # of the submissions that got the thank-you page
    statuses: dict[int, int] = field(
        default_factory=dict
    )  # 0: a 200 that is not the thank-you page, -1: dropped
    late_starts: int = 0  # requests the generator itself started more than 10 ms after they were due
    most_in_flight: int = 0

    @property
    def accepted(self) -> int:
        return len(self.latencies)

    @property
    def errors(self) -> int:
        return self.scheduled - self.accepted

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies) or [0.0]
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


async def run_open_loop(
    host: str,
    port: int,
    paths: list[str],
    body: bytes,
    headers: dict[str, str],
    rate: float,
    seconds: float,
    expect: bytes,
    get_first: bool = False,
) -> OpenLoopResult:
    """POST `body` to each of the first `rate × seconds` paths, one every 1/rate s; with `get_first`, each
    submission GETs its link's page first (the latency then covers both)."""
    count = min(len(paths), int(rate * seconds))
    result = OpenLoopResult(offered=rate, scheduled=count, elapsed=0.0)
    idle: list[HttpClient] = []
    in_flight = [0]

    async def submit(path: str, due: float) -> None:
        client = idle.pop() if idle else HttpClient(host, port, headers)
        in_flight[0] += 1
        result.most_in_flight = max(result.most_in_flight, in_flight[0])
        try:
            if get_first:
                await client.request("GET", path)
            response = await client.request("POST", path, body)
        except (ConnectionError, OSError):
            result.statuses[-1] = result.statuses.get(-1, 0) + 1
            client.close()
            return
        finally:
            in_flight[0] -= 1
        latency = time.perf_counter() - due
        status = response.status
        if status == 200 and expect not in response.text().encode():
            status = 0
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status == 200:
            result.latencies.append(latency)
        idle.append(client)

    tasks = []
    start = time.perf_counter() + 0.05
    for i in range(count):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.01:
            result.late_starts += 1
        tasks.append(asyncio.create_task(submit(paths[i], due)))
    await asyncio.gather(*tasks)
    result.elapsed = time.perf_counter() - start
    for client in idle:
        client.close()
    return result
