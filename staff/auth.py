"""Who is logged in to /staff/, kept in the staff session (server-side, see staff/sessions.py).

The session holds the staff member's username and an HMAC of their password hash (like
django.contrib.auth's session auth hash): changing the password changes the HMAC, which ends
every other session of that staff member on its next request; so does disabling the account.
Logging out ends the session on the server, so a copy of its cookie is worthless afterwards.
"""

from functools import wraps
from urllib.parse import urlencode

from django.middleware.csrf import rotate_token
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from staff import selectors

SESSION_USERNAME = "staff_username"
SESSION_AUTH_HASH = "staff_auth_hash"


def session_auth_hash(member) -> str:
    return salted_hmac("staff.auth.session", member.password, algorithm="sha256").hexdigest()


def log_in(request, member):
    # A new session key and CSRF token: whatever an attacker planted before login is useless after.
    request.staff_session.cycle_key()
    rotate_token(request)
    request.staff_session[SESSION_USERNAME] = member.username
    request.staff_session[SESSION_AUTH_HASH] = session_auth_hash(member)


def stay_logged_in_after_password_change(request, member):
    """The session that changed the password stays valid; all others end."""
    request.staff_session.cycle_key()
    request.staff_session[SESSION_AUTH_HASH] = session_auth_hash(member)


def log_out(request):
    request.staff_session.flush()


def logged_in_member(request):
    """The staff member of this session, or None (and the session is emptied) when it no longer
    holds: the account is gone or disabled, or the password changed since this login."""
    username = request.staff_session.get(SESSION_USERNAME)
    if not username:
        return None
    member = selectors.staff_member(username)
    session_hash = request.staff_session.get(SESSION_AUTH_HASH, "")
    if member is None or not member.active or not constant_time_compare(session_hash, session_auth_hash(member)):
        request.staff_session.flush()
        return None
    return member


def staff_required(view):
    """Every /staff/ page and action: a logged-in staff member, or off to the login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        member = logged_in_member(request)
        if member is None:
            # After login a GET page is shown again; an action is never replayed from a redirect.
            target = request.get_full_path() if request.method == "GET" else reverse("staff:dashboard")
            return redirect(f"{reverse('staff:login')}?{urlencode({'next': target})}")
        request.staff_member = member
        return view(request, *args, **kwargs)

    # Staff pages show customers' data: never keep them in a shared cache or the browser's.
    return never_cache(wrapper)


def safe_next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    is_ours = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if is_ours and target.startswith("/staff/") else default
