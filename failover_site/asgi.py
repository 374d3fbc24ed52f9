"""The ASGI application uvicorn serves (see failover_site/web.py)."""

import os

from django.core.asgi import get_asgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "failover_site.settings")
# Read by the settings: no persistent database connections under ASGI.
os.environ["FAILOVER_ASGI"] = "1"

application = get_asgi_application()

# Import every view now, not in a worker's first request: that one may be a
# health check with a fraction of a second to answer.
get_resolver().url_patterns  # noqa: B018
