"""The two-factor pages (enrol a phone app, give a code, see the recovery codes once) and the password page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import lockout
from accounts.forms import CodeForm, UnlockForm
from accounts.otp import (
    RECOVERY,
    enrolment_confirm,
    has_phone_app,
    mark_verified,
    otp_pending,
    pending_phone_app,
    qr_svg,
    recovery_codes_issue,
    secret_text,
    verify_code,
)
from accounts.passwords import EXPIRED, MUST_CHANGE, session_password_reason
from accounts.signals import LOGOUT_REASON
from audit.events import Action, record
from core import clock

RECOVERY_CODES = "_accounts_recovery_codes"  # shown once, then removed from the session


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


def _locked_out(request, user):
    """A locked-out account loses its half-finished login and sees until when it is locked."""
    setattr(request, LOGOUT_REASON, "locked out")
    logout(request)
    return lockout.lockout_response(request, credentials={"username": user.get_username()})


def _code_refused(request, form, user, step: str):
    """A wrong code: said next to the field, recorded, and counted toward the lockout."""
    form.add_error(
        "code",
        _(
            "This code is wrong or has expired. Type the six digits the phone app shows now"
            " (they change every 30 seconds), or one of your unused recovery codes."
        )
        if step == "verify"
        else _("This code is wrong or has expired. Type the six digits the phone app shows now."),
    )
    record(Action.OTP_FAILED, request=request, user=user, step=step)
    if lockout.count_failure(request, user):
        return _locked_out(request, user)
    return None


def _verified(request, user, device, how: str):
    mark_verified(request, device)
    lockout.clear(request, user)
    record(Action.LOGIN, request=request, user=user, second_factor=how)


@never_cache
@login_required
def otp_verify(request):
    user = request.user
    if not otp_pending(user):
        return redirect(_next_url(request))
    if not has_phone_app(user):
        return redirect(_with_next("accounts:otp-setup", request))
    if lockout.is_locked(request, user):
        return _locked_out(request, user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verify_code(user, form.cleaned_data["code"])
        if device is not None:
            _verified(request, user, device, "recovery code" if device.name == RECOVERY else "phone app")
            return redirect(_next_url(request))
        refused = _code_refused(request, form, user, "verify")
        if refused is not None:
            return refused
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
def otp_setup(request):
    user = request.user
    if has_phone_app(user):  # set up already: give its code (when still due), or go on
        return redirect(_with_next("accounts:otp-verify", request) if otp_pending(user) else _next_url(request))
    # Here when the second factor is required and not yet set up, or when a branch secretary opts in.
    if lockout.is_locked(request, user):
        return _locked_out(request, user)
    device = pending_phone_app(user)
    form = CodeForm(request.POST or None, digits_only=True)
    if request.method == "POST" and form.is_valid():
        codes = enrolment_confirm(device, form.cleaned_data["code"])
        if codes is not None:
            _verified(request, user, device, "phone app")
            record(Action.OTP_ENROLLED, request=request, user=user)
            request.session[RECOVERY_CODES] = codes
            return redirect(_with_next("accounts:recovery-codes", request))
        refused = _code_refused(request, form, user, "setup")
        if refused is not None:
            return refused
    context = {"form": form, "next": _next_url(request), "qr": qr_svg(device), "secret": secret_text(device)}
    return render(request, "accounts/otp_setup.html", context)


@never_cache
@login_required
def recovery_codes(request):
    """The recovery codes, once: they are taken out of the session as the page is drawn."""
    codes = request.session.pop(RECOVERY_CODES, None)
    if not codes:
        return redirect(_next_url(request))
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)})


@never_cache
@login_required
@require_POST
def recovery_codes_new(request):
    """The owner replaces their recovery codes (the old ones stop working) after giving the second factor."""
    user = request.user
    if not has_phone_app(user) or not user.is_verified():
        return redirect(_with_next("accounts:otp-verify", request) if has_phone_app(user) else "password_change")
    request.session[RECOVERY_CODES] = recovery_codes_issue(user)
    record(Action.RECOVERY_CODES_ISSUED, request=request, user=user, obj=user, by="self")
    return redirect(_with_next("accounts:recovery-codes", request))


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password page, saying why a change is asked for when it is forced. The new password and what is
    recorded with it (its date, the session kept signed in) are written in one transaction."""

    @method_decorator(transaction.atomic)
    def form_valid(self, form):
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        reason = session_password_reason(self.request)
        return super().get_context_data(
            **kwargs,
            forced_by_administrator=reason == MUST_CHANGE,
            expired=reason == EXPIRED,
            expiry_days=settings.PASSWORD_EXPIRY_DAYS,
            has_phone_app=has_phone_app(self.request.user),
        )


UNLOCK_TRIES_PER_DAY = 5  # wrong codes on the unlock page per account per day; then only the account administrator


def _unlock_tries_left(username: str) -> bool:
    from audit.models import SecurityEvent

    since = clock.now() - lockout.LOCKS_REMEMBERED
    wrong = SecurityEvent.objects.filter(
        action=Action.OTP_FAILED, username=username, detail__step="unlock", at__gte=since
    ).count()
    return wrong < UNLOCK_TRIES_PER_DAY


@never_cache
def unlock(request):
    """A locked-out person lifts their own lock at this address with their phone app's code (no password needed, so
    the owner is not kept out by someone guessing it). Wrong codes are recorded and limited per day; a name without a
    phone app is answered like a wrong code, so the page does not tell which accounts exist."""
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        user = get_user_model()._default_manager.filter(username=username, is_active=True).first()
        if not _unlock_tries_left(username):
            form.add_error("code", "今天用验证码解锁的错误次数已达上限。请等锁定到期，或联系账号管理员解除锁定。")
        else:
            device = None
            if user is not None:
                code = "".join(form.cleaned_data["code"].split())
                device = next(
                    (d for d in TOTPDevice.objects.filter(user=user, confirmed=True) if d.verify_token(code)), None
                )
            if device is not None:
                lockout.unlock(request, username, how="second factor")
                messages.success(request, "已解除本机地址上的登录锁定，请重新登录。")
                return redirect("login")
            record(Action.OTP_FAILED, request=request, user=user, username=username, step="unlock")
            form.add_error(
                "code",
                "用户名或验证码不对。请核对用户名，并填写手机验证器应用当前显示的六位数字（每 30 秒变一次）。",
            )
    return render(request, "accounts/unlock.html", {"form": form})
