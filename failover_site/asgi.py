"""The ASGI application uvicorn serves (see failover_site/web.py)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "failover_site.settings")
# Read by the settings: no persistent database connections under ASGI.
os.environ["FAILOVER_ASGI"] = "1"

application = get_asgi_application()
