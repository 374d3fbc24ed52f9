from django.utils.cache import patch_cache_control, patch_vary_headers


class VaryOnHtmxMiddleware:
    """Pages serve a fragment to htmx and a full page otherwise from one URL;
    caches must keep the two apart."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response


class NoStoreMiddleware:
    """Pages and API answers show live state and one-time secrets: no cache
    may keep them. Static files come with their own Cache-Control."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True)
        return response
