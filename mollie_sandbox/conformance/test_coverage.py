"""The coverage report: the sandbox's routes against the description's operations."""

from .coverage import coverage, report


def test_every_api_route_of_the_sandbox_is_an_operation_of_the_description():
    assert coverage().invented == ()


def test_the_report_lists_implemented_and_missing_operations():
    result = coverage()
    implemented = {operation.operation_id for operation in result.implemented}
    missing = {operation.operation_id for operation in result.missing}
    assert {"create-payment", "get-payment", "create-refund", "list-methods", "list-all-chargebacks"} <= implemented
    assert {"create-customer", "list-all-refunds", "create-capture", "list-all-methods"} <= missing
    text = report(result)
    assert f"{len(implemented)} of the description's {len(implemented) + len(missing)} operations" in text
    assert "create-customer (customers.create)" in text
