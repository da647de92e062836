"""The process's one botocore session, shared by the AWS clients of a request path (Secrets
Manager at start-up, DynamoDB). Clients are still made lazily, on first use.

Each botocore session loads botocore's endpoint and service descriptions for itself; a second
session (PynamoDB makes its own, boto3 another) cost about 45 ms of every Lambda cold start. The
session's data loader (ServiceLoader) does botocore's work with less CPU (docs/benchmarks.md,
"Package and cold start").
"""

import gzip
import json
import os
import threading
from collections.abc import Sequence
from functools import cache, cached_property

import botocore.loaders
import botocore.session

# botocore's sessions are not thread-safe while they create clients (PynamoDB's Connection.session).
lock = threading.RLock()
_session = None
_boto3_session = None


def botocore_session():
    global _session
    with lock:
        if _session is None:
            _session = botocore.session.get_session()
            # botocore's loader with its search paths (AWS_DATA_PATH honoured), checking services cheaply.
            paths = list(_session.get_component("data_loader").search_paths)
            _session.register_component("data_loader", ServiceLoader(extra_search_paths=paths))
        return _session


def boto3_session():
    """The one boto3 Session over the shared botocore session. Only one: each boto3 Session
    registers boto3's handlers on its botocore session again, and a second set makes the next S3
    client fail ("Cannot inject class attribute upload_file")."""
    global _boto3_session
    with lock:
        if _boto3_session is None:
            import boto3.session

            _boto3_session = boto3.session.Session(botocore_session=botocore_session())
        return _boto3_session


@cache
def boto3_client(service_name, endpoint_url=None, region=None, *, connect_timeout=None, read_timeout=None, tries=None):
    """One boto3 client per service, endpoint, region and timeouts for the process (creating one
    costs milliseconds of CPU; they are thread-safe). A local endpoint (moto) gets dummy keys.
    `tries`: botocore's attempts in all, retries included."""
    from botocore.config import Config

    options: dict = {"region_name": region}
    timeouts = {"connect_timeout": connect_timeout, "read_timeout": read_timeout}
    config = {name: value for name, value in timeouts.items() if value is not None}
    if tries is not None:
        config["retries"] = {"mode": "standard", "total_max_attempts": tries}
    if config:
        options["config"] = Config(**config)
    if endpoint_url:
        # A local endpoint (moto) accepts any credentials; don't go looking for real ones.
        options.update(endpoint_url=endpoint_url, aws_access_key_id="local", aws_secret_access_key="local")  # noqa: S106
    with lock:
        return boto3_session().client(service_name, **options)


def client(service_name, *args, **options):
    """A botocore client on the shared session, one creation at a time."""
    with lock:
        return botocore_session().create_client(service_name, *args, **options)


class SharedSession:
    """What PynamoDB's Connection asks of its session (`create_client`), served by the shared one.
    `credentials` go to each client made, not to the session: a local endpoint's dummy keys must
    not leak into the clients of other services."""

    def __init__(self, **credentials):
        self._credentials = {name: value for name, value in credentials.items() if value}

    def create_client(self, service_name, *args, **options):
        return client(service_name, *args, **self._credentials, **options)


class ServiceLoader(botocore.loaders.Loader):
    """botocore's data loader, with the same answers for less of a cold start's CPU time.

    Before it loads a service's model, botocore checks the name against the list of every service
    with that kind of file, and builds the list by listing the API versions of all ~450 services:
    twice per process (service model, endpoint rules), ~15 ms. Here `name in` looks at that one
    service (ServiceNames), and the files are parsed into plain dicts (JSONFiles).
    """

    def __init__(self, *, extra_search_paths):
        super().__init__(
            extra_search_paths=extra_search_paths, file_loader=JSONFiles(), include_default_search_paths=False
        )

    def list_available_services(self, type_name):
        return ServiceNames(self, type_name)


class JSONFiles(botocore.loaders.JSONFileLoader):
    """botocore's data files parsed into plain dicts (ordered, as every dict) where botocore asks
    for OrderedDicts: half the time for its 1.25 MB endpoints.json, ~10 ms of a cold start."""

    def load_file(self, file_path):
        for extension, open_file in ((".json", open), (".json.gz", gzip.open)):
            if os.path.isfile(file_path + extension):
                with open_file(file_path + extension, "rb") as file:
                    return json.loads(file.read().decode("utf-8"))
        return None


class ServiceNames(Sequence):
    """The sorted names of the services that have a `type_name` file, as botocore lists them;
    `name in` looks only in that service's own directory."""

    def __init__(self, loader, type_name):
        self._loader = loader
        self._type_name = type_name

    def __contains__(self, service_name):
        if not isinstance(service_name, str) or service_name in ("", ".", "..") or os.sep in service_name:
            return False
        for search_path in self._loader.search_paths:
            service_dir = os.path.join(search_path, service_name)
            if os.path.isdir(service_dir) and any(
                self._loader.file_loader.exists(os.path.join(service_dir, api_version, self._type_name))
                for api_version in os.listdir(service_dir)
            ):
                return True
        return False

    @cached_property
    def _names(self):
        return botocore.loaders.Loader.list_available_services(self._loader, self._type_name)

    def __getitem__(self, index):
        return self._names[index]

    def __len__(self):
        return len(self._names)
