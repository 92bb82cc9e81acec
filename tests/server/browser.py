"""A headless Chromium driven over the DevTools protocol, for the dashboard's tests.

Why the DevTools protocol directly and not Playwright or Selenium: the tests need four things
(open a page, run a script in it, wait for a condition, see its errors) and Chromium speaks
that protocol over a WebSocket; ``websockets`` is already installed with uvicorn[standard],
so this costs no dependency and no driver binary, where Playwright brings its own node driver
and Selenium a chromedriver of the exact browser version plus its own dependency tree.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--remote-debugging-port=0")


def find_chromium() -> str | None:
    """``$HOARFROST_CHROMIUM``, else Debian's ``chromium`` (what .ci/run installs)."""
    return os.environ.get("HOARFROST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


class BrowserError(Exception):
    """The browser did not start, or a script in the page threw."""


class Browser:
    """One headless Chromium with a fresh profile and one page; ``close()`` ends the process."""

    def __init__(self, executable: str, start_timeout: float = 30.0) -> None:
        self.profile = tempfile.mkdtemp(prefix="hoarfrost-chromium-")
        self.process = subprocess.Popen([executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self._id = 0
        self._stack = contextlib.ExitStack()
        self.errors: list[str] = []  # uncaught exceptions and console.error messages of the page
        try:
            port = self._wait_for_port(start_timeout)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
                targets = json.load(answer)
            page = next(target for target in targets if target["type"] == "page")
            # Entered as a context (what websockets 17 asks for), left in close().
            self.socket: ClientConnection = self._stack.enter_context(
                connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10))
            self.call("Runtime.enable")
            self.call("Page.enable")
        except BaseException:
            self.close()
            raise

    def _wait_for_port(self, timeout: float) -> int:
        """Chromium writes the port it chose to DevToolsActivePort in the profile once listening."""
        marker = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BrowserError(f"chromium exited with status {self.process.returncode} at start")
            try:
                return int(marker.read_text().split()[0])
            except (FileNotFoundError, IndexError, ValueError):
                time.sleep(0.05)
        raise BrowserError(f"chromium did not open its DevTools port within {timeout} s")

    # -- the protocol ----------------------------------------------------------------------------
    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and answer its result; events that arrive meanwhile are inspected."""
        self._id += 1
        ident = self._id
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == ident:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self._event(message)

    def _event(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        params = message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append(details.get("exception", {}).get("description") or details.get("text", "?"))
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            self.errors.append(" ".join(str(arg.get("value", arg.get("description", ""))) for arg in params["args"]))

    # -- the page --------------------------------------------------------------------------------
    def evaluate(self, expression: str) -> Any:
        """The value of ``expression`` in the page (promises awaited); a throw raises BrowserError."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(details.get("exception", {}).get("description") or details.get("text"))
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 15.0) -> Any:
        """Poll ``expression`` until it is truthy (answering its value); BrowserError at timeout
        with the last value seen, so a failing test says what the page showed instead."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.05)
        raise BrowserError(f"still falsy after {timeout} s: {expression} (last value {value!r}; "
                           f"page errors {self.errors})")

    def open(self, url: str) -> None:
        """Load ``url`` and wait until the document has loaded."""
        self.errors.clear()
        self.call("Page.navigate", url=url)
        self.wait_for(f"document.readyState === 'complete' && location.href === {json.dumps(url)}")

    def close(self) -> None:
        try:
            self._stack.close()
        except Exception:  # the browser may already have closed the socket
            pass
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)
