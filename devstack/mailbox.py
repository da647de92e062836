"""Dev-only: the local mailbox. Every mail the shop sent through the local SES (moto), newest
first, each one as HTML, text and headers, on the local stack's own port under /_mailbox/.

The mails are read from moto's SES backend, where moto keeps every accepted message
(`ses_backends[account][region].sent_messages`, moto's documented way to see sent mail; SES v2's
SendEmail lands there too). moto's server also lists them in `/moto-api/data.json`, but that
serializes every object of every service (each DynamoDB item ever written), so the mailbox reads
the backend in the process that serves it. Tests read the same list as JSON (`sent_mails`).
"""

import email
import email.policy
import html
import json
from dataclasses import asdict, dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs

import requests

MAILBOX_PATH = "/_mailbox/"


@dataclass(frozen=True)
class Mail:
    message_id: str  # SES's MessageId, as SendEmail returned it
    date: str
    from_address: str
    to: list
    subject: str
    text: str
    html: str
    headers: list  # [name, value] in the message's order


def mailbox_url(endpoint_url):
    return endpoint_url.rstrip("/") + MAILBOX_PATH


def sent_mails(endpoint_url, *, subject_contains="", timeout=5) -> list[Mail]:
    """The local stack's mails, newest first, read over HTTP as a test or a script would; only
    those whose subject contains `subject_contains` when given (a long test session sends
    thousands: the filter keeps each answer small)."""
    response = requests.get(
        mailbox_url(endpoint_url) + "mails.json", params={"subject_contains": subject_contains}, timeout=timeout
    )
    response.raise_for_status()
    return [Mail(**mail) for mail in response.json()["mails"]]


# Parsed once per message: moto never changes a sent message, and reparsing thousands of them
# on every read made each read slower than the one before (a test session's mailbox grows).
_parsed_by_id: dict[str, "Mail"] = {}


def _stored_mails():
    from moto.ses.models import ses_backends

    mails = []
    for regions in list(ses_backends.values()):
        for backend in list(regions.values()):
            for position, message in enumerate(list(backend.sent_messages)):
                raw = getattr(message, "raw_data", None)
                if raw is not None:  # SendRawEmail / SES v2 raw content: what Django's backends send
                    mails.append((position, _parsed_once(message.id, raw)))
    # Newest first: by the Date header Django sets, then by the order SES accepted them.
    mails.sort(key=lambda pair: (_sort_date(pair[1].date), pair[0]), reverse=True)
    return [mail for _, mail in mails]


def _parsed_once(message_id, raw):
    if message_id not in _parsed_by_id:
        _parsed_by_id[message_id] = _parsed(message_id, raw)
    return _parsed_by_id[message_id]


def _parsed(message_id, raw):
    message = email.message_from_string(raw, policy=email.policy.default)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    return Mail(
        message_id=message_id,
        date=str(message.get("Date", "")),
        from_address=str(message.get("From", "")),
        to=[str(address) for address in message.get_all("To", [])],
        subject=str(message.get("Subject", "")),
        text=text_part.get_content() if text_part else "",
        html=html_part.get_content() if html_part else "",
        headers=[[name, str(value)] for name, value in message.items()],
    )


def _sort_date(value):
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return 0.0


class MailboxApp:
    """WSGI middleware: /_mailbox/ is the mailbox, everything else goes to moto."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(MAILBOX_PATH):
            return self.app(environ, start_response)
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _answer(start_response, "405 Method Not Allowed", "text/plain", "GET only")
        rest = path[len(MAILBOX_PATH) :].strip("/")
        mails = _stored_mails()
        if rest == "":
            return _answer(start_response, "200 OK", "text/html", _list_page(mails))
        if rest == "mails.json":
            wanted = parse_qs(environ.get("QUERY_STRING", "")).get("subject_contains", [""])[0]
            found = [asdict(mail) for mail in mails if wanted in mail.subject]
            return _answer(start_response, "200 OK", "application/json", json.dumps({"mails": found}))
        message_id, _, part = rest.partition("/")
        mail = next((mail for mail in mails if mail.message_id == message_id), None)
        if mail is None or part not in ("", "html"):
            return _answer(start_response, "404 Not Found", "text/html", _page("Not found", "<p>No such mail.</p>"))
        if part == "html":
            # The mail's own HTML, in a sandbox: no scripts, no forms, no access to this origin.
            return _answer(
                start_response,
                "200 OK",
                "text/html",
                mail.html,
                extra=[
                    (
                        "Content-Security-Policy",
                        "sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline'",
                    )
                ],
            )
        return _answer(start_response, "200 OK", "text/html", _mail_page(mail))


def _answer(start_response, status, content_type, body, *, extra=()):
    data = body.encode("utf-8")
    start_response(
        status,
        [
            ("Content-Type", f"{content_type}; charset=utf-8"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
            *extra,
        ],
    )
    return [data]


def _page(title, content):
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} · '
        f'local mailbox</title><meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem;color:#1f1b18}"
        "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #e4ddd5;"
        "vertical-align:top}pre{white-space:pre-wrap;background:#f7f3ee;padding:1rem}"
        "iframe{width:100%;height:40rem;border:1px solid #e4ddd5}a{color:#0b5c43}</style></head>"
        f"<body><main>{content}</main></body></html>"
    )


def _list_page(mails):
    if not mails:
        rows = "<p>No mail yet. Mails the shop sends through the local SES appear here.</p>"
    else:
        body = "".join(
            f"<tr><td>{html.escape(mail.date)}</td><td>{html.escape(', '.join(mail.to))}</td>"
            f'<td><a href="{html.escape(mail.message_id)}/">{html.escape(mail.subject or "(no subject)")}</a></td></tr>'
            for mail in mails
        )
        rows = (
            '<table><caption>Newest first</caption><thead><tr><th scope="col">Date</th><th scope="col">To</th>'
            f'<th scope="col">Subject</th></tr></thead><tbody>{body}</tbody></table>'
        )
    return _page(
        "Mailbox",
        f"<h1>Local mailbox</h1><p>{len(mails)} mail{'' if len(mails) == 1 else 's'} sent through the local SES "
        f"(moto). Dev-only: never deployed.</p>{rows}",
    )


def _mail_page(mail):
    headers = "".join(
        f'<tr><th scope="row">{html.escape(name)}</th><td>{html.escape(value)}</td></tr>'
        for name, value in mail.headers
    )
    content = (
        f'<p><a href="{MAILBOX_PATH}">← All mails</a></p><h1>{html.escape(mail.subject)}</h1>'
        f'<h2 id="html">HTML</h2><iframe src="html" title="The mail as HTML" sandbox></iframe>'
        f'<h2 id="text">Text</h2><pre>{html.escape(mail.text)}</pre>'
        f'<h2 id="headers">Headers</h2><table><tbody>{headers}</tbody></table>'
    )
    return _page(mail.subject, content)
