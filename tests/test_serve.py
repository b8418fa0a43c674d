"""`tieline serve` over HTTP: every API answer is the CLI's `--json`, byte for byte; the guard refuses
what it must; an edit to the data is answered from a fresh index.

Each server is a real `tieline serve --port 0` process on 127.0.0.1 (the port it prints), stopped
by the test and, whatever happens, by itself (`--stop-after`). Requests go only to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from conftest import SMALL, write_fact_set

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "data"
LIFETIME = 240  # seconds: a server left behind by a crashed test stops by itself


class Server:
    """A `tieline serve` process on a free loopback port."""

    def __init__(self, data: Path, cache: Path, *extra: str):
        env = {**os.environ, "TIELINE_CACHE_DIR": str(cache), "COLUMNS": "80"}
        env.pop("TIELINE_DATA", None)
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "cli.py"), "serve", "--data", str(data), "--port", "0",
             "--stop-after", str(LIFETIME), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        self.stderr = ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()  # type: ignore[union-attr]
            self.stderr += line
            if "http://" in line or not line:
                break
        if "http://" not in self.stderr:
            self.stop()
            raise AssertionError(f"the server did not start: {self.stderr}")
        self.url = self.stderr.split("http://", 1)[1].split("/", 1)[0]
        self.host, self.port = self.url.rsplit(":", 1)

    def request(self, path: str, method: str = "GET", host: str | None = None,
                **headers: str) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", int(self.port), timeout=60)
        try:
            connection.putrequest(method, path, skip_host=True)
            connection.putheader("Host", host or self.url)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def api(self, name: str, items: list[tuple[str, str]]) -> tuple[int, dict[str, str], bytes]:
        return self.request(f"/api/{name}?{urlencode(items)}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(BUNDLED, tmp_path_factory.mktemp("serve-cache"))
    yield server
    server.stop()


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(data: Path, *extra: str) -> Server:
        servers.append(Server(data, tmp_path / "serve-cache", *extra))
        return servers[-1]
    yield start
    for server in servers:
        server.stop()


# --- the same answers as the CLI --------------------------------------------------------------------

D, R = "kirill-dmitriev", "marco-rubio"
CORPUS: list[tuple[str, list[tuple[str, str]], list[str]]] = [
    ("search", [("q", "dmitriev")], ["dmitriev"]),
    ("search", [("q", "witkof"), ("limit", "3")], ["witkof", "--limit", "3"]),
    ("search", [("q", "putin"), ("type", "person")], ["putin", "--type", "person"]),
    ("search", [("q", "rubio"), ("min-certainty", "confirmed")], ["rubio", "--min-certainty", "confirmed"]),
    ("search", [("q", "zzqqxxnothing")], ["zzqqxxnothing"]),
    ("show", [("entity", D)], [D]),
    ("show", [("entity", "RDIF")], ["RDIF"]),
    ("show", [("entity", "rdif"), ("min-certainty", "confirmed")], ["rdif", "--min-certainty", "confirmed"]),
    ("show", [("entity", D), ("as-of", "2025-03")], [D, "--as-of", "2025-03"]),
    ("show", [("entity", D), ("certainty", "reported"), ("certainty", "possible")],
     [D, "--certainty", "reported", "--certainty", "possible"]),
    ("neighbours", [("entity", "rdif")], ["rdif"]),
    ("neighbours", [("entity", D), ("depth", "2"), ("limit", "5")], [D, "--depth", "2", "--limit", "5"]),
    ("neighbours", [("entity", D), ("direction", "out"), ("type", "person")], [D, "--direction", "out", "--type", "person"]),
    ("neighbours", [("entity", D), ("relation", "met_with"), ("relation", "negotiates_with")],
     [D, "--relation", "met_with", "--relation", "negotiates_with"]),
    ("neighbours", [("entity", D), ("between", "2025-03"), ("between", "2025-04")], [D, "--between", "2025-03", "2025-04"]),
    ("neighbours", [("entity", D), ("between", "2025-03,2025-04")], [D, "--between", "2025-03", "2025-04"]),
    ("neighbours", [("entity", D), ("dated-only", "1"), ("at", "2025-04-02")], [D, "--dated-only", "--at", "2025-04-02"]),
    ("path", [("from", "Kirill Dmitriev"), ("to", "Marco Rubio")], ["Kirill Dmitriev", "Marco Rubio"]),
    ("path", [("from", D), ("to", R), ("all", "1")], [D, R, "--all"]),
    ("path", [("from", D), ("to", R), ("max-hops", "1")], [D, R, "--max-hops", "1"]),
    ("path", [("from", D), ("to", R), ("routes", "3")], [D, R, "--routes", "3"]),
    ("path", [("from", D), ("to", R), ("directed", "true"), ("via-type", "person")], [D, R, "--directed", "--via-type", "person"]),
    ("path", [("from", D), ("to", R), ("min-certainty", "confirmed"), ("chronological", "1")],
     [D, R, "--min-certainty", "confirmed", "--chronological"]),
    ("path", [("from", D), ("to", R), ("avoid", "rdif"), ("all", "0")], [D, R, "--avoid", "rdif"]),
    ("timeline", [], []),
    ("timeline", [("entity", D)], [D]),
    ("timeline", [("entity", D), ("entity", "rdif"), ("between", "2025-03,2025-04")], [D, "rdif", "--between", "2025-03", "2025-04"]),
    ("timeline", [("at", "2025-04-02"), ("min-certainty", "reported")], ["--at", "2025-04-02", "--min-certainty", "reported"]),
    ("timeline", [("entity", D), ("as-of", "1990")], [D, "--as-of", "1990"]),
]


@pytest.mark.parametrize("name, items, argv", CORPUS, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(CORPUS)])
def test_every_answer_is_the_clis_json(bundled: Server, invoke: Callable[..., Any], name: str,
                                       items: list[tuple[str, str]], argv: list[str]) -> None:
    cli = invoke(name, *argv, "--json", "--data", BUNDLED)
    status, headers, body = bundled.api(name, items)
    assert body.decode() == cli.stdout
    assert status == 200 and cli.exit_code in (0, 1)
    assert ("tieline-no-result" in headers) == (cli.exit_code == 1)


@pytest.mark.parametrize("name, items, argv, status", [
    ("show", [("entity", "nobody-at-all")], ["nobody-at-all"], 404),
    ("neighbours", [("entity", D), ("relation", "nope")], [D, "--relation", "nope"], 400),
    ("neighbours", [("entity", D), ("as-of", "March")], [D, "--as-of", "March"], 400),
    ("path", [("from", D), ("to", R), ("as-of", "2025"), ("at", "2025")], [D, R, "--as-of", "2025", "--at", "2025"], 400),
    ("search", [("q", "x"), ("type", "planet")], ["x", "--type", "planet"], 400),
])
def test_errors_say_what_the_cli_says(bundled: Server, invoke: Callable[..., Any], name: str,
                                      items: list[tuple[str, str]], argv: list[str], status: int) -> None:
    cli = invoke(name, *argv, "--json", "--data", BUNDLED)
    got, headers, body = bundled.api(name, items)
    error = json.loads(body)["error"]
    assert (got, error["exit_code"]) == (status, cli.exit_code)
    assert error["message"] == cli.stderr.rstrip("\n")
    assert headers["content-type"].startswith("application/json")


def test_an_ambiguous_name_is_409_with_the_candidates(started: Callable[..., Server], invoke: Callable[..., Any]) -> None:
    server = started(SMALL)
    status, _, body = server.api("show", [("entity", "boris")])
    cli = invoke("show", "boris", "--data", SMALL)
    error = json.loads(body)["error"]
    assert status == 409 and error["kind"] == "AmbiguousEntity" and error["message"] == cli.stderr.rstrip("\n")
    assert len(error["candidates"]) == 2 and all(c["id"] for c in error["candidates"])


def test_parameters_are_the_clis_options(bundled: Server) -> None:
    status, _, body = bundled.api("neighbours", [("entity", D), ("min_certainty", "confirmed")])
    message = json.loads(body)["error"]["message"]
    assert status == 400 and "min-certainty" in message  # the option's name, suggested
    status, _, body = bundled.api("neighbours", [("entity", D), ("dated-only", "perhaps")])
    assert status == 400
    status, _, body = bundled.api("show", [("entity", D), ("entity", R)])
    assert status == 400 and "once" in json.loads(body)["error"]["message"] or "times" in json.loads(body)["error"]["message"]
    assert bundled.api("show", [])[0] == 400  # the argument is missing, as click says


def test_the_view_filters_are_the_commandline_s(bundled: Server) -> None:
    """A filter declared for the CLI is a parameter of every question with no word in graph/serve."""
    from typer.main import get_command

    from cli import app
    from graph.commandline import FACT_FILTERS
    from graph.serve.ask import Questions

    questions = Questions(get_command(app).commands)  # type: ignore[attr-defined]
    for name, options in questions.options.items():
        declared = {p.name for p in options.values()}
        assert set(FACT_FILTERS) <= declared, name


# --- what the guard refuses -------------------------------------------------------------------------

def test_a_foreign_host_is_refused(bundled: Server) -> None:
    for host in ("evil.example", f"evil.example:{bundled.port}", f"127.0.0.2:{bundled.port}", "localhost:1"):
        status, headers, body = bundled.request("/api/ping", host=host)
        assert status == 421 and b"not for Host" in body, host
    assert bundled.request("/api/ping", host=f"localhost:{bundled.port}")[0] == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_only_get_and_head(bundled: Server, method: str) -> None:
    status, headers, _ = bundled.request("/api/ping", method=method)
    assert status == 405 and headers["allow"] == "GET, HEAD"
    head = bundled.request("/api/ping", method="HEAD")
    assert head[0] == 200 and head[2] == b""


@pytest.mark.parametrize("path", ["/assets/../pyproject.toml", "/assets/%2e%2e/app.py", "/assets/serve.html",
                                  "/assets/..%2f..%2fcli.py", "/cli.py", "/graph/serve/app.py", "/assets/",
                                  "/data/schema.yaml", "/assets/serve.js/../../app.py", "//etc/passwd"])
def test_no_file_outside_the_assets(bundled: Server, path: str) -> None:
    status, _, body = bundled.request(path)
    assert status == 404, path
    assert b"import" not in body and b"root:" not in body


def test_the_assets_and_the_page_are_served_with_a_closed_policy(bundled: Server) -> None:
    for path in ("/", "/assets/serve.js", "/assets/serve.css", "/api/ping"):
        status, headers, _ = bundled.request(path)
        policy = headers["content-security-policy"]
        assert status == 200 and "default-src 'none'" in policy and "http" not in policy, path
        assert headers["x-content-type-options"] == "nosniff"
    status, headers, body = bundled.request("/view?seed=rdif&expand=rdif:5")
    assert status == 200 and "default-src 'none'" in headers["content-security-policy"]
    assert b"default-src 'none'" in body  # the exported page's own policy, with its script hashes


@pytest.mark.parametrize("items", [
    [("entity", D), ("depth", "4")], [("entity", D), ("limit", "501")], [("entity", D), ("depth", "99999999999")],
])
def test_an_over_deep_or_over_wide_request_is_refused(bundled: Server, items: list[tuple[str, str]]) -> None:
    status, _, body = bundled.api("neighbours", items)
    assert status == 400 and b"at most" in body


def test_over_wide_paths_views_and_texts_are_refused(bundled: Server) -> None:
    assert bundled.api("path", [("from", D), ("to", R), ("routes", "21")])[0] == 400
    assert bundled.api("search", [("q", "x" * 201)])[0] == 400
    assert bundled.api("path", [("from", D), ("to", R), *[("avoid", "rdif")] * 51])[0] == 400
    assert bundled.request("/view?" + urlencode([("expand", f"{D}:501")]))[0] == 400
    assert bundled.request("/view?" + urlencode([("seed", D)] * 201))[0] == 400
    assert bundled.request("/view?" + "x" * 20_000)[0] in (400, 414, 431)  # uvicorn's own bound on a request


def test_a_question_past_the_time_limit_is_cut_short(started: Callable[..., Server], tmp_path: Path) -> None:
    """The time limit (`--time-limit`) bounds the time one question may take: the server answers 503 and goes on."""
    pytest.importorskip("starlette")
    from graph.serve.live import Live

    live = Live(SMALL, time_limit=0.05)
    live.start()
    try:
        def slow(compiled: Any) -> Any:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # a walk that keeps reading the index
                compiled.graph.rows("SELECT count(*) FROM entities, entities AS e2, entities AS e3")
            return None
        from graph.serve.ask import Busy

        started_at = time.monotonic()
        with pytest.raises(Busy, match="longer than"):
            live.ask(slow)
        assert time.monotonic() - started_at < 3
        assert live.ask(lambda compiled: compiled.names.resolve("boris-ivanov"))
    finally:
        live.stop()


# --- the page's view: what is on screen -------------------------------------------------------------

def test_the_view_is_the_exported_page_of_what_was_expanded(bundled: Server, invoke: Callable[..., Any]) -> None:
    near = json.loads(invoke("neighbours", "rdif", "--limit", "2", "--json", "--data", BUNDLED).stdout)
    status, headers, body = bundled.request("/view?" + urlencode([("seed", "rdif"), ("expand", "rdif:2")]))
    assert status == 200 and headers["content-type"].startswith("text/html")
    payload = json.loads(body.split(b'id="tl-data">', 1)[1].split(b"</script>", 1)[0])
    assert payload["node_ids"] == sorted([near["entity"]["id"], *(n["id"] for n in near["neighbours"])])
    download = bundled.request("/view?" + urlencode([("seed", "rdif"), ("expand", "rdif:2"), ("download", "1")]))
    assert download[2] == body and "attachment" in download[1]["content-disposition"]


def test_the_view_highlights_the_path_the_server_found(bundled: Server, invoke: Callable[..., Any]) -> None:
    found = json.loads(invoke("path", D, R, "--json", "--data", BUNDLED).stdout)["paths"][0]
    status, _, body = bundled.request("/view?" + urlencode([("from", D), ("to", R)]))
    payload = json.loads(body.split(b'id="tl-data">', 1)[1].split(b"</script>", 1)[0])
    on_path = {n for hop in found["hops"] for n in (hop["from"]["id"], hop["to"]["id"])}
    assert status == 200 and set(payload["selection"]["path"]) == on_path == set(payload["node_ids"])


# --- live: an edit is answered from a fresh index --------------------------------------------------

def test_an_edit_is_answered_at_once_and_invalid_data_is_said(started: Callable[..., Server], tmp_path: Path) -> None:
    data = write_fact_set(tmp_path / "data")
    server = started(data)
    people = data / "entities" / "people.yaml"
    assert b"Boris Ivanov" in server.api("show", [("entity", "boris-ivanov")])[2]
    text = people.read_text(encoding="utf-8")
    people.write_text(text.replace("Boris Ivanov", "Boris Q. Ivanov"), encoding="utf-8")
    status, _, body = server.api("show", [("entity", "boris-ivanov")])  # no wait: never a stale answer
    assert status == 200 and b"Boris Q. Ivanov" in body
    people.write_text(text + "\n  - id: [broken\n", encoding="utf-8")
    status, _, body = server.api("show", [("entity", "boris-ivanov")])
    error = json.loads(body)["error"]
    assert status == 503 and error["exit_code"] == 3 and "people.yaml" in error["message"]
    people.write_text(text, encoding="utf-8")
    status, _, body = server.api("show", [("entity", "boris-ivanov")])
    assert status == 200 and b"Boris Ivanov" in body and b"Boris Q." not in body


def test_invalid_data_at_start_exits_3_with_every_problem(tmp_path: Path) -> None:
    data = write_fact_set(tmp_path / "data", {"entities/bad.yaml": "entities:\n  - id: [x\n"})
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), "serve", "--data", str(data), "--port", "0",
                             "--stop-after", "5"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "TIELINE_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 3 and "bad.yaml" in result.stderr and "Traceback" not in result.stderr


def test_loopback_by_default_and_loud_otherwise(started: Callable[..., Server]) -> None:
    server = started(SMALL)
    assert server.host == "127.0.0.1" and "WARNING" not in server.stderr
    from graph.serve import allowed_hosts, is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and not is_loopback("0.0.0.0")
    assert allowed_hosts("127.0.0.1", 8000) == {"127.0.0.1:8000", "localhost:8000"}
    assert "evil.example:8000" not in allowed_hosts("0.0.0.0", 8000)


def test_serve_imports_starlette_only_when_asked() -> None:
    code = ("import sys, cli; cli.only_command(['tieline', 'show']);"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn', 'graph.serve')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.strip() == "[]"
