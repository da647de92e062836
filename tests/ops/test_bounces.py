"""SES's bounces and complaints through SNS: signed messages mark the address, and no more mail
goes to it; anything unsigned, forged or for another topic is refused."""

import json

import pytest

from notifications import bounces
from tests.ops import sns

ENDPOINT = "/notifications/ses/"


@pytest.fixture
def signer(settings, monkeypatch):
    """SNS as the shop sees it: our topic, and SigningCertURL served from here, not from AWS."""
    settings.SES_NOTIFICATIONS_TOPIC_ARN = sns.TOPIC_ARN
    signer = sns.Signer()
    fetched = []

    def download(url):
        fetched.append(url)
        return signer.pem if url == sns.CERT_URL else b""

    monkeypatch.setattr(bounces, "download", download)
    monkeypatch.setattr(bounces, "_certificates", {})
    signer.fetched = fetched
    return signer


def post(client, message):
    return client.post(ENDPOINT, json.dumps(message), content_type="text/plain; charset=UTF-8")


def suppressed(address):
    return bounces.suppression_of(address)


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_signed_bounce_marks_the_address(client, signer, version):
    response = post(client, signer.sign(sns.notification(sns.bounce_event("Ada@Example.com")), version=version))

    assert response.status_code == 200
    entry = suppressed("ada@example.com")
    assert entry.reason == "bounce" and entry.detail == "General"


def test_the_certificate_is_fetched_once(client, signer):
    post(client, signer.sign(sns.notification(sns.bounce_event("a@example.com"))))
    post(client, signer.sign(sns.notification(sns.bounce_event("b@example.com"))))

    assert signer.fetched == [sns.CERT_URL]


def test_a_complaint_marks_the_address(client, signer):
    assert post(client, signer.sign(sns.notification(sns.complaint_event("bo@example.com")))).status_code == 200

    assert suppressed("bo@example.com").reason == "complaint"


def test_a_transient_bounce_marks_nothing(client, signer):
    post(client, signer.sign(sns.notification(sns.bounce_event("full@example.com", "Transient"))))

    assert suppressed("full@example.com") is None


def forged_by_another_key(signer):
    return sns.Signer().sign(sns.notification(sns.bounce_event("victim@example.com")))


def altered_after_signing(signer):
    message = signer.sign(sns.notification(sns.bounce_event("someone@example.com")))
    return {**message, "Message": json.dumps(sns.bounce_event("victim@example.com"))}


def unsigned(signer):
    message = signer.sign(sns.notification(sns.bounce_event("victim@example.com")))
    return {key: value for key, value in message.items() if key != "Signature"}


def for_another_topic(signer):
    other = "arn:aws:sns:eu-west-1:210987654321:someone-elses-topic"
    return signer.sign(sns.notification(sns.bounce_event("victim@example.com"), topic_arn=other))


def certificate_elsewhere(signer):
    message = sns.notification(sns.bounce_event("victim@example.com"))
    return signer.sign({**message, "SigningCertURL": "https://attacker.example.com/sns.amazonaws.com.pem"})


def certificate_over_http(signer):
    message = sns.notification(sns.bounce_event("victim@example.com"))
    return signer.sign({**message, "SigningCertURL": sns.CERT_URL.replace("https:", "http:")})


def unknown_signature_version(signer):
    return {**signer.sign(sns.notification(sns.bounce_event("victim@example.com"))), "SignatureVersion": "3"}


@pytest.mark.parametrize(
    "forge",
    [
        forged_by_another_key,
        altered_after_signing,
        unsigned,
        for_another_topic,
        certificate_elsewhere,
        certificate_over_http,
        unknown_signature_version,
    ],
)
def test_a_forged_message_is_refused_and_marks_nothing(client, signer, forge):
    response = post(client, forge(signer))

    assert response.status_code == 403
    assert suppressed("victim@example.com") is None
    assert all(url == sns.CERT_URL for url in signer.fetched)  # nothing fetched from elsewhere


def test_not_json_is_refused(client, signer):
    assert client.post(ENDPOINT, "id=tr_123", content_type="application/x-www-form-urlencoded").status_code == 403


def test_without_a_topic_setting_everything_is_refused(client, signer, settings):
    settings.SES_NOTIFICATIONS_TOPIC_ARN = ""

    assert post(client, signer.sign(sns.notification(sns.bounce_event("a@example.com")))).status_code == 403


def test_a_subscription_confirmation_for_our_topic_is_confirmed_at_sns(client, signer):
    subscribe_url = "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=t"
    message = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "m1",
        "Token": "t",
        "TopicArn": sns.TOPIC_ARN,
        "Message": "You have chosen to subscribe to the topic.",
        "SubscribeURL": subscribe_url,
        "Timestamp": "2026-12-07T12:00:00.000Z",
    }

    assert post(client, signer.sign(message)).status_code == 200
    assert signer.fetched == [sns.CERT_URL, subscribe_url]


def test_a_subscription_confirmation_pointing_elsewhere_is_refused(client, signer):
    message = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "m1",
        "Token": "t",
        "TopicArn": sns.TOPIC_ARN,
        "Message": "You have chosen to subscribe to the topic.",
        "SubscribeURL": "https://127.0.0.1/confirm",
        "Timestamp": "2026-12-07T12:00:00.000Z",
    }

    assert post(client, signer.sign(message)).status_code == 403
    assert signer.fetched == [sns.CERT_URL]


def test_the_local_stack_simulates_a_bounce(capsys):
    from django.core.management import call_command

    call_command("simulate_bounce", "Local@Example.com")

    assert "1 address(es) suppressed" in capsys.readouterr().out
    assert suppressed("local@example.com").detail == "Simulated"


def test_simulating_a_bounce_is_refused_outside_the_local_stage(settings):
    from django.core.management import CommandError, call_command

    settings.IS_LOCAL = False

    with pytest.raises(CommandError, match="local stage only"):
        call_command("simulate_bounce", "someone@example.com")
