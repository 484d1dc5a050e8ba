"""Signing in (password, then the second factor), signing out, password change and reset."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import TemplateView
from django_otp import login as otp_login

from cicte.accounts import services
from cicte.accounts.forms import LoginForm, OTPForm, PasswordResetForm
from cicte.accounts.models import RecoveryCodeDevice, TOTPDevice
from cicte.core import audit

PENDING_KEY = "cicte_mfa_pending"
PENDING_TTL = 300  # seconds between the password and the second factor
PENDING_MAX_FAILURES = 5


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def lockout_response(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """What django-axes answers while a username and address are locked out."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/lockout.html", {"minutes": minutes}, status=429)


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class LoginView(auth_views.LoginView):
    """Step one: the password. Accounts with a second factor go on to :class:`LoginVerifyView`."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user: Any = form.get_user()
        if user.has_mfa:
            self.request.session[PENDING_KEY] = {
                "user_id": user.pk,
                "backend": user.backend,
                "started": time.time(),
                "failures": 0,
                "next": self.get_redirect_url(),
            }
            return redirect("accounts:login_verify")
        return super().form_valid(form)


@method_decorator(
    [login_not_required, never_cache, csrf_protect, sensitive_post_parameters("token")],
    name="dispatch",
)
class LoginVerifyView(TemplateView):
    """Step two: a code from the authenticator app or a recovery code."""

    template_name = "accounts/login_verify.html"

    def _pending(self) -> dict[str, Any] | None:
        pending = self.request.session.get(PENDING_KEY)
        if not pending or time.time() - pending["started"] > PENDING_TTL:
            self.request.session.pop(PENDING_KEY, None)
            return None
        return pending

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self._pending() is None:
            messages.info(request, _("Please sign in again."))
            return redirect("accounts:login")
        return render(request, self.template_name, {"form": OTPForm()})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        pending = self._pending()
        if pending is None:
            messages.info(request, _("Please sign in again."))
            return redirect("accounts:login")
        user = get_user_model().objects.filter(pk=pending["user_id"], is_active=True).first()
        form = OTPForm(request.POST)
        device = None
        if user is not None and form.is_valid():
            token = form.cleaned_data["token"].strip().replace(" ", "")
            # Six digits are an authenticator code; anything else is a recovery code. Trying
            # only the matching device keeps a recovery code from counting as a TOTP failure.
            model = (
                TOTPDevice
                if token.isdigit() and len(token) == TOTPDevice.DIGITS
                else RecoveryCodeDevice
            )
            candidate = model.objects.filter(user=user, confirmed=True).first()
            if candidate is not None and candidate.verify_token(token):
                device = candidate
        if user is None:
            request.session.pop(PENDING_KEY, None)
            return redirect("accounts:login")
        if device is None:
            audit.record(
                actor=None, action="auth.mfa_failed", obj=user, actor_label=user.get_username()
            )
            pending["failures"] += 1
            if pending["failures"] >= PENDING_MAX_FAILURES:
                request.session.pop(PENDING_KEY, None)
                messages.error(request, _("Too many wrong codes. Please sign in again."))
                return redirect("accounts:login")
            request.session[PENDING_KEY] = pending
            form.add_error(
                "token",
                _(
                    "That code is not valid. Enter the current code from your app, or a recovery code."
                ),
            )
            return render(request, self.template_name, {"form": form}, status=400)
        request.session.pop(PENDING_KEY, None)
        auth_login(request, user, backend=pending["backend"])
        otp_login(request, device)
        if isinstance(device, RecoveryCodeDevice):
            left = services.recovery_codes_left(user)
            audit.record(
                actor=user, action="auth.recovery_code_used", obj=user, changes={"left": left}
            )
            messages.warning(
                request,
                _(
                    "You signed in with a recovery code; {count} are left. Generate new ones on your security page."
                ).format(count=left),
            )
        return HttpResponseRedirect(_safe_next(request, pending.get("next")))


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user: Any = self.request.user
        audit.record(actor=user, action="accounts.password.change", obj=user)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        # The new password, its audit record and the verification of the address the link
        # was mailed to (the invitation proves the mailbox) commit together.
        with transaction.atomic():
            response = super().form_valid(form)
            services.record_password_reset(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
