"""Static files that phones cache for good and download compressed."""

from __future__ import annotations

import os
import re
from mimetypes import guess_type
from typing import Any

from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

IMMUTABLE = "public, max-age=31536000, immutable"


# ES modules import each other by relative URL (./format.js), where a query string would
# be lost: their URLs carry the version of the whole folder in their path instead,
# /static/js/v-<hash>/play.js, and every module of a page comes from the same version.
VERSIONED_MODULE = re.compile(r"^js[/\\]v-[0-9a-f]{12}[/\\]")


class StaticAssets(StaticFiles):
    """Serves ``name.gz`` beside ``name`` to clients that accept gzip; every URL is versioned
    (a content hash in the query, a folder version in the path of a module, or a version in
    the file name), so every response may be cached forever."""

    def get_path(self, scope: Scope) -> str:
        """The file's path under the static folder, a module's folder version dropped."""
        return VERSIONED_MODULE.sub("js/", super().get_path(scope))

    def file_response(
        self, full_path: Any, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        headers = dict(scope.get("headers") or [])
        accepts_gzip = b"gzip" in headers.get(b"accept-encoding", b"")
        gzipped = f"{full_path}.gz"
        if accepts_gzip and os.path.isfile(gzipped):
            response: Response = FileResponse(
                gzipped,
                stat_result=os.stat(gzipped),
                status_code=status_code,
                media_type=self._media_type(str(full_path)),
            )
            response.headers["content-encoding"] = "gzip"
        else:
            response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["cache-control"] = IMMUTABLE
        response.headers["vary"] = "Accept-Encoding"
        return response

    @staticmethod
    def _media_type(path: str) -> str:
        return guess_type(path)[0] or "application/octet-stream"
