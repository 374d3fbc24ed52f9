"""Data sync: the backup pulls the primary's data directory and replicated
database rows, incrementally, verified, throttled and atomically.

Primary side: ``manifest.py`` lists the data directory (hashes cached by path,
size and mtime), ``serving.py`` answers the peer endpoints ``sync/manifest``,
``sync/file`` (HTTP Range, streamed), ``sync/files``, ``sync/chunks`` (a file's
content-defined chunks), ``sync/ranges`` and ``sync/database``; file bytes
travel in zstd frames where they compress (``wire.py``).

Backup side: ``engine.py`` plans and builds a new copy beside the current one
(unchanged files hard-linked, changed ones fetched, or built by ``delta.py``
from the chunks the current copy holds, and checked against their BLAKE3
digest, ``hashing.py``),
``store.py`` switches ``FAILOVER_DATA_DIR`` to it with one atomic rename,
``database.py`` applies the rows in one transaction, ``throttle.py`` holds the
bandwidth limit.
"""
