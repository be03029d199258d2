"""A loopback TCP server that accepts every connection and never answers: a hung database or store."""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager


@contextmanager
def hung_server():
    """Yield the port of a server that accepts connections and never says a word; everything closed afterwards."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.05)  # so the accepting thread sees the stop promptly
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
        for connection in held:
            connection.close()
