"""The account holder's own pages: profile, security (two-factor authentication, recovery
codes, recent sign-ins) and personal API tokens.

Every write goes through :mod:`cicte.accounts.services`. Secrets (the TOTP seed, recovery codes,
token secrets) are shown in the response that creates them and never again; those responses are
marked uncacheable.
"""

from __future__ import annotations

from typing import cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login

from cicte.accounts import services, verification
from cicte.accounts.forms import ApiTokenForm, ConfirmPasswordForm, ProfileForm, TOTPConfirmForm
from cicte.accounts.models import ApiToken, OrganizationMembership, TOTPDevice, User
from cicte.core.forms import apply_validation_error
from cicte.core.models import AuditEvent

# The unconfirmed authenticator being set up in this session; reloading the setup page shows
# the same QR code instead of creating a new secret each time.
SETUP_SESSION_KEY = "cicte_mfa_setup_device"
# Fewer recovery codes than this left: the security page says to generate new ones.
RECOVERY_CODES_LOW = 3
RECENT_SIGN_INS = 10

SIGN_IN_ACTIONS = {
    "auth.login": gettext_lazy("Signed in"),
    "auth.logout": gettext_lazy("Signed out"),
    "auth.recovery_code_used": gettext_lazy("Signed in with a recovery code"),
    "auth.login_failed": gettext_lazy("Failed sign-in"),
    "auth.mfa_failed": gettext_lazy("Wrong verification code"),
    "auth.lockout": gettext_lazy("Sign-in locked after repeated failures"),
}


def _account(request: HttpRequest) -> User:
    """The signed-in account (LoginRequiredMiddleware keeps anonymous visitors out)."""
    return cast(User, request.user)


def _error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _mfa_roles(user: User) -> list[str]:
    """The names of the person's roles that require a second factor."""
    assignments = user.role_assignments.filter(role__requires_mfa=True).select_related("role")
    return sorted({a.role.localized_name for a in assignments})


