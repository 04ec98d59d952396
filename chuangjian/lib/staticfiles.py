"""Static files in production: hashed names and pre-compressed copies (WhiteNoise).

Django's manifest storage rewrites every ``sourceMappingURL`` comment to the hashed
name of the map and stops collectstatic when the map is absent. We leave the large
``*.map`` files of the vendor packages out (``collectstatic -i '*.map'``: nobody
debugs minified Bootstrap on the intranet), so those comments are left as they are;
a browser only asks for a map when its developer tools are open.
"""

from __future__ import annotations

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns: tuple) -> tuple:
    return tuple(
        (ext, tuple(p for p in rules if "sourceMappingURL" not in str(p)))
        for ext, rules in patterns
    )


class ProductionStaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(ManifestStaticFilesStorage.patterns)
