"""A TCP proxy on loopback standing for the network link between two sites.

A test can cut the link (traffic stops flowing both ways and new connections
hang, as in a network partition: callers see timeouts, not errors), delay it,
or restore it.
"""

import contextlib
import select
import socket
import threading
import time


class LinkProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut = False
        self.delay = 0.0
        # Bytes carried from the target back to its callers (benchmarks read it).
        self.answered_bytes = 0
        self._closed = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True, name=f"proxy-{self.port}").start()

    def set_cut(self, cut: bool) -> None:
        self.cut = cut

    def set_delay(self, seconds: float) -> None:
        self.delay = seconds

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()

        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.close()

    def _track(self, *socks) -> None:
        with self._lock:
            self._sockets.update(socks)

    def _forget(self, *socks) -> None:
        with self._lock:
            for sock in socks:
                self._sockets.discard(sock)
                with contextlib.suppress(OSError):
                    sock.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        self._track(client)
        while self.cut and not self._closed.is_set():
            time.sleep(0.05)  # a partition: the connection hangs until restored
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            self._forget(client)  # the site is down: the caller sees the connection close
            return
        self._track(upstream)
        done = threading.Event()
        for src, dst in ((client, upstream), (upstream, client)):
            threading.Thread(
                target=self._pump, args=(src, dst, done, src is upstream), daemon=True
            ).start()
        done.wait()
        self._forget(client, upstream)

    def _pump(
        self, src: socket.socket, dst: socket.socket, done: threading.Event, answers: bool
    ) -> None:
        try:
            while not done.is_set() and not self._closed.is_set():
                readable, _, _ = select.select([src], [], [], 0.1)
                if not readable:
                    continue
                if self.cut:
                    time.sleep(0.05)  # leave the bytes unread: nothing crosses a cut link
                    continue
                data = src.recv(256 * 1024)
                if not data:
                    break
                if self.delay:
                    time.sleep(self.delay)
                dst.sendall(data)
                if answers:
                    with self._lock:
                        self.answered_bytes += len(data)
        except OSError:
            pass
        finally:
            done.set()


class TestAddress:
    """A TCP listener on loopback standing for a network connectivity test IP
    (``127.0.0.1:port``): answering, or gone when the test stops it."""

    __test__ = False  # not a pytest test class

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            connection.close()

    def stop(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone would
        # leave the kernel accepting connections on its behalf.
        with contextlib.suppress(OSError):
            self.server.shutdown(socket.SHUT_RDWR)
        self.server.close()
