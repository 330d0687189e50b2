"""Benchmark-only settings (bench/under_load.py): the portal's own settings plus the two floor endpoints of
`floor_urls`. Only gunicorn started by the benchmark, with `bench/` on its path, ever loads this module; no
deployment names it, so the floor view is never reachable in production."""

from gdportal.settings import *  # noqa: F403

ROOT_URLCONF = "floor_urls"

# The same {% static %} lookups through a manifest as in production, without compressing every file at
# collectstatic (gzip and brotli of the whole static tree took most of a smoke run's minute): the pages
# measured here never serve a static file.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
