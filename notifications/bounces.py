"""SES's bounces and complaints, received from SNS: verified, then the address is suppressed.

SES publishes them to an SNS topic (a configuration set's event destination, or the identity's
notifications); the topic POSTs each to /notifications/ses/ (notifications/views.py). Nothing in
a message is trusted before its signature is checked as SNS documents it ("Verifying the
signatures of Amazon SNS messages"): the signing certificate comes only from an https URL on an
SNS host of amazonaws.com, is fetched once per process, and signs the message's canonical
string with SHA1 (SignatureVersion 1) or SHA256 (2). Only SES_NOTIFICATIONS_TOPIC_ARN is listened
to; a subscription to it is confirmed, anything else refused.
"""

import base64
import binascii
import json
import logging
import re
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from config import metrics
from notifications.models import SuppressedAddress, SuppressionReason

log = logging.getLogger("shop.bounces")

# SNS's hosts: sns.<region>.amazonaws.com (and .com.cn in China's regions).
SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
# The fields each type signs, in this order ("Verifying the signatures of Amazon SNS messages").
SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}
OPTIONAL_FIELDS = frozenset({"Subject"})
CERTIFICATE_TIMEOUT_SECONDS = 3
MAX_CERTIFICATE_BYTES = 16 * 1024

_certificates: dict[str, object] = {}
_certificates_lock = threading.Lock()


class UnverifiedMessage(Exception):
    """Not a message SNS signed for our topic: refused, and nothing in it is acted on."""


def receive(body: bytes) -> str:
    """Handles one POST from SNS; returns what was done. Raises UnverifiedMessage."""
    try:
        message = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise UnverifiedMessage("not JSON") from error
    if not isinstance(message, dict):
        raise UnverifiedMessage("not a JSON object")
    verify(message)
    kind = message["Type"]
    if kind == "SubscriptionConfirmation":
        _confirm_subscription(message)
        return "subscription confirmed"
    if kind == "Notification":
        return apply_ses_event(_json_object(message["Message"]))
    return "ignored"


def verify(message: dict) -> None:
    """Raises UnverifiedMessage unless SNS signed `message` for SES_NOTIFICATIONS_TOPIC_ARN."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    expected_topic = settings.SES_NOTIFICATIONS_TOPIC_ARN
    if not expected_topic or message.get("TopicArn") != expected_topic:
        raise UnverifiedMessage("not for our topic")
    fields = SIGNED_FIELDS.get(str(message.get("Type")))
    if fields is None:
        raise UnverifiedMessage("unknown message type")
    algorithm = {"1": hashes.SHA1, "2": hashes.SHA256}.get(str(message.get("SignatureVersion")))
    if algorithm is None:
        raise UnverifiedMessage("unknown signature version")
    try:
        signature = base64.b64decode(message.get("Signature") or "", validate=True)
    except (binascii.Error, ValueError) as error:
        raise UnverifiedMessage("signature not base64") from error
    canonical = signed_string(message, fields)
    public_key = certificate(message.get("SigningCertURL")).public_key()
    try:
        public_key.verify(signature, canonical, padding.PKCS1v15(), algorithm())
    except (InvalidSignature, TypeError, ValueError) as error:
        raise UnverifiedMessage("signature does not match") from error


def signed_string(message: dict, fields: Iterable[str]) -> bytes:
    parts = []
    for name in fields:
        value = message.get(name)
        if value is None and name in OPTIONAL_FIELDS:
            continue
        if not isinstance(value, str):
            raise UnverifiedMessage(f"{name} missing")
        parts.append(f"{name}\n{value}\n")
    return "".join(parts).encode()


def is_sns_url(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme == "https" and bool(SNS_HOST.match(parts.hostname or "")) and parts.port in (None, 443)


def certificate(url):
    """The X.509 certificate at `url`, an SNS host's https URL, fetched once per process."""
    from cryptography import x509

    if not is_sns_url(url) or not urlsplit(url).path.endswith(".pem"):
        raise UnverifiedMessage("certificate not on an SNS host")
    with _certificates_lock:
        known = _certificates.get(url)
    if known is not None:
        return known
    try:
        loaded = x509.load_pem_x509_certificate(download(url))
    except (OSError, ValueError) as error:
        raise UnverifiedMessage("certificate not usable") from error
    with _certificates_lock:
        _certificates[url] = loaded
    return loaded


