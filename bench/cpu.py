"""CPU time of the benchmarks' processes, from /proc: the server under test, the load generator, PostgreSQL."""

from __future__ import annotations

import os
import resource
from pathlib import Path


def _serves(entry: Path, database: str) -> bool:
    """A PostgreSQL backend of `database` (its title: "postgres: 15/main: user database host(port) state")."""
    try:
        title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return False
    return f" {database} " in title


def cpu_seconds(
    root_pid: int | None = None, command: str | None = None, database: str | None = None
) -> float:
    """CPU time (user + system), from /proc, of a process and its children (the uvicorn workers), or of every
    process whose command is `command` (the local PostgreSQL server's processes), only the backends of
    `database` if given (so other work on a shared server is left out; a backend that ended is too)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name, _, rest = (entry / "stat").read_text().partition(" (")[2].rpartition(")")
            fields = rest.split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if root_pid is not None and (pid == root_pid or ppid == root_pid):
            total += (int(fields[11]) + int(fields[12])) / ticks
        elif command is not None and name == command and database is None:
            total += sum(int(value) for value in fields[11:15]) / ticks  # with the ended children it reaped
        elif command is not None and name == command and _serves(entry, database or ""):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def own_cpu_seconds() -> float:
    """CPU time (user + system) of this process: the load generator's own cost."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    """CPU seconds of the server (the uvicorn workers), this load generator, every postgres process and, with
    `database`, that database's backends only."""

    def __init__(self, server_pid: int, database: str | None = None) -> None:
        self.pid = server_pid
        self.database = database
        self.start = self._now()

    def _now(self) -> tuple[float, ...]:
        own = cpu_seconds(command="postgres", database=self.database) if self.database else 0.0
        return cpu_seconds(self.pid), own_cpu_seconds(), cpu_seconds(command="postgres"), own

    def per_submission_ms(self, count: int) -> dict[str, float]:
        end = self._now()
        names = ("server_cpu_ms", "client_cpu_ms", "database_cpu_ms", "own_database_cpu_ms")
        return {
            n: round((b - a) / max(count, 1) * 1000, 2)
            for n, a, b in zip(names, self.start, end, strict=True)
        }
