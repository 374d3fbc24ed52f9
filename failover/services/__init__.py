"""Operations with side effects (peer calls, role changes, syncs), shared by
the pages, the command line, the JSON API and the Celery tasks.

Each takes the peer it talks to as an argument (``peer=``, or ``connect=``
for a peer at an address of its own), defaulting to the real PeerClient, so
tests can stand a fake peer in for it."""
