"""Static files for production: hashed names (so the proxy may cache them for a year) and gzip copies.

`collectstatic` writes `site.3f9a1c0b2d4e.css` next to `site.css` and a `.gz` of every text file, which
nginx serves as is (`gzip_static on`, deploy/nginx.conf). Pages name the hashed files through `{% static %}`.
"""

import gzip
import logging

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.core.files.base import ContentFile

logger = logging.getLogger(__name__)

COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".txt", ".map", ".webmanifest", ".html", ".xml", ".ico")


class HashedCompressedStaticStorage(ManifestStaticFilesStorage):
    """Django's manifest storage, plus gzip copies; before the first `collectstatic` it serves plain names.

    Without the fallback, settings that use this storage could not render a page anywhere collectstatic has
    not run (a test of the production settings, a first `serve-prod`): every `{% static %}` would raise.
    Once a manifest exists, a file missing from it is an error as usual.
    """

    def stored_name(self, name: str) -> str:
        if not self.hashed_files:
            return name
        return super().stored_name(name)

    def post_process(self, paths, dry_run=False, **options):
        yield from super().post_process(paths, dry_run=dry_run, **options)
        if dry_run:
            return
        for name in list(self.hashed_files.values()) + list(paths):
            if name.endswith(COMPRESSIBLE) and self.exists(name):
                self._compress(name)

    def _compress(self, name: str) -> None:
        with self.open(name) as source:
            data = source.read()
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        if len(packed) >= len(data):
            return  # nothing gained: nginx sends the plain file
        target = f"{name}.gz"
        if self.exists(target):
            self.delete(target)
        self._save(target, ContentFile(packed))
