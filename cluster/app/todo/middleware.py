from django.conf import settings


class ServedByMiddleware:
    """Every response says which node answered: the harness records it for each operation."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["X-Served-By"] = settings.NODE_NAME
        return response
