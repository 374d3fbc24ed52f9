"""The peer protocol (v2): how the two sites of a pair talk to each other.

Endpoints live under ``/api/peer/v1/`` on each site's own web server and are
used only by the other site (``endpoints.py``):

- ``GET  status``: host name, site id, role, epoch, relationship id, product
  version and server time.
- ``POST pair``: the future primary asks this site to become its backup. The
  backup first proves it can reach the primary back (a signed ``status`` call to
  the reverse address) and only then accepts.
- ``POST unpair``: the peer broke the relationship; leave it too.
- ``POST sync/request``: the primary's Sync now (or a swap's sync-first
  step): the backup starts a sync.
- ``GET sync/manifest``, ``GET sync/file`` (HTTP Range), ``POST sync/files``
  (several small files in one stream), ``GET sync/chunks`` (a file's chunk
  list), ``POST sync/ranges`` (byte ranges of one file), ``GET
  sync/database``: what the backup pulls from the primary
  (``failover/sync/serving.py``); file bytes come plain or, with
  ``encoding=zstd`` in the query, in zstd frames (``failover/sync/wire.py``).
- ``POST role/lock``, ``role/unlock``: the swap lock, taken on both sites for
  a planned swap or a conflict fix; while held, other operations are refused.
- ``POST role/change``: under that lock, take a role at a new epoch.
- ``POST witness/configure``: the primary added (``{"host", "port"}``) or
  removed (``{"host": null}``) the witness; the backup does the same.

On a witness (a site in no relationship; any site holding the key may call):

- ``POST witness/heartbeat``: a pair's site is alive (relationship id, its
  peer's site id, host name, role, epoch, primary timeout); the answer is the
  highest epoch the witness granted for that pair.
- ``POST witness/grant``: the backup asks for ``requested_epoch``; granted
  once, and only when the witness has not heard from the other site for the
  primary timeout (``{"granted", "reason", "retry_in", "granted_epoch"}``).


Every request carries five headers, all required:

- ``X-Failover-Site``: the sender's site id (a UUID),
- ``X-Failover-To``: the receiver's site id, or ``-`` when the sender does
  not know it yet (accepted by ``status`` only: pairing's first call), so a
  captured request cannot be replayed to another site holding the key,
- ``X-Failover-Timestamp``: Unix time in seconds (digits, finite),
- ``X-Failover-Nonce``: 32 random hex digits, never reused,
- ``X-Failover-Signature``: hex HMAC-SHA256, keyed with the inter-site key,
  over the protocol version, method, path, sorted query, timestamp, nonce,
  both site ids and the SHA-256 of the body (``signing.py``).

A request is refused with 403 and a JSON ``{"error", "code"}`` (and nothing
changes) when a header is missing or malformed, the signature is wrong, the
timestamp is more than 60 s off, the nonce was seen before, the sender is not
this site's peer (while in a relationship), or it came over plain HTTP without
``FAILOVER_ALLOW_INSECURE_PEER``. Refusals are recorded in the status history,
at most one event per cause per minute.

Responses are signed too, over the request's nonce, the status code, the
responder's site id, a timestamp and the body's SHA-256; the client refuses an
answer that does not verify. Business refusals (already paired, version
mismatch...) are 409 with a JSON ``{"error", "code"}``.
"""
