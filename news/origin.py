"""The site's configured origin (``FINEWS_SITE_URL``): what absolute URLs in feeds, sitemaps and
API answers are built from, never the request's ``Host`` (which a client chooses, and which a
cached page would then show everyone)."""
from urllib.parse import urlsplit

from django.conf import settings


def absolute(path):
    return settings.FINEWS_SITE_URL.rstrip("/") + path


class CanonicalRequest:
    """A request as seen through the configured origin: its host and scheme are the site's,
    everything else is the request's (for Django's syndication and sitemap views, which build
    absolute URLs from ``get_host()`` and ``is_secure()``)."""

    def __init__(self, request):
        self._request = request
        origin = urlsplit(settings.FINEWS_SITE_URL)
        self.scheme, self._host = origin.scheme, origin.netloc

    def __getattr__(self, name):
        return getattr(self._request, name)

    def get_host(self):
        return self._host

    def is_secure(self):
        return self.scheme == "https"

    def build_absolute_uri(self, location=None):
        return absolute(location if location is not None else self._request.get_full_path())
