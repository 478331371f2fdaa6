"""Headless Chromium for the report's browser checks: tests/test_report_browser.py and
evaluation/screenshot_report.py. Each run has a fresh profile and no network, so a page shows what
a reader offline sees. Needs Debian's `chromium` (scripts/setup.sh installs it where apt-get may).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
]
# Chromium logs what the page writes to its console, and what the Content-Security-Policy blocked,
# as lines like `[…:INFO:CONSOLE:…] "Uncaught TypeError: …", source: file:///…/report.html (12)`.
CONSOLE = ":CONSOLE"


def find_chromium() -> str | None:
    """The Chromium on PATH, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def run_chromium(url: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Chromium on `url` with FLAGS, a fresh profile and `args` (e.g. --dump-dom); raises
    RuntimeError when it is missing or fails, with the end of what it wrote."""
    browser = find_chromium()
    if browser is None:
        raise RuntimeError("chromium not found; on Debian: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="edunlp-chromium-") as profile:
        done = subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", *args, url],
                              capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed ({done.returncode}) on {url}:\n{done.stderr[-2000:]}")
    return done


def console_messages(done: subprocess.CompletedProcess[str]) -> list[str]:
    """What the page wrote to the console (script errors, blocked resources) during `done`."""
    return [line for line in done.stderr.splitlines() if CONSOLE in line]


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 2400) -> list[str]:
    """A PNG of the top `width` x `height` pixels of `page`; returns its console messages."""
    png.unlink(missing_ok=True)
    done = run_chromium(page.resolve().as_uri(), f"--screenshot={png.resolve()}", f"--window-size={width},{height}")
    if not png.is_file():
        raise RuntimeError(f"chromium wrote no screenshot of {page}:\n{done.stderr[-2000:]}")
    return console_messages(done)


def dump_dom(url: str) -> tuple[str, list[str]]:
    """The page's DOM after its scripts ran, serialised, and its console messages."""
    done = run_chromium(url, "--dump-dom")
    return done.stdout, console_messages(done)
