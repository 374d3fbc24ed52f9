"""Streamed responses under ASGI.

Django serves a StreamingHttpResponse (or FileResponse) whose iterator is
synchronous by first reading it whole into a list: a 2 GiB file in memory.
``AsyncStreamingMiddleware`` hands such an iterator to the server one chunk at
a time instead, each read in the request's own thread (``thread_sensitive``:
Django keeps the request's thread while the response is sent), so files are
read, and closed, where the view opened them.

Views therefore return an ordinary StreamingHttpResponse over a synchronous
iterator, with chunks large enough (say 1 MiB) that one hop to the thread
per chunk costs nothing; Django's test client (WSGI) reads it as it is.
"""

from collections.abc import Iterable

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest


class AsyncChunks:
    """An async iterator over a synchronous one, read in the request's thread."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._next = sync_to_async(next, thread_sensitive=True)

    def __aiter__(self):
        return self

    async def __anext__(self) -> bytes:
        chunk = await self._next(self._chunks, None)
        if chunk is None:
            raise StopAsyncIteration
        return chunk


class AsyncStreamingMiddleware:
    """Under ASGI, streams synchronous streaming responses chunk by chunk:
    the sync endpoints' files and whitenoise's static files alike. First in
    MIDDLEWARE, so it sees every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(request, ASGIRequest) and response.streaming and not response.is_async:
            # The response still closes the original iterator's resources.
            response.streaming_content = AsyncChunks(response.streaming_content)
        return response
