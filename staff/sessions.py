"""Staff sessions, kept in DynamoDB so that the server can end them.

A signed-cookie session cannot be revoked: a copied cookie would keep working after logout. Here
the cookie holds only a random key; logging out ends the session on the server, and staff.auth
ends every session of a member whose password changed or whose account was disabled.

Shoppers keep Django's signed-cookie session (their cart, nothing personal). The staff session
has a cookie of its own that the browser sends to /staff/ only, so shop pages never read it.
No maintained session backend for DynamoDB fits PynamoDB and this project's table setup, so this
is a small SessionStore on Django's SessionBase.
"""

import hashlib

from django.conf import settings
from django.contrib.sessions.backends.base import CreateError, SessionBase, UpdateError
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from pynamodb.exceptions import PutError
from pynamodb.exceptions import UpdateError as ItemUpdateError

from config.dynamodb import get_or_none, is_condition_failure
from staff.models import StaffSession

COOKIE_NAME = "staff_session"
MAX_KEY_COLLISIONS = 10


def _digest(session_key):
    return hashlib.sha256(session_key.encode()).hexdigest()


class SessionStore(SessionBase):
    def get_session_cookie_age(self):
        return settings.STAFF_SESSION_SECONDS

    def load(self):
        item = _live_item(self.session_key)
        if item is None:
            self._session_key = None
            return {}
        return self.decode(item.session_data)

    def exists(self, session_key):
        return _live_item(session_key) is not None

    def create(self):
        for _ in range(MAX_KEY_COLLISIONS):
            self._session_key = self._get_new_session_key()  # type: ignore[attr-defined]  # SessionBase's, not in django-stubs
            try:
                self.save(must_create=True)
            except CreateError:
                continue
            self.modified = True
            return
        raise RuntimeError("No unused staff session key found.")

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        # _get_session is SessionBase's, not in django-stubs.
        session = self._get_session(no_load=must_create)  # type: ignore[attr-defined]
        item = StaffSession(
            _digest(self.session_key), session_data=self.encode(session), expires_at=self.get_expiry_date()
        )
        # Never bring back a session that ended meanwhile (a logout in another tab).
        condition = StaffSession.key_digest.does_not_exist() if must_create else StaffSession.session_data.exists()
        try:
            item.save(condition=condition)
        except PutError as error:
            if not is_condition_failure(error):
                raise
            raise (CreateError if must_create else UpdateError) from error

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        if session_key is None:
            return
        # Ended, not deleted: the deployed stages' IAM policy grants no DeleteItem, and TTL
        # removes the item later. Without its data the session can never be loaded again.
        try:
            StaffSession(_digest(session_key)).update(
                actions=[StaffSession.session_data.remove(), StaffSession.expires_at.set(timezone.now())],
                condition=StaffSession.key_digest.exists(),
            )
        except ItemUpdateError as error:
            if not is_condition_failure(error):
                raise

    @classmethod
    def clear_expired(cls):
        """Nothing to do: DynamoDB's TTL removes expired sessions."""


def _live_item(session_key):
    if not session_key:
        return None
    item = get_or_none(StaffSession, _digest(session_key))
    if item is None:
        return None
    # DynamoDB's TTL deletes expired items up to about 48 hours late; until then they are read
    # like any other ("Working with time to live", DynamoDB developer guide).
    if not item.session_data or item.expires_at <= timezone.now():
        return None
    return item


class StaffSessionMiddleware:
    """`request.staff_session`, and its cookie: set when the session changed, removed when it ended."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.staff_session = SessionStore(request.COOKIES.get(COOKIE_NAME))
        response = self.get_response(request)
        if session.accessed:
            patch_vary_headers(response, ("Cookie",))
        path = reverse("staff:dashboard")  # with the stage's script prefix, if any
        if COOKIE_NAME in request.COOKIES and session.is_empty():
            response.delete_cookie(COOKIE_NAME, path=path, samesite="Lax")
        elif session.modified and not session.is_empty() and response.status_code < 500:
            try:
                session.save()
            except UpdateError:
                return response  # logged out in another tab meanwhile: stay logged out
            response.set_cookie(
                COOKIE_NAME,
                session.session_key,
                max_age=session.get_expiry_age(),
                path=path,
                secure=settings.SESSION_COOKIE_SECURE or None,
                httponly=True,
                samesite="Lax",
            )
        return response
