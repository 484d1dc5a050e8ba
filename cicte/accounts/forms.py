"""Forms of the accounts app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _


class LoginForm(auth_forms.AuthenticationForm):
    """Username and password; the second factor, when the account has one, comes next."""

    error_messages = {
        "invalid_login": _("The username or password is not correct. Both are case-sensitive."),
        "inactive": _("This account is inactive."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class OTPForm(forms.Form):
    """A code from the authenticator app, or one of the recovery codes."""

    token = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, with the email sent by the background worker."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from django.template import loader

        from cicte.accounts import tasks

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        tasks.send_email(subject, body, [to_email])


# --- The account holder's own pages (profile, security, API tokens) ------------------------


def _user_field(name: str, **attrs: Any) -> forms.Field:
    """A form field built from the User model's own field (label, length, choices), so that the
    profile form and the model never disagree."""
    from django.db import models

    from cicte.accounts.models import User

    model_field = User._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    field = model_field.formfield()
    assert field is not None
    field.widget.attrs.update(attrs)
    return field


class ProfileForm(forms.Form):
    """What account holders change themselves; saved through ``services.update_user``."""

    FIELDS = ("full_name", "email", "preferred_language")

    full_name = _user_field("full_name", autocomplete="name")
    email = _user_field("email", autocomplete="email")
    preferred_language = _user_field("preferred_language")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].help_text = _(
            "The language of the pages and of the emails the platform sends you."
        )

    def changes(self, user: Any) -> dict[str, Any]:
        """The cleaned values that differ from the account's current ones."""
        return {
            name: self.cleaned_data[name]
            for name in self.FIELDS
            if self.cleaned_data[name] != getattr(user, name)
        }


class TOTPConfirmForm(forms.Form):
    """The code an authenticator app shows right after scanning the QR code."""

    token = forms.RegexField(
        label=_("Code from the app"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=8,
        help_text=_("The 6-digit code your authenticator app shows now."),
        error_messages={"invalid": _("Enter the 6 digits shown by your authenticator app.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )


class ConfirmPasswordForm(forms.Form):
    """Asks for the account's password again before a sensitive change."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your current password."), code="invalid")
        return str(password)


class ApiTokenForm(forms.Form):
    """A new personal API token: a name, its scopes (per module, read or write) and its expiry;
    saved through ``services.create_api_token``."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Say what uses the token, e.g. “TAXII client of the national CSIRT”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Writing includes reading. Give a token only what its program needs."),
        error_messages={"required": _("Choose at least one scope.")},
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        initial=90,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.core.validators import MaxValueValidator

        from cicte.accounts import services

        super().__init__(*args, **kwargs)
        choices = []
        for module, label in services.TOKEN_MODULES.items():
            module_label = str(label)
            choices.append(
                (
                    f"{module}:read",
                    _("{module}: read").format(module=module_label),
                )
            )
            choices.append(
                (
                    f"{module}:write",
                    _("{module}: read and write").format(module=module_label),
                )
            )
        scopes = self.fields["scopes"]
        assert isinstance(scopes, forms.MultipleChoiceField)
        scopes.choices = choices
        expiry = self.fields["expires_in_days"]
        assert isinstance(expiry, forms.IntegerField)
        expiry.max_value = services.MAX_TOKEN_DAYS
        expiry.validators.append(MaxValueValidator(services.MAX_TOKEN_DAYS))
        expiry.widget.attrs.update({"min": 1, "max": services.MAX_TOKEN_DAYS})
        expiry.help_text = _("Between 1 and {max} days.").format(max=services.MAX_TOKEN_DAYS)
