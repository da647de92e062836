"""Which storage errors get the "try again" page: faults that pass, never bugs or a broken setup.

The errors are built the way PynamoDB raises them: its own exception, with botocore's error
as `cause` (and as `__cause__` when it was raised while handling it).
"""

import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
from pynamodb.exceptions import (
    CancellationReason,
    DoesNotExist,
    GetError,
    QueryError,
    TableDoesNotExist,
    TransactWriteError,
    VerboseClientError,
)

from config.busy import is_transient_storage_fault
from config.dynamodb import ConcurrentUpdateConflict

pytestmark = pytest.mark.pure


def dynamodb_said(code, error_class=GetError):
    return error_class("Failed", VerboseClientError({"Error": {"Code": code, "Message": "from DynamoDB"}}, "GetItem"))


def canceled_transaction(*reasons):
    cause = VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"}},
        "TransactWriteItems",
        cancellation_reasons=[CancellationReason(code) if code else None for code in reasons],
    )
    return TransactWriteError("Failed to write transaction items", cause)


def raised_while_handling(cause, error):
    try:
        try:
            raise cause
        except type(cause) as caught:
            raise error from caught
    except type(error) as raised:
        return raised


@pytest.mark.parametrize(
    "error",
    [
        dynamodb_said("ProvisionedThroughputExceededException"),
        dynamodb_said("ThrottlingException", QueryError),
        dynamodb_said("RequestLimitExceeded"),
        dynamodb_said("InternalServerError"),
        dynamodb_said("ServiceUnavailable"),
        dynamodb_said("TransactionConflictException"),
        canceled_transaction(None, "ThrottlingError"),
        canceled_transaction("TransactionConflict", None),
        GetError("Failed", EndpointConnectionError(endpoint_url="http://127.0.0.1:9")),
        GetError("Failed", ConnectTimeoutError(endpoint_url="http://127.0.0.1:9")),
        raised_while_handling(ReadTimeoutError(endpoint_url="http://127.0.0.1:9"), GetError("Failed")),
        ClientError({"Error": {"Code": "ThrottlingException"}}, "Query"),
        ConcurrentUpdateConflict("order SO-1"),
    ],
    ids=repr,
)
def test_faults_that_pass_are_answered_try_again(error):
    assert is_transient_storage_fault(error)


@pytest.mark.parametrize(
    "error",
    [
        dynamodb_said("AccessDeniedException"),
        dynamodb_said("ResourceNotFoundException"),  # the table is missing: a broken deployment
        dynamodb_said("ValidationException"),  # a bug in our request
        dynamodb_said("ConditionalCheckFailedException"),
        canceled_transaction("ConditionalCheckFailed", None),
        canceled_transaction("ConditionalCheckFailed", "ThrottlingError"),  # the condition would fail again
        DoesNotExist(),
        TableDoesNotExist("t-orders"),
        ClientError({"Error": {"Code": "UnrecognizedClientException"}}, "GetItem"),
        ValueError("not storage at all"),
    ],
    ids=repr,
)
def test_bugs_and_a_broken_setup_are_not_hidden_behind_try_again(error):
    assert not is_transient_storage_fault(error)
