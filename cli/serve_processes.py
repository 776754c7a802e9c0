"""`fitzap serve --processes N`: N web processes on one address, forked from a parent that only watches them.

One Python process answers on one core; on a machine with more, the web tier needs more processes. Each
child listens on a socket of its own bound with SO_REUSEPORT to the same address, so the kernel spreads new
connections among them (one shared socket would let whichever child wakes first take a burst of them, and
kept-alive connections stay where they landed). Every child builds its own app, pools and event loop after
the fork: nothing that holds a connection or a loop crosses it.

SIGTERM or SIGINT to the parent is passed to every child, which finishes what it is answering and stops; a
child that stops on its own stops the rest (the supervisor restarts the whole unit, as for one process).
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable

from aiohttp import web

log = logging.getLogger("fitzap")
BACKLOG = 128
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` listening sockets on one address (port 0: the first one's free port for all)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind(address)
            address = sock.getsockname()
            sock.listen(BACKLOG)
            sock.setblocking(False)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def run_processes(count: int, host: str, port: int, serve: Callable[[socket.socket], None]) -> int:
    """Fork `count` children, each running `serve` on its own socket; returns the exit status for the parent."""
    sockets = listening_sockets(host, port, count)
    children: dict[int, int] = {}  # pid: index
    # Blocked until each side has its own handlers: a stop signal in between waits instead of hitting a child
    # with the parent's handler.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    for index, sock in enumerate(sockets):
        pid = os.fork()
        if pid == 0:
            _child(sock, [s for s in sockets if s is not sock], serve)
        children[pid] = index
    bound_port = sockets[0].getsockname()[1]
    for sock in sockets:
        sock.close()
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        _signal_all(children, signal.SIGTERM)

    for signum in STOP_SIGNALS:
        signal.signal(signum, stop)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    log.info("fitzap serve: %d processes on %s:%s", count, host, bound_port)
    status = 0
    while children:
        try:
            pid, wait_status = os.wait()
        except ChildProcessError:
            break
        index = children.pop(pid, None)
        if index is None:
            continue
        code = os.waitstatus_to_exitcode(wait_status)
        if not stopping:
            log.error("fitzap serve: process %d (pid %d) stopped on its own (%d); stopping the others", index, pid, code)
            stopping, status = True, 1
            _signal_all(children, signal.SIGTERM)
        elif code != 0:
            status = 1
    return status


def _signal_all(children: dict[int, int], signum: int) -> None:
    for pid in children:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def _child(sock: socket.socket, others: list[socket.socket], serve: Callable[[socket.socket], None]) -> None:
    """The forked child: its socket only, default signal handling, `serve`, then out without the parent's exit
    handlers."""
    for other in others:
        other.close()
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    code = 0
    try:
        serve(sock)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        log.exception("fitzap serve process failed")
        code = 1
    finally:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def stop_once(web_app: web.Application) -> None:
    """Stop on the first SIGTERM or SIGINT and ignore the ones after: a child is told by its parent and, when the
    whole process group is signalled (systemd, Ctrl-C), directly too; a second GracefulExit would cut its
    clean-up short."""
    async def install(_web_app: web.Application) -> None:
        told = False

        def stop() -> None:
            nonlocal told
            if not told:
                told = True
                raise web.GracefulExit()

        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, stop)

    web_app.on_startup.append(install)
