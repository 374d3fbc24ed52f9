"""Domain rules as plain functions over plain data: no database, no network.

Views, tasks and the peer client call into these and act on what they return.
"""