def download(url: str) -> bytes:
    """An https GET of a small file from SNS (the certificate, the subscription's confirmation)."""
    import requests

    try:
        response = requests.get(url, timeout=CERTIFICATE_TIMEOUT_SECONDS, allow_redirects=False)
    except requests.RequestException as error:
        raise OSError(f"{url}: {type(error).__name__}") from error
    if response.status_code != 200 or len(response.content) > MAX_CERTIFICATE_BYTES:
        raise OSError(f"{url}: HTTP {response.status_code}")
    return response.content


def _confirm_subscription(message):
    # Signed by SNS for our topic; the URL must still be SNS's own, never one a message chose.
    url = message.get("SubscribeURL")
    if not is_sns_url(url):
        raise UnverifiedMessage("SubscribeURL not on an SNS host")
    try:
        download(url)
    except OSError as error:
        # SNS sends the confirmation again (and it can be confirmed in the SNS console).
        log.warning("subscription not confirmed", extra={"error": str(error)})
        raise
    log.info("subscription confirmed", extra={"topic_arn": message["TopicArn"]})


def _json_object(text):
    try:
        event = json.loads(text)
    except (TypeError, ValueError) as error:
        raise UnverifiedMessage("Message is not JSON") from error
    if not isinstance(event, dict):
        raise UnverifiedMessage("Message is not a JSON object")
    return event


def apply_ses_event(event: dict, *, now: datetime | None = None) -> str:
    """Suppresses the addresses of a permanent bounce or a complaint. An SES event comes from a
    configuration set (`eventType`) or an identity's notifications (`notificationType`)."""
    kind = event.get("eventType") or event.get("notificationType")
    ses_message_id = str((event.get("mail") or {}).get("messageId") or "")
    now = now or datetime.now(UTC)
    if kind == "Bounce":
        bounce = event.get("bounce") or {}
        addresses = _addresses(bounce.get("bouncedRecipients"))
        metrics.count(metrics.Metric.MAILS_BOUNCED, len(addresses))
        permanent = bounce.get("bounceType") == "Permanent"
        log.info("bounce", extra={"bounce_type": bounce.get("bounceType"), "ses_message_id": ses_message_id})
        if not permanent:
            return "transient bounce"  # the mailbox was full or the server busy: SES retried
        detail = str(bounce.get("bounceSubType") or "")
        return _suppress(addresses, SuppressionReason.BOUNCE, detail, ses_message_id, now)
    if kind == "Complaint":
        complaint = event.get("complaint") or {}
        addresses = _addresses(complaint.get("complainedRecipients"))
        metrics.count(metrics.Metric.MAILS_COMPLAINED, len(addresses))
        log.info("complaint", extra={"ses_message_id": ses_message_id})
        detail = str(complaint.get("complaintFeedbackType") or "")
        return _suppress(addresses, SuppressionReason.COMPLAINT, detail, ses_message_id, now)
    return "ignored"


def _addresses(recipients):
    found = []
    for recipient in recipients or []:
        address = (recipient or {}).get("emailAddress") if isinstance(recipient, dict) else None
        if isinstance(address, str) and "@" in address:
            found.append(normal_address(address))
    return found


def normal_address(address):
    """What the suppression is keyed on: the bare address, lowercased (as checkout stores it)."""
    bare = address.strip()
    if "<" in bare and bare.endswith(">"):
        bare = bare.rsplit("<", 1)[1][:-1]
    return bare.strip().lower()


def _suppress(addresses, reason, detail, ses_message_id, now):
    for address in addresses:
        SuppressedAddress(
            address, reason=reason.value, detail=detail[:200], ses_message_id=ses_message_id, reported_at=now
        ).save()
    return f"{reason.value}: {len(addresses)} address(es) suppressed"


def suppression_of(address: str) -> SuppressedAddress | None:
    """Why mail to `address` is not sent, or None."""
    if not address:
        return None
    try:
        return SuppressedAddress.get(normal_address(address), consistent_read=True)
    except SuppressedAddress.DoesNotExist:
        return None


def suppressed_among(addresses: Iterable[Any]) -> dict[str, SuppressedAddress]:
    """The suppressed ones among `addresses` (one mail's few recipients: one read each)."""
    found = {}
    for address in addresses:
        suppression = suppression_of(address)
        if suppression is not None:
            found[address] = suppression
    return found
