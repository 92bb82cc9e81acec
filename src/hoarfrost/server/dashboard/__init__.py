"""The dashboard: one static page (HTML, a script, a style sheet) shipped inside the package.

Why static files and no build step: the page is served by hoarfrost itself, installed from a
wheel, on machines with no node and often no network; everything it shows comes from the admin
API at run time (``GET /_hoarfrost/summary``, the ``/_hoarfrost/events`` stream, the state
endpoints for downloads and resets). The files are read once with ``importlib.resources`` and
answered with a Content-Security-Policy that allows this origin only, so the page can load
nothing from elsewhere (no CDN).
"""

from __future__ import annotations

from importlib import resources

from hoarfrost.core.http import HttpResponse

# Name under /_hoarfrost/dashboard/ -> content type; "" is the page itself.
FILES = {
    "index.html": "text/html; charset=utf-8",
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
}
INDEX = "index.html"
_POLICY = "default-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"


class DashboardFiles:
    """Answers the dashboard's files; each is read from the package on first use."""

    def __init__(self) -> None:
        self._cache: dict[str, bytes] = {}

    def read(self, name: str) -> bytes | None:
        """The file's bytes, None when the dashboard has no such file."""
        name = name or INDEX
        if name not in FILES:
            return None
        data = self._cache.get(name)
        if data is None:
            data = resources.files(__name__).joinpath(name).read_bytes()
            self._cache[name] = data
        return data

    def response(self, name: str) -> HttpResponse:
        data = self.read(name)
        if data is None:
            body = f"the dashboard has no file {name!r}; open /_hoarfrost/".encode()
            return HttpResponse(404, {"content-type": "text/plain; charset=utf-8"}, body)
        return HttpResponse(200, {"content-type": FILES[name or INDEX], "cache-control": "no-cache",
                                  "content-security-policy": _POLICY, "x-content-type-options": "nosniff"}, data)
