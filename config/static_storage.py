"""Static files of a deployed stage: in S3 under content-hashed names, fetched by browsers from a public URL."""

import logging
import time
from urllib.error import HTTPError
from urllib.request import urlopen

from storages.backends.s3 import S3ManifestStaticStorage, S3Storage

log = logging.getLogger(__name__)

# A miss re-reads the manifest at most this often per container, so a page naming a file that
# no release has does not fetch the manifest on every request.
MANIFEST_REREAD_SECONDS = 60


class PublicManifestStaticStorage(S3ManifestStaticStorage):
    """collectstatic writes through the S3 API; rendering a page reads the manifest from the public URL.

    Creating an S3 client costs about half a second of a cold start (botocore loads S3's API
    description), while URLs built on `custom_domain` and the small public manifest need none.
    """

    def __init__(self, *args, **kwargs):
        self._manifest_reread_at = None
        super().__init__(*args, **kwargs)

    def read_manifest(self):
        url = S3Storage.url(self, self.manifest_name)
        # urllib, not requests: importing requests cost ~20 ms of a cold start that needs it nowhere else.
        try:
            with urlopen(url, timeout=5) as response:  # noqa: S310 - our own bucket's https URL
                return response.read().decode()
        except HTTPError as error:
            # A public bucket answers 403, not 404, for a missing key: nobody ran collectstatic yet.
            if error.code in (403, 404):
                log.warning("no static files manifest at %s; run collectstatic for this stage", url)
                return None
            raise

    def stored_name(self, name):
        """The hashed name; on a miss, the manifest once more; failing that, the plain name.

        Django loads the manifest once per process, so a warm container would miss every file
        that a later collectstatic added. And a page must still render when a name is unknown
        (no collectstatic yet, or a mistyped picture path): the error pages, above all, link the
        stylesheet, and Zappa's post-deploy check fails the deployment on a 500.
        """
        try:
            return super().stored_name(name)
        except ValueError:
            pass
        now = time.monotonic()
        if self._manifest_reread_at is None or now - self._manifest_reread_at >= MANIFEST_REREAD_SECONDS:
            self._manifest_reread_at = now
            self.hashed_files, self.manifest_hash = self.load_manifest()
            try:
                return super().stored_name(name)
            except ValueError:
                pass
        log.warning("%r is not in the static files manifest; linking it unhashed", name)
        return name

    def get_object_parameters(self, name):
        parameters = super().get_object_parameters(name)
        if name == self._normalize_name(self.manifest_name):
            # The manifest keeps its name from release to release; a CDN or browser must ask
            # again (no-cache revalidates) instead of keeping last release's for a year.
            parameters["CacheControl"] = "no-cache"
        return parameters
