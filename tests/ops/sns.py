"""A stand-in for SNS in tests: a locally generated signing certificate and messages signed the
way SNS signs them ("Verifying the signatures of Amazon SNS messages", SNS developer guide)."""

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from notifications.bounces import SIGNED_FIELDS, signed_string

TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:shop-dev-ses-events"
CERT_URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem"


class Signer:
    """An RSA key and its self-signed certificate, as SNS's SigningCertURL would serve it."""

    def __init__(self, common_name="sns.amazonaws.com"):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = datetime.now(UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .sign(self.key, hashes.SHA256())
        )
        self.pem = self.certificate.public_bytes(serialization.Encoding.PEM)

    def sign(self, message, version="2"):
        message = {**message, "SignatureVersion": version, "SigningCertURL": message.get("SigningCertURL", CERT_URL)}
        # SNS signs with SHA1 for SignatureVersion 1, as the real service does.
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()  # noqa: S303
        signature = self.key.sign(signed_string(message, SIGNED_FIELDS[message["Type"]]), padding.PKCS1v15(), algorithm)
        return {**message, "Signature": base64.b64encode(signature).decode()}


def notification(ses_event, *, topic_arn=TOPIC_ARN):
    return {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": topic_arn,
        "Message": json.dumps(ses_event),
        "Timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


def bounce_event(address, bounce_type="Permanent", *, message_id="0102019abc-ses-id"):
    """What a configuration set's SNS event destination publishes for a bounce (SES developer
    guide, "Examples of event data that Amazon SES publishes to Amazon SNS")."""
    return {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": address, "action": "failed", "status": "5.1.1"}],
            "timestamp": "2026-12-07T12:00:00.000Z",
            "feedbackId": "0102019abc-feedback",
        },
        "mail": {"messageId": message_id, "destination": [address]},
    }


def complaint_event(address):
    return {
        "notificationType": "Complaint",  # an identity's own notifications use this key
        "complaint": {"complainedRecipients": [{"emailAddress": address}], "complaintFeedbackType": "abuse"},
        "mail": {"messageId": "0102019def-ses-id"},
    }
