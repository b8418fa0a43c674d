"""Scenario 16: `tieline serve` on a generated set — what one request costs against a trivial one.

One server (`tieline serve --port 0`, loopback only), one keep-alive connection, and rounds of three
requests interleaved so that the machine's noise falls on all alike: ``/api/ping`` (the trivial
endpoint: routing, the guard, a response), ``/api/neighbours?entity=X&limit=50`` (an expansion) and
``/api/search?q=NAME`` (a search, half of them misspelt), X and NAME going round a sample of entities
so that the index is read, not only its cache. Then the page: ``/view`` of an entity expanded, and —
with Chromium — how long the explorer takes to show an expansion, against the bench's 3 s budget.
Every loop is bounded; the server stops by itself (``--stop-after``) if this script dies.
"""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

__all__ = ["measure_serve", "stdlib_ping"]

STARTUP_S = 1800
SEARCH_EVERY = 6  # rounds per search  # a 1M set's index may have to be built first (minutes)


def _started(cmd: Sequence[str | Path], env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=env, text=True)
    deadline, seen = time.monotonic() + STARTUP_S, ""
    while time.monotonic() < deadline:
        line = process.stderr.readline()  # type: ignore[union-attr]
        seen += line
        if "http://" in line or not line:
            break
    if "http://" not in seen:
        process.kill()
        raise RuntimeError(f"tieline serve did not start: {seen}")
    address = seen.split("http://", 1)[1].split("/", 1)[0]
    assert address.startswith("127.0.0.1:"), address  # requests go to this machine only
    return process, address


def _timed(connection: http.client.HTTPConnection, path: str) -> tuple[float, bytes, int]:
    start = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    return time.perf_counter() - start, body, response.status


def measure_serve(tieline: Sequence[str | Path], data: Path, env: dict[str, str], start_name: str,
                  rounds: int, browser: bool) -> dict[str, Any]:
    """Medians (s) of ping, expansion, search and view on one server over ``data``; the page's expansion time."""
    process, address = _started([*tieline, "serve", "--data", data, "--port", "0", "--stop-after", str(STARTUP_S + 900),
                                 "--time-limit", "120"],
                                env)
    try:
        connection = http.client.HTTPConnection(*address.split(":"), timeout=300)
        _, body, status = _timed(connection, "/api/neighbours?" + urlencode(
            {"entity": start_name, "depth": 2, "limit": 500}))
        assert status == 200, body[:300]
        sample = json.loads(body)["neighbours"]
        ids = [n["id"] for n in sample]
        names = [n["name"] if i % 2 else n["name"][:-1] for i, n in enumerate(sample)]  # half misspelt
        times: dict[str, list[float]] = {"ping": [], "expand": [], "search": [], "view": []}
        for number in range(rounds):
            asked = [("ping", "/api/ping"),
                     ("expand", "/api/neighbours?" + urlencode({"entity": ids[number % len(ids)], "limit": 50}))]
            if number % SEARCH_EVERY == 0:  # a search scans every name: seconds at 100k, so fewer of them
                asked.append(("search", "/api/search?" + urlencode({"q": names[number // SEARCH_EVERY % len(names)]})))
            for kind, path in asked:
                seconds, body, status = _timed(connection, path)
                assert status == 200, (path, body[:300])
                times[kind].append(seconds)
        for number in range(max(3, rounds // 20)):
            entity = ids[(number * 7) % len(ids)]
            seconds, body, status = _timed(connection, "/view?" + urlencode({"seed": entity, "expand": f"{entity}:50"}))
            assert status == 200, body[:300]
            times["view"].append(seconds)
        connection.close()
        result: dict[str, Any] = {kind: statistics.median(values) for kind, values in times.items()}
        result["counts"] = {kind: len(values) for kind, values in times.items()}
        if browser:
            result["page"] = _page_expansion(address, ids[:6])
        return result
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


_STDLIB_SERVER = """
import http.server, sys
class Ping(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body wait on a delayed ACK (40 ms)
    def do_GET(self):
        body = b'{"ok": true}\\n'
        self.send_response(200)
        self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Ping)
print(f"http://127.0.0.1:{server.server_address[1]}/", file=sys.stderr, flush=True)
server.timeout = 1
import threading, time
threading.Timer(600, server.shutdown).start()
server.serve_forever()
"""


def stdlib_ping(python: str, env: dict[str, str], rounds: int) -> float:
    """p50 of the same trivial answer from the standard library's ThreadingHTTPServer (the alternative)."""
    process, address = _started([python, "-c", _STDLIB_SERVER], env)
    try:
        connection = http.client.HTTPConnection(*address.split(":"), timeout=60)
        times = [_timed(connection, "/api/ping")[0] for _ in range(rounds)]
        connection.close()
        return statistics.median(times)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _page_expansion(address: str, ids: list[str]) -> float:
    """Median seconds from asking the explorer to expand an entity to the page drawn (its ready flag)."""
    from playwright.sync_api import sync_playwright

    base = f"http://{address}/"
    times = []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            context = chromium.new_context(viewport={"width": 1400, "height": 900})
            context.route(lambda url: not url.startswith((base, "data:", "about:", "blob:")), lambda r: r.abort())
            tab = context.new_page()
            tab.goto(base)
            tab.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)
            for entity in ids:
                times.append(tab.evaluate("""async (id) => {
                    const start = performance.now(); await window.tieline.expand(id);
                    return (performance.now() - start) / 1000; }""", entity))
            context.close()
        finally:
            chromium.close()
    return statistics.median(times)
