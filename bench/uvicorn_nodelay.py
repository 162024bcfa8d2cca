"""uvicorn's command line, with a listening socket whose connections get TCP_NODELAY.

uvicorn 0.54 binds the socket of ``--workers N`` (N > 1) itself, with ``proto`` left at 0;
accepted sockets inherit it, and asyncio sets TCP_NODELAY only on a socket that says
``IPPROTO_TCP``. Nagle's algorithm then holds each response's body (written after its headers)
until the client acknowledges the headers, which Linux delays ~40 ms: every keep-alive request
to 2 workers took ~40 ms more than to 1 (Kludex/uvicorn#3149, open). One worker is not affected
(asyncio binds that socket from ``getaddrinfo``, proto 6), nor is ``dalil serve`` (one process).

Here the bound socket is re-opened on its descriptor, so that Python reads its protocol back
from the kernel (6); the workers' copies carry it. Used by ``bench_api.py`` unless
``--uvicorn-nagle`` asks for uvicorn as it is.
"""

from __future__ import annotations

import socket

from uvicorn.config import Config
from uvicorn.main import main

_bind_socket = Config.bind_socket


def _bind_tcp_socket(self: Config) -> socket.socket:
    sock = _bind_socket(self)
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
        sock = socket.socket(fileno=sock.detach())  # proto read back: IPPROTO_TCP
        sock.set_inheritable(True)
    return sock


Config.bind_socket = _bind_tcp_socket  # type: ignore[method-assign]

if __name__ == "__main__":
    main()
