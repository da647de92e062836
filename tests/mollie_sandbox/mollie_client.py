"""A mollie-api-python client for a sandbox under test, with the tests' API key."""

from mollie.api.client import Client

API_KEY = "test_" + "x" * 30


def make_client(url: str, api_key: str = API_KEY) -> Client:
    client = Client(api_endpoint=url)
    client.set_api_key(api_key)
    return client
