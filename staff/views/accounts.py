"""Staff accounts' own pages: logging in and out, changing one's password. Thin, like every staff view:
the throttle and the sessions are in staff.services and staff.auth.
"""

import math

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from staff import auth, services
from staff.auth import staff_required
from staff.forms import LoginForm, PasswordChangeForm


@never_cache
@require_http_methods(["GET", "POST"])
def login(request):
    next_url = auth.safe_next_url(request, reverse("staff:dashboard"))
    if auth.logged_in_member(request):
        return redirect(next_url)
    form = LoginForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        try:
            member = services.authenticate(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                client_address=_client_address(request),
            )
        except services.LoginLocked as lock:
            form.add_error(None, _locked_message(lock.locked_until))
            status = 429
        else:
            if member is not None:
                auth.log_in(request, member)
                return redirect(next_url)
            form.add_error(None, "Please enter the username and password of an active staff account.")
    return render(request, "staff/login.html", {"form": form, "next": next_url}, status=status)


@require_POST
def logout(request):
    auth.log_out(request)
    messages.info(request, "You are logged out.")
    return redirect("staff:login")


@staff_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.POST if request.method == "POST" else None, member=request.staff_member)
    if form.is_valid():
        try:
            member = services.change_password(
                username=request.staff_member.username,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                client_address=_client_address(request),
            )
        except services.WrongPassword as error:
            form.add_error("current_password", str(error))
        except services.LoginLocked as lock:
            form.add_error(None, _locked_message(lock.locked_until))
        except services.StaffAccountError as error:
            form.add_error(None, str(error))
        else:
            auth.stay_logged_in_after_password_change(request, member)
            messages.success(request, "Your password was changed. Your other sessions are logged out.")
            return redirect("staff:dashboard")
    return render(request, "staff/password_change.html", {"form": form})


def _client_address(request):
    # REMOTE_ADDR, never X-Forwarded-For: a header anyone can set would give a guesser a fresh
    # address for every try. Behind API Gateway, Zappa puts the caller's address in REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR", "")


def _locked_message(locked_until):
    minutes = max(1, math.ceil((locked_until - timezone.now()).total_seconds() / 60))
    return (
        f"Too many failed logins. Logging in is locked for {minutes} more minute{'s' if minutes != 1 else ''}; "
        f"please wait and try again."
    )