# --- Profile -------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Who the person is on the platform (organisation, state, roles, networks) and the details
    they keep up to date themselves."""
    user = _account(request)
    initial = {name: getattr(user, name) for name in ProfileForm.FIELDS}
    if request.method == "POST":
        form = ProfileForm(request.POST, initial=initial)
        if form.is_valid():
            changes = form.changes(user)
            if not changes:
                messages.info(request, _("Nothing has changed."))
                return redirect("accounts:profile")
            try:
                # A fresh copy: the service sets the new values before validating them, and a
                # refused change must not linger on request.user while the page is re-rendered.
                updated = services.update_user(
                    actor=user, user=User.objects.get(pk=user.pk), **changes
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                if "email" in changes and updated.email_verified_at is None:
                    _verification_sent_message(request, updated)
                response = redirect("accounts:profile")
                language = changes.get("preferred_language")
                if language:
                    # Switch the pages to the new language too, as the language menu does.
                    translation.activate(language)
                    response.set_cookie(
                        settings.LANGUAGE_COOKIE_NAME,
                        language,
                        max_age=settings.LANGUAGE_COOKIE_AGE,
                        path=settings.LANGUAGE_COOKIE_PATH,
                        domain=settings.LANGUAGE_COOKIE_DOMAIN,
                        secure=settings.LANGUAGE_COOKIE_SECURE,
                        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                    )
                messages.success(request, _("Your profile has been saved."))
                return response
        status = 400
    else:
        form = ProfileForm(initial=initial)
        status = 200
    return _profile_response(request, form, status=status)


def _profile_response(
    request: HttpRequest, form: ProfileForm, *, status: int = 200
) -> HttpResponse:
    user = _account(request)
    context = {
        "form": form,
        "assignments": user.role_assignments.select_related("role", "network", "organization"),
        "organization_memberships": (
            OrganizationMembership.objects.filter(organization_id=user.organization_id)
            .select_related("network", "role")
            .order_by("network__name")
            if user.organization_id
            else OrganizationMembership.objects.none()
        ),
        "verify_hours": verification.max_age_seconds() // 3600,
    }
    return render(request, "accounts/security/profile.html", context, status=status)


# --- Verified email address ----------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def email_verify_send(request: HttpRequest) -> HttpResponse:
    """Send the verification email again (POST, at most once a minute); the button is on the
    profile page, where a GET leads."""
    if request.method != "POST":
        return redirect("accounts:profile")
    user = _account(request)
    try:
        services.send_email_verification(actor=user, user=User.objects.get(pk=user.pk))
    except services.VerificationEmailTooSoon as error:
        messages.error(request, _error_text(error))
        initial = {name: getattr(user, name) for name in ProfileForm.FIELDS}
        return _profile_response(request, ProfileForm(initial=initial), status=429)
    except ValidationError as error:
        messages.info(request, _error_text(error))
        return redirect("accounts:profile")
    _verification_sent_message(request, user)
    return redirect("accounts:profile")


def _verification_sent_message(request: HttpRequest, user: User) -> None:
    hours = verification.max_age_seconds() // 3600
    messages.success(
        request,
        ngettext(
            "A verification email is on its way to {email}. Open the link in it within "
            "{hours} hour.",
            "A verification email is on its way to {email}. Open the link in it within "
            "{hours} hours.",
            hours,
        ).format(email=user.email, hours=hours),
    )


def _link_refused(request: HttpRequest, title: str, explanation: str) -> HttpResponse:
    return render(
        request,
        "accounts/security/email_verify_refused.html",
        {"title": title, "explanation": explanation},
        status=400,
    )


@login_not_required
@never_cache
@require_GET
def email_verify(request: HttpRequest, token: str) -> HttpResponse:
    """The link of a verification email. It verifies the account's address when opened by
    the account's holder, signed in, while the address is still the one it was sent to and the
    link is younger than ``ACCOUNTS_EMAIL_VERIFY_HOURS``. Not signed in: sign in first, then
    come back here. Otherwise a 400 page says what to do."""
    try:
        claim = verification.read_token(token)
    except verification.LinkExpired:
        hours = verification.max_age_seconds() // 3600
        return _link_refused(
            request,
            _("This verification link has expired"),
            ngettext(
                "Links in verification emails are valid for {hours} hour. Sign in and ask for "
                "a new one on your profile page.",
                "Links in verification emails are valid for {hours} hours. Sign in and ask for "
                "a new one on your profile page.",
                hours,
            ).format(hours=hours),
        )
    except verification.LinkInvalid:
        return _link_refused(
            request,
            _("This verification link is not valid"),
            _(
                "The address is incomplete or was changed. Copy the whole link from the email "
                "into the address bar, or ask for a new email on your profile page."
            ),
        )
    if not request.user.is_authenticated:
        messages.info(
            request,
            _(
                "Sign in to confirm your email address; you will come back to the confirmation "
                "afterwards."
            ),
        )
        return redirect_to_login(request.get_full_path())
    user = _account(request)
    if claim.user_id != user.pk:
        return _link_refused(
            request,
            _("This verification link is for another account"),
            _(
                "You are signed in with an account that the link was not sent for. Sign out, "
                "then sign in with the account whose email address received the link, and "
                "open it again."
            ),
        )
    if not claim.matches(user.email):
        return _link_refused(
            request,
            _("This verification link is for an earlier address"),
            _(
                "Your account's email address has changed since the link was sent. Ask for a "
                "new verification email on your profile page: it goes to {email}."
            ).format(email=user.email),
        )
    if user.email_verified:
        messages.info(request, _("Your email address is already verified."))
        return redirect("accounts:profile")
    try:
        services.verify_email(actor=user, user=user, email=user.email)
    except ValidationError as error:
        return _link_refused(
            request, _("This verification link is for an earlier address"), _error_text(error)
        )
    messages.success(request, _("Your email address {email} is verified.").format(email=user.email))
    return redirect("accounts:profile")


# --- Security ------------------------------------------------------------------------------


@never_cache
def security(request: HttpRequest) -> HttpResponse:
    """Two-factor status, recovery codes, password and the person's recent sign-ins."""
    user = _account(request)
    events = AuditEvent.objects.visible_to(user).filter(actor=user, action__startswith="auth.")[
        :RECENT_SIGN_INS
    ]
    codes_left = services.recovery_codes_left(user)
    context = {
        "device": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
        "requires_mfa": user.requires_mfa,
        "mfa_roles": _mfa_roles(user),
        "codes_left": codes_left,
        "codes_low": codes_left <= RECOVERY_CODES_LOW,
        "sign_ins": [(event, SIGN_IN_ACTIONS.get(event.action, event.action)) for event in events],
    }
    return render(request, "accounts/security/security.html", context)


def _qr_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth:// address as an inline SVG QR code. segno writes presentation
    attributes only (no style attribute), which the Content-Security-Policy allows, and escapes
    the title."""
    qr = segno.make(device.config_url(), error="m", micro=False)
    svg = qr.svg_inline(
        scale=1,
        border=4,
        omitsize=True,
        dark="#000",
        light="#fff",
        svgclass="qr-code",
        lineclass=None,
        title=_("QR code to scan with your authenticator app"),
    )
    # segno builds the markup itself (paths only) and escapes the title.
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))


def _grouped(secret: str) -> str:
    """The base32 secret in groups of four characters, easier to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _setup_device(request: HttpRequest, user: User) -> TOTPDevice | None:
    pk = request.session.get(SETUP_SESSION_KEY)
    if pk is None:
        return None
    return TOTPDevice.objects.filter(pk=pk, user=user, confirmed=False).first()


def _recovery_codes_response(
    request: HttpRequest, codes: list[str], *, after_setup: bool
) -> HttpResponse:
    return render(
        request,
        "accounts/security/recovery_codes.html",
        {"codes": codes, "codes_text": "\n".join(codes) + "\n", "after_setup": after_setup},
    )


