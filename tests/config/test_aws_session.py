"""One botocore session for the process (config/aws_session.py), and clients of any service on it."""

from config import dynamodb


def test_clients_of_several_services_can_be_made_on_the_shared_session():
    # Each boto3 Session registers boto3's handlers on its botocore session: a second Session on
    # the shared one made every later S3 client fail (the staff export's download link was a 500).
    dynamodb.boto3_client("dynamodb")
    dynamodb.boto3_client("secretsmanager")
    dynamodb._boto3_client.cache_clear()
    s3 = dynamodb.boto3_client("s3")

    assert callable(s3.upload_fileobj)  # boto3's transfer methods, injected once
    assert s3.meta.service_model.service_name == "s3"
