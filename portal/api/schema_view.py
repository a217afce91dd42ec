"""`/api/schema/`, generated once per process (issue 12 item 13).

Kept apart from portal.api.schema: drf-spectacular's views module imports the schema class."""
from __future__ import annotations

import threading

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class CachedSpectacularAPIView(SpectacularAPIView):
    """`/api/schema/` generated once per process (a deploy restarts the processes), per language and
    version; before, each request ran the generator (0.65–1.3 s idle, 10 s under load)."""

    _cache: dict = {}
    _lock = threading.Lock()
    generated = 0  # how many times this process generated the schema (tests read it)

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (request.path, version, translation.get_language(), self.serve_public, self.urlconf)
        with self._lock:
            data = self._cache.get(key)
            if data is None:
                generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
                data = generator.get_schema(request=request, public=self.serve_public)
                type(self)._cache[key] = data
                CachedSpectacularAPIView.generated += 1
        return Response(
            data=data,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )
