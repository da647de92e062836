"""Notifications tests send through the local stack's SES (moto) and read its mailbox."""

import pytest

from devstack.mailbox import sent_mails


@pytest.fixture
def local_ses(local_aws, settings):
    """The shop's SES path pointed at the session's moto server; `.mails()` reads its mailbox,
    `.new_mails()` only what was sent since the test started."""
    settings.SES_ENDPOINT_URL = local_aws.endpoint_url
    settings.EMAIL_BACKEND = "anymail.backends.amazon_ses.EmailBackend"
    return LocalSES(local_aws.endpoint_url)


class LocalSES:
    def __init__(self, endpoint_url):
        self.endpoint_url = endpoint_url
        self._before = {mail.message_id for mail in sent_mails(endpoint_url)}

    def mails(self, subject_contains=""):
        return sent_mails(self.endpoint_url, subject_contains=subject_contains)

    def new_mails(self, subject_contains=""):
        return [mail for mail in self.mails(subject_contains) if mail.message_id not in self._before]
