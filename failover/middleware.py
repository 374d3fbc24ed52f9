from django.utils.cache import patch_vary_headers


class VaryOnHtmxMiddleware:
    """Pages serve a fragment to htmx and a full page otherwise from one URL;
    caches must keep the two apart."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response
