"""The account holder's own pages: profile, security (2FA, recovery codes), API tokens."""

from django.urls import path

from cicte.accounts.views import security

urlpatterns = [
    path("profile/", security.profile, name="profile"),
    path("profile/email/verify/", security.email_verify_send, name="email_verify_send"),
    path("email/verify/<str:token>/", security.email_verify, name="email_verify"),
    path("security/", security.security, name="security"),
    path("security/mfa/setup/", security.mfa_setup, name="mfa_setup"),
    path(
        "security/mfa/recovery-codes/",
        security.mfa_recovery_codes,
        name="mfa_recovery_codes",
    ),
    path("security/mfa/disable/", security.mfa_disable, name="mfa_disable"),
    path("tokens/", security.token_list, name="token_list"),
    path("tokens/new/", security.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", security.token_revoke, name="token_revoke"),
]
