"""The failover console app."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("failover-console")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
