"""One botocore session for the process (config/aws_session.py), and clients of any service on it."""

import os

import botocore.exceptions
import botocore.loaders
import botocore.session
import pytest

from config import aws_session, dynamodb


def test_clients_of_several_services_can_be_made_on_the_shared_session():
    # Each boto3 Session registers boto3's handlers on its botocore session: a second Session on
    # the shared one made every later S3 client fail (the staff export's download link was a 500).
    dynamodb.boto3_client("dynamodb")
    dynamodb.boto3_client("secretsmanager")
    aws_session.boto3_client.cache_clear()
    s3 = dynamodb.boto3_client("s3")

    assert callable(s3.upload_fileobj)  # boto3's transfer methods, injected once
    assert s3.meta.service_model.service_name == "s3"


def test_the_shared_session_knows_the_same_services_as_botocore_without_listing_them_all():
    ours = aws_session.botocore_session().get_component("data_loader")
    defaults = botocore.session.get_session().get_component("data_loader").search_paths
    assert ours.search_paths[: len(defaults)] == defaults  # then boto3's own, once a boto3 client was made
    botocores = botocore.loaders.Loader(extra_search_paths=ours.search_paths, include_default_search_paths=False)
    for type_name in ("service-2", "endpoint-rule-set-1", "resources-1"):
        every = botocores.list_available_services(type_name)
        known = ours.list_available_services(type_name)
        assert list(known) == every and len(known) == len(every)
        assert all(name in known for name in every)
        for name in ("no-such-service", "", ".", "..", "dynamodb/2012-08-10", None):
            assert name not in known
    assert "dynamodb" in ours.list_available_services("service-2")
    assert "secretsmanager" not in ours.list_available_services("resources-1")  # boto3 has no resource for it
    with pytest.raises(botocore.exceptions.UnknownServiceError):
        aws_session.client("no-such-service", region_name="eu-west-1")


def test_checking_one_service_lists_only_its_own_directory(monkeypatch):
    paths = aws_session.botocore_session().get_component("data_loader").search_paths
    loader = aws_session.ServiceLoader(extra_search_paths=paths)
    listed = []
    real_listdir = os.listdir
    monkeypatch.setattr(os, "listdir", lambda path: listed.append(path) or real_listdir(path))

    assert "dynamodb" in loader.list_available_services("service-2")
    assert loader.load_service_model("dynamodb", "service-2")["metadata"]["serviceId"] == "DynamoDB"

    assert len(listed) <= 2 * len(paths)  # not the ~450 service directories


def test_botocores_data_reads_the_same_as_botocore_reads_it():
    ours = aws_session.JSONFiles()
    botocores = botocore.loaders.JSONFileLoader()
    data = os.path.join(os.path.dirname(botocore.loaders.__file__), "data")
    for path in ("endpoints", "partitions", "dynamodb/2012-08-10/service-2", "secretsmanager/2017-10-17/paginators-1"):
        assert ours.load_file(os.path.join(data, path)) == botocores.load_file(os.path.join(data, path))
    assert ours.load_file(os.path.join(data, "no-such-file")) is None
