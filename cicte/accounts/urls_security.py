"""The account holder's own pages: profile, security (2FA, recovery codes), API tokens."""

from django.urls import path

from cicte.accounts.views.placeholder import placeholder

urlpatterns = [
    path("profile/", placeholder, name="profile"),
    path("security/", placeholder, name="security"),
    path("security/mfa/setup/", placeholder, name="mfa_setup"),
    path("tokens/", placeholder, name="token_list"),
]
