"""``tieline serve``: a local, read-only web explorer over the query index (Starlette on uvicorn).

:mod:`.ask` reads a request as the command line reads the same question (the commands' own option
declarations) and maps errors to HTTP; :mod:`.live` keeps the index current with the data folder;
:mod:`.shown` turns what the reader expanded into the exported page of it; :mod:`.app` is the
application and its guard. Starlette and uvicorn are imported only here, only by ``serve``.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .app import create_app
from .ask import Questions
from .live import Live

if TYPE_CHECKING:
    import click

__all__ = ["serve", "allowed_hosts", "is_loopback"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The ``Host`` headers a browser sends to this server (anything else is refused: DNS rebinding)."""
    names = {host}
    if is_loopback(host):
        names |= {"localhost", "127.0.0.1"} if ":" not in host else {"localhost"}
    elif host in ("0.0.0.0", "::"):
        names |= {"localhost", "127.0.0.1", socket.gethostname(), socket.getfqdn()}
        try:
            names |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)}
        except OSError:
            pass
    written = {f"[{n}]" if ":" in n else n for n in names}
    return frozenset(w.lower() for n in written for w in (f"{n}:{port}", *([n] if port == 80 else [])))


def _bound_socket(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: a free one); UsageError when it cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # accepted sockets inherit it: no 40 ms delayed-ACK wait
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    return sock


def serve(commands: Mapping[str, click.Command], data: Any, host: str = "127.0.0.1", port: int = 8000,
          stop_after: float | None = None, time_limit: float = 10.0) -> None:
    """Serve ``data`` until interrupted (or for ``stop_after`` seconds); DataErrors when it is invalid."""
    import uvicorn

    live = Live(data, time_limit=time_limit)
    live.start()
    sock = _bound_socket(host, port)
    port = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    if not is_loopback(host):
        sys.stderr.write(f"tieline: WARNING: listening on {host}, not on this machine only: anyone who can reach "
                         f"it can read every fact in {live.root}/ (use --host 127.0.0.1 to keep it to yourself)\n")
    sys.stderr.write(f"tieline: serving {live.root}/ read-only at http://{shown_host}:{port}/ (Ctrl-C stops)\n")
    sys.stderr.flush()
    config = uvicorn.Config(create_app(live, Questions(commands), allowed_hosts(host, port)), log_level="warning",
                            access_log=False, server_header=False, proxy_headers=False, lifespan="off",
                            timeout_keep_alive=5, limit_concurrency=64, ws="none")
    server = uvicorn.Server(config)
    if stop_after is not None:
        timer = threading.Timer(stop_after, lambda: setattr(server, "should_exit", True))
        timer.daemon = True
        timer.start()
    try:
        server.run(sockets=[sock])
    finally:
        live.stop()
        sock.close()
