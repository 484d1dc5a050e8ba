"""Views of the accounts app, one module per area."""

from cicte.accounts.views.auth import lockout_response

__all__ = ["lockout_response"]
