"""HTML to PDF with headless Chromium: the page is written to a temporary file and printed by the browser.

Generic (it knows no domain). The HTML must be self-contained (styles inline, images as data: URIs or inline
SVG): the browser is started without network use, with a throwaway profile, and given only a file:// page.
The render blocks, so async callers use `render_pdf` (a worker thread; the subprocess has a timeout).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import anyio
import anyio.to_thread

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
RENDER_TIMEOUT_SECONDS = 90.0
CONCURRENT_RENDERS = 2  # a browser per render is heavy: more requests wait for a free slot
_limiter: anyio.CapacityLimiter | None = None
_FLAGS = (
    "--headless",
    "--no-sandbox",  # also as root in a container; the page is our own, from a local file
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--mute-audio",
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
)


class PdfUnavailable(RuntimeError):
    """No browser to print with, or it failed: the message says which (callers answer 503)."""


def browser_path() -> str | None:
    """The first headless-capable Chromium on PATH, or None."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: str, timeout: float = RENDER_TIMEOUT_SECONDS) -> bytes:
    """The PDF Chromium prints of `html` (blocking)."""
    browser = browser_path()
    if browser is None:
        raise PdfUnavailable(
            "PDF export needs Chromium (the chromium package) on the server; it is not installed. "
            "The HTML report prints from the browser too."
        )
    with tempfile.TemporaryDirectory(prefix="skillpulse-pdf-") as tmp:
        page, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            *_FLAGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
                command, capture_output=True, timeout=timeout, check=False, cwd=tmp
            )
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(f"Chromium did not finish the PDF within {timeout:.0f} s") from None
        except OSError as exc:
            raise PdfUnavailable(f"Chromium could not be started: {exc}") from None
        if not out.exists() or out.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise PdfUnavailable(f"Chromium printed no PDF (exit {done.returncode}): {' '.join(tail)}")
        return out.read_bytes()


async def render_pdf(html: str, seconds: float = RENDER_TIMEOUT_SECONDS) -> bytes:
    """`html_to_pdf` off the event loop (the subprocess itself is bounded by `seconds`), at most
    `CONCURRENT_RENDERS` at once per process."""
    global _limiter  # noqa: PLW0603 - made on first use, inside the running event loop
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(CONCURRENT_RENDERS)
    return await anyio.to_thread.run_sync(html_to_pdf, html, seconds, limiter=_limiter)
