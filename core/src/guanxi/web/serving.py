"""Running ``guanxi serve``: bind the port, serve with uvicorn, stop cleanly on a signal.

The socket is bound here, before uvicorn starts, so that a port already
taken is one sentence naming it (not a log line and a traceback), and so
that ``--port 0`` (a free port the system picks) prints the port it got.
SIGTERM or Ctrl+C finish the requests in flight, then the command exits 0.
"""

from __future__ import annotations

import errno
import signal
import socket
import threading
from collections.abc import Callable

import uvicorn  # here, so that a missing web extra fails the import the command guards

from guanxi.errors import GuanxiError
from guanxi.web.app import create_app


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, or one sentence saying why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    # As uvicorn binds: a restart need not wait for the old connections' TIME_WAIT.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise GuanxiError(f"port {port} on {host} is taken by another program; stop it "
                              "or choose another port with --port") from None
        if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
            raise GuanxiError(f"--host {host} is not an address of this machine; use "
                              "127.0.0.1, 0.0.0.0 (every interface) or one of its own") from None
        raise GuanxiError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    return sock


def serve(ws, host: str, port: int, say: Callable[[str], None]) -> None:
    """Serve ``ws`` on ``host:port`` until SIGTERM or Ctrl+C; ``say`` tells where."""
    sock = bind(host, port)
    try:
        app = create_app(ws)
        shown = f"[{host}]" if ":" in host else host
        say(f"Serving {ws.config.label} on http://{shown}:{sock.getsockname()[1]}/ "
            "(Ctrl+C stops)")
        server = uvicorn.Server(uvicorn.Config(app, log_level="info", access_log=False,
                                               proxy_headers=False))
        # uvicorn stops on SIGTERM/SIGINT, then raises the signal again for the
        # handlers it found: these ones end the command with 0, not killed.
        previous = {}
        if threading.current_thread() is threading.main_thread():
            previous = {sig: signal.signal(sig, lambda *_: None)
                        for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            server.run(sockets=[sock])
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    finally:
        sock.close()
