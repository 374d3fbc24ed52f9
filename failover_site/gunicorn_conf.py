"""gunicorn settings from the environment (``gunicorn -c python:failover_site.gunicorn_conf``).

TLS: when the files named by FAILOVER_TLS_CERT_FILE and FAILOVER_TLS_KEY_FILE
exist (mounted into a container, say), gunicorn serves HTTPS with them;
otherwise plain HTTP. One without the other is an error.
"""

import os
import sys

_cert = os.environ.get("FAILOVER_TLS_CERT_FILE", "")
_key = os.environ.get("FAILOVER_TLS_KEY_FILE", "")
_present = [path for path in (_cert, _key) if path and os.path.isfile(path)]

if len(_present) == 2:
    certfile, keyfile = _cert, _key
elif _present:
    sys.exit(
        f"gunicorn: only {_present[0]} exists; TLS needs both FAILOVER_TLS_CERT_FILE "
        "and FAILOVER_TLS_KEY_FILE"
    )
