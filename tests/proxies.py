"""A loopback TCP proxy that can hang: it goes on accepting connections but stops passing a byte either way, as a
stuck database server (or a network that drops every packet) looks to the app; `resume()` passes them again."""

from __future__ import annotations

import select
import socket
import threading


class HangingProxy:
    """Passes bytes between clients and `upstream` until `hang()`, then holds them until `resume()`."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.passing = threading.Event()
        self.passing.set()
        self.stopped = threading.Event()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, name="proxy-accept", daemon=True).start()

    def hang(self) -> None:
        self.passing.clear()

    def resume(self) -> None:
        self.passing.set()

    def close(self) -> None:
        self.stopped.set()
        self.passing.set()
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                sock.close()

    def _accept(self) -> None:
        self.listener.settimeout(0.1)
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(client,), name="proxy-pair", daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        self.passing.wait()  # a connection made while hung is accepted, and then nothing happens
        if self.stopped.is_set():
            client.close()
            return
        try:
            server = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            client.close()
            return
        with self.lock:
            self.sockets += [client, server]
        pair = {client: server, server: client}
        try:
            while not self.stopped.is_set():
                self.passing.wait()
                readable, _, _ = select.select(list(pair), [], [], 0.1)
                if not self.passing.is_set():
                    continue  # hung: what arrives stays unread, and no answer goes back
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    pair[sock].sendall(data)
        except OSError:
            return
        finally:
            client.close()
            server.close()