@never_cache
@sensitive_post_parameters("token")
@sensitive_variables("codes")
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Set up (or replace) the authenticator app: scan the QR code, enter the code it shows,
    receive recovery codes once. People whose role requires a second factor are sent here by
    :class:`cicte.accounts.middleware.MFARequiredMiddleware` until they have one."""
    user = _account(request)
    device = _setup_device(request, user)
    status = 200
    if request.method == "POST":
        if device is None:
            messages.error(
                request,
                _("The setup had expired, so here is a new QR code. Scan it and enter the code."),
            )
            return redirect("accounts:mfa_setup")
        form = TOTPConfirmForm(request.POST)
        if form.is_valid():
            try:
                codes = services.confirm_totp(
                    actor=user, device=device, token=form.cleaned_data["token"]
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                request.session.pop(SETUP_SESSION_KEY, None)
                # This session has now passed the new second factor (the old device, if any,
                # is gone); without this the MFA middleware would end the session.
                otp_login(request, device)
                messages.success(request, _("Two-factor authentication is on."))
                return _recovery_codes_response(request, codes, after_setup=True)
        status = 400
    else:
        form = TOTPConfirmForm()
        if device is None:
            device = services.start_totp_setup(actor=user)
            request.session[SETUP_SESSION_KEY] = device.pk
    context = {
        "form": form,
        "qr_svg": _qr_svg(device),
        "secret": _grouped(device.base32_key),
        "has_mfa": user.has_mfa,
        "forced": user.requires_mfa and not user.has_mfa,
        "mfa_roles": _mfa_roles(user),
        "issuer": settings.OTP_TOTP_ISSUER,
        "digits": TOTPDevice.DIGITS,
        "period": TOTPDevice.STEP,
    }
    return render(request, "accounts/security/mfa_setup.html", context, status=status)


@never_cache
@sensitive_variables("codes")
@require_http_methods(["GET", "POST"])
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes (POST); the new ones are shown once. The button lives on the
    security page, where a GET leads."""
    if request.method != "POST":
        return redirect("accounts:security")
    user = _account(request)
    try:
        codes = services.regenerate_recovery_codes(actor=user)
    except PermissionDenied:
        messages.error(
            request, _("Set up an authenticator app first; recovery codes come with it.")
        )
        return redirect("accounts:security")
    messages.success(request, _("New recovery codes are ready; the old ones no longer work."))
    return _recovery_codes_response(request, codes, after_setup=False)


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def mfa_disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor authentication off, after the password is entered again; refused to people
    whose role requires it."""
    user = _account(request)
    if not user.has_mfa:
        messages.info(request, _("Two-factor authentication is already off."))
        return redirect("accounts:security")
    status = 200
    refusal = ""
    if request.method == "POST":
        form = ConfirmPasswordForm(request.POST, user=user)
        if form.is_valid():
            try:
                services.disable_mfa(actor=user, user=user)
            except ValidationError as error:
                refusal = _error_text(error)
            else:
                messages.warning(
                    request,
                    _(
                        "Two-factor authentication is off. Your account is now protected by "
                        "your password alone."
                    ),
                )
                return redirect("accounts:security")
        status = 400
    else:
        form = ConfirmPasswordForm(user=user)
    context = {
        "form": form,
        "refusal": refusal,
        "requires_mfa": user.requires_mfa,
        "mfa_roles": _mfa_roles(user),
    }
    return render(request, "accounts/security/mfa_disable.html", context, status=status)


# --- API tokens ----------------------------------------------------------------------------


def _token_list_response(
    request: HttpRequest, form: ApiTokenForm, *, status: int = 200
) -> HttpResponse:
    user = _account(request)
    context = {
        "form": form,
        "tokens": ApiToken.objects.filter(user=user),
        "max_days": services.MAX_TOKEN_DAYS,
    }
    return render(request, "accounts/security/token_list.html", context, status=status)


@never_cache
def token_list(request: HttpRequest) -> HttpResponse:
    """The person's API tokens, active or not, and the form to create one."""
    return _token_list_response(request, ApiTokenForm())


@never_cache
@sensitive_variables("secret")
@require_http_methods(["GET", "POST"])
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show its secret in this response, the only time it is ever shown."""
    if request.method != "POST":
        return redirect("accounts:token_list")
    user = _account(request)
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = services.create_api_token(
                actor=user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return render(
                request,
                "accounts/security/token_created.html",
                {"token": token, "secret": secret},
                status=201,
            )
    return _token_list_response(request, form, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (GET) and revoke (POST) one of the person's own tokens; anyone else's is 404."""
    user = _account(request)
    token = get_object_or_404(ApiToken.objects.filter(user=user), pk=pk)
    if request.method == "POST":
        if token.revoked_at is not None:
            messages.info(request, _("This token was already revoked."))
        else:
            services.revoke_api_token(actor=user, token=token)
            messages.success(
                request,
                _("The token “{name}” is revoked; programs using it are now refused.").format(
                    name=token.name
                ),
            )
        return redirect("accounts:token_list")
    return render(request, "accounts/security/token_revoke.html", {"token": token})
