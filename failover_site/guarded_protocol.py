"""uvicorn's httptools protocol with two guards against clients that hold
connections open without finishing their requests (see failover_site/web.py).

- A header timeout: a connection that has not sent a request's complete
  headers within ``FAILOVER_WEB_HEADER_TIMEOUT`` seconds of connecting, or of
  the first byte of a later request on it, is closed. uvicorn has none: its
  keep-alive timer is cancelled by any incoming byte, and a connection that
  never sends anything is never timed out.
- A cap of ``FAILOVER_WEB_MAX_CONNECTIONS_PER_CLIENT`` open connections per
  client address in each web worker process: beyond it, a new connection is
  closed at once.

Both only hold sockets, never threads: the application sees a request only
once its headers are complete.
"""

import logging

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from failover_site.env import envfloat, envint

log = logging.getLogger(__name__)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    header_timeout = envfloat("FAILOVER_WEB_HEADER_TIMEOUT", 10.0, minimum=0.1, maximum=300)
    max_connections_per_client = envint("FAILOVER_WEB_MAX_CONNECTIONS_PER_CLIENT", 64, minimum=1)
    # Open connections by client address, in this process (one event loop).
    open_per_client: dict[str, int] = {}

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._header_timer = None
        self._address = self.client[0] if self.client else None
        if self._address is not None:
            count = self.open_per_client.get(self._address, 0) + 1
            self.open_per_client[self._address] = count
            if count > self.max_connections_per_client:
                log.debug("closing a connection from %s: %d already open", self._address, count)
                transport.close()
                return
        self._arm_header_timer()

    def connection_lost(self, exc) -> None:
        self._cancel_header_timer()
        if self._address is not None:
            left = self.open_per_client[self._address] - 1
            if left:
                self.open_per_client[self._address] = left
            else:
                del self.open_per_client[self._address]
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        # The first request's clock started at the connection.
        if self._header_timer is None:
            self._arm_header_timer()

    def on_headers_complete(self) -> None:
        self._cancel_header_timer()
        super().on_headers_complete()

    def _arm_header_timer(self) -> None:
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_overdue)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_overdue(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()
