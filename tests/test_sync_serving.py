"""The primary's delta-transfer endpoints: chunk lists, byte ranges (plain or
in zstd frames), and hostile range requests refused before a byte is sent."""

import io
import json
import os
from urllib.parse import urlencode

import pytest

from failover.models import InterSiteKey, SiteState
from failover.sync import chunking, wire
from tests.fixtures.peer import signed_headers

pytestmark = pytest.mark.django_db
KEY = "k" * 40
PEER = "6f1c1d1e-0000-4000-8000-0000000000ee"
MB = 1024 * 1024


@pytest.fixture
def primary(settings, tmp_path):
    settings.FAILOVER_ALLOW_INSECURE_PEER = True
    settings.FAILOVER_DATA_DIR = tmp_path / "data"
    settings.FAILOVER_DATA_DIR.mkdir()
    InterSiteKey.objects.create(pk=1, key=KEY)
    SiteState.objects.filter(pk=SiteState.load().pk).update(
        role="primary",
        epoch=1,
        relationship_id="6f1c1d1e-0000-4000-8000-0000000000ff",
        peer_site_id=PEER,
        peer_host="127.0.0.1",
        peer_port=1,
    )
    return settings.FAILOVER_DATA_DIR


def _identity(path, name):
    info = path.stat()
    return {"path": name, "size": info.st_size, "mtime_ns": info.st_mtime_ns}


def _get(client, endpoint, params):
    path, query = f"/api/peer/v1/{endpoint}", urlencode(params)
    headers = signed_headers(KEY, "GET", path, query=query, site_id=PEER)
    return client.get(f"{path}?{query}", headers=headers)


def _post(client, endpoint, payload, params=None):
    path, query = f"/api/peer/v1/{endpoint}", urlencode(params or {})
    body = json.dumps(payload).encode()
    headers = signed_headers(KEY, "POST", path, body, query=query, site_id=PEER)
    url = f"{path}?{query}" if query else path
    return client.post(url, body, content_type="application/json", headers=headers)


def test_a_chunk_list_matches_the_file(client, primary):
    content = os.urandom(MB + 5)
    (primary / "f.bin").write_bytes(content)
    response = _get(client, "sync/chunks", _identity(primary / "f.bin", "f.bin"))
    assert response.status_code == 200
    average, chunks = chunking.decode(response.json(), len(content))
    assert average == chunking.average_for(len(content))
    assert all(
        chunking.chunk_digest(content[c.offset : c.offset + c.length]) == c.digest for c in chunks
    )


def test_a_chunk_list_of_a_changed_file_is_refused(client, primary):
    (primary / "f.bin").write_bytes(b"x" * 100)
    asked = {**_identity(primary / "f.bin", "f.bin"), "size": 99}
    assert _get(client, "sync/chunks", asked).status_code == 409


def test_ranges_stream_plain_or_in_frames(client, primary):
    text = b"a line of a log file that compresses well\n" * 50_000
    (primary / "app.log").write_bytes(text)
    spans = [[10, 1000], [5000, 1_500_000]]
    payload = {**_identity(primary / "app.log", "app.log"), "ranges": spans}
    expected = text[10:1010] + text[5000:1_505_000]

    plain = _post(client, "sync/ranges", payload)
    assert plain.status_code == 200
    assert b"".join(plain.streaming_content) == expected

    framed = _post(client, "sync/ranges", payload, {"encoding": "zstd"})
    assert framed[wire.ENCODING_HEADER] == "zstd"
    encoded = b"".join(framed.streaming_content)
    assert len(encoded) < len(expected) / 20
    decoded = list(wire.unframe(io.BytesIO(encoded).read))
    assert b"".join(data for data, _ in decoded) == expected


@pytest.mark.parametrize(
    "spans",
    [
        [],
        [[100, 10], [0, 10]],  # not sorted
        [[0, 10], [5, 10]],  # overlapping
        [[90, 20]],  # past the end
        [[0, 0]],  # empty
        [[-1, 5]],
        [[0, "5"]],
        [[0, 1, 2]],
        "0-10",
        [[i * 2, 1] for i in range(10_001)],
    ],
)
def test_hostile_ranges_are_refused_before_anything_is_sent(client, primary, spans):
    (primary / "f.bin").write_bytes(b"x" * 100)
    payload = {**_identity(primary / "f.bin", "f.bin"), "ranges": spans}
    response = _post(client, "sync/ranges", payload)
    assert response.status_code == 400
    assert "range" in response.json()["error"].lower()
