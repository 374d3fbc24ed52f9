"""Streamed answers through the ASGI application, as uvicorn serves them: sent
chunk by chunk (never read whole into memory first), from the request's own
thread, whole and in order."""

import asyncio
import os
import threading
import warnings
from urllib.parse import urlencode

import pytest
from django.core.handlers.asgi import ASGIHandler
from django.db import connections

from failover.models import InterSiteKey, SiteState
from failover.sync import serving
from failover_site.launch import BASE_DIR
from tests.fixtures.peer import signed_headers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_persistent_connections(monkeypatch):
    """As under uvicorn (failover_site/asgi.py): the request's thread closes
    its connection when the request ends."""
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)


KEY = "s" * 40
PEER = "6f1c1d1e-0000-4000-8000-0000000000cc"
MB = 1024 * 1024


def _serve(path: str, query: str = "", headers: dict | None = None) -> tuple[int, list[bytes]]:
    """One GET through Django's ASGI handler; its status and body messages."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")]
        + [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    sent = []

    async def run():
        requested = False

        async def receive():
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.Event().wait()  # the client never goes away

        async def send(message):
            sent.append(message)

        await ASGIHandler()(scope, receive, send)

    with warnings.catch_warnings():
        # "must consume synchronous iterators": Django reading a stream whole.
        warnings.simplefilter("error")
        asyncio.run(run())
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, [
        m.get("body") for m in sent if m["type"] == "http.response.body" and m.get("body")
    ]


@pytest.fixture
def primary_with_a_file(settings, tmp_path):
    settings.FAILOVER_ALLOW_INSECURE_PEER = True
    settings.FAILOVER_DATA_DIR = tmp_path / "data"
    settings.FAILOVER_DATA_DIR.mkdir()
    InterSiteKey.objects.create(pk=1, key=KEY)
    SiteState.objects.filter(pk=SiteState.load().pk).update(
        role="primary",
        epoch=1,
        relationship_id="6f1c1d1e-0000-4000-8000-0000000000dd",
        peer_site_id=PEER,
        peer_host="127.0.0.1",
        peer_port=1,
    )
    content = os.urandom(3 * MB + 123)
    path = settings.FAILOVER_DATA_DIR / "big.bin"
    path.write_bytes(content)
    return path, content


def test_a_sync_file_streams_in_chunks_read_in_the_requests_thread(
    primary_with_a_file, monkeypatch
):
    path, content = primary_with_a_file
    readers = set()
    real_stream = serving._stream

    def watched_stream(files):
        for chunk in real_stream(files):
            readers.add(threading.get_ident())
            yield chunk

    monkeypatch.setattr(serving, "_stream", watched_stream)
    info = path.stat()
    query = urlencode({"path": "big.bin", "size": info.st_size, "mtime_ns": info.st_mtime_ns})
    endpoint = "/api/peer/v1/sync/file"
    headers = signed_headers(KEY, "GET", endpoint, query=query, site_id=PEER)
    status, chunks = _serve(endpoint, query, headers)
    assert status == 200
    assert b"".join(chunks) == content
    assert len(chunks) >= 4
    assert max(len(chunk) for chunk in chunks) <= MB
    assert len(readers) == 1 and threading.get_ident() not in readers


def test_static_files_stream_without_being_read_whole():
    status, chunks = _serve("/static/failover/console.css")
    assert status == 200
    assert b"".join(chunks) == (BASE_DIR / "static" / "failover" / "console.css").read_bytes()
