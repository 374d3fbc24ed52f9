"""This host's network addresses and the shared (floating) IP backends."""
