"""Clients that open connections to a site and trickle a request's header
lines without ever finishing it (a "slowloris"), for the slow-clients test
and bench/slow_clients.py. Loopback only."""

import selectors
import socket
import threading
import time

REQUEST_LINE = b"GET /login HTTP/1.1\r\nHost: slow.example\r\n"


class SlowClients:
    """``count`` connections to 127.0.0.1:``port``, each sending one more
    header line every ``interval`` seconds; a connection the server closes is
    opened again at once. They come from ``per_address`` connections per
    loopback address from 127.0.0.2 on, as from many hosts (the per-client
    cap is not what lets the site survive them)."""

    def __init__(self, port: int, count: int, interval: float, per_address: int = 10):
        self.port = port
        self.count = count
        self.interval = interval
        self.per_address = per_address
        self.opened = 0
        self.closed_by_server = 0
        self._selector = selectors.DefaultSelector()
        self._next_send: dict[socket.socket, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def open(self) -> int:
        return len(self._next_send)

    def __enter__(self) -> "SlowClients":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(10)
        for sock in list(self._next_send):
            self._drop(sock)
        self._selector.close()

    def _source(self, slot: int) -> str:
        return f"127.0.{2 + slot // self.per_address // 250}.{2 + slot // self.per_address % 250}"

    def _open(self, slot: int) -> None:
        try:
            sock = socket.create_connection(
                ("127.0.0.1", self.port), timeout=5, source_address=(self._source(slot), 0)
            )
            sock.sendall(REQUEST_LINE)
        except OSError:
            return  # tried again on the next round
        sock.setblocking(False)
        self._selector.register(sock, selectors.EVENT_READ, slot)
        # Spread the lines of all connections over the interval.
        self._next_send[sock] = time.monotonic() + self.interval * (slot % 100 + 1) / 100
        self.opened += 1

    def _drop(self, sock: socket.socket) -> None:
        self._selector.unregister(sock)
        del self._next_send[sock]
        sock.close()

    def _run(self) -> None:
        slots = set(range(self.count))
        while not self._stop.is_set():
            for slot in slots:
                self._open(slot)
            slots = set()
            # Readable means closed by the server (it never answers a request
            # whose headers never end).
            for key, _ in self._selector.select(timeout=0.05):
                slots.add(key.data)
                self.closed_by_server += 1
                self._drop(key.fileobj)
            now = time.monotonic()
            for sock, due in list(self._next_send.items()):
                if now >= due:
                    try:
                        sock.send(b"X-Slow: 1\r\n")
                        self._next_send[sock] = now + self.interval
                    except OSError:
                        slots.add(self._selector.get_key(sock).data)
                        self._drop(sock)
