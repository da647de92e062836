import pytest

from devstack import dynamodb_faults


@pytest.fixture
def injector():
    """Installs DynamoDB throttling for one test; disarmed afterwards (handlers stay on clients)."""
    made = []

    def install(**options):
        made.append(dynamodb_faults.install(**options))
        return made[-1]

    yield install
    for each in made:
        each.armed = False


@pytest.fixture
def no_backoff(monkeypatch):
    """botocore still retries throttled calls, but without sleeping between tries."""
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
