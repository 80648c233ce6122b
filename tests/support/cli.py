"""`skillpulse` commands run in-process (typer's CliRunner on `service.cli.app`), for tests of what a command
does rather than of the process it runs in (those keep real subprocesses: tests/faults, `serve` start/stop).

Each call gets its own environment (set for the call, then restored) and reads its settings afresh, as a new
process would: `load_settings()` is cached per process. The command runs in a thread of its own, so its
`asyncio.run` never meets the test's event loop.
"""

from __future__ import annotations

import logging
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass


@dataclass(frozen=True)
class Ran:
    """What a finished command left: its exit code and output, like subprocess.CompletedProcess."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(env: dict[str, str], *args: str, input: str | None = None) -> Ran:  # noqa: A002 - as subprocess.run
    """Run `skillpulse ARGS` with `env` (and `input` on its stdin), as a process would."""
    from typer.testing import CliRunner

    from service.cli import app
    from service.settings import load_settings

    def invoke():  # noqa: ANN202 - click's Result
        load_settings.cache_clear()
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        try:
            return CliRunner(env=env).invoke(app, list(args), input=input, catch_exceptions=True)
        finally:
            load_settings.cache_clear()
            # a command configures logging onto the runner's stderr, which closes when it returns: put the
            # test process's logging back as it was, as the end of a process would
            for handler in root.handlers:
                if handler not in handlers:
                    handler.close()
            root.handlers[:] = handlers
            root.setLevel(level)

    with ThreadPoolExecutor(1, thread_name_prefix="skillpulse-cli") as pool:
        result = pool.submit(invoke).result()
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        # an uncaught error: what the process would have printed before exiting 1
        stderr += "".join(traceback.format_exception(result.exception))
    return Ran(result.exit_code, result.stdout, stderr)
