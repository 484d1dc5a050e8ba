"""Personal API tokens in the UI: created with scopes and an expiry, shown once, stored as a
SHA-256 digest, revoked; another person's token is 404."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cicte.accounts import services
from cicte.accounts.models import ApiToken
from cicte.accounts.tests import factories
from cicte.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LIST = "/accounts/tokens/"
CREATE = "/accounts/tokens/new/"
SECRET_RE = re.compile(r'<p class="secret" id="token-secret">(cicte_[A-Za-z0-9_-]+)</p>')


def _revoke_url(token: ApiToken) -> str:
    return f"/accounts/tokens/{token.pk}/revoke/"


def _create(client, **data):
    payload = {"name": "TAXII client", "scopes": ["accounts:read"], "expires_in_days": "90"}
    payload.update(data)
    return client.post(CREATE, payload)


class TestCreate:
    def test_secret_is_shown_once_and_only_its_digest_is_stored(self, client, login):
        user = factories.UserFactory()
        login(user)

        response = _create(client, scopes=["accounts:read", "audit:write"], expires_in_days="30")

        assert response.status_code == 201
        assert "no-store" in response["Cache-Control"]
        page = response.content.decode()
        assert "Copy the token now: it is shown only this once." in page
        assert 'data-copy="token-secret"' in page
        match = SECRET_RE.search(page)
        assert match is not None
        secret = match.group(1)
        assert len(secret) == len("cicte_") + 43  # 32 random bytes, base64url

        token = ApiToken.objects.get(user=user)
        assert token.name == "TAXII client"
        assert token.scopes == ["accounts:read", "audit:write"]
        assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
        assert token.prefix == secret[:12]
        stored = [str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields]
        assert not any(secret in value for value in stored)
        expected_expiry = timezone.now() + timedelta(days=30)
        assert abs((token.expires_at - expected_expiry).total_seconds()) < 60
        event = AuditEvent.objects.get(action="accounts.token.create")
        assert event.actor_id == user.pk
        assert event.changes["scopes"] == ["accounts:read", "audit:write"]
        assert secret not in event.canonical().decode()

        # The list shows the token, never its secret again.
        listing = client.get(LIST).content.decode()
        assert "TAXII client" in listing
        assert f"<code>{token.prefix}…</code>" in listing
        assert secret not in listing
        assert "Active" in listing

    def test_the_new_token_authenticates_against_the_api(self, client, login):
        user = factories.UserFactory()
        login(user)
        secret = SECRET_RE.search(_create(client).content.decode()).group(1)
        assert services.authenticate_token(secret).user == user

    def test_form_offers_every_module_read_and_write(self, client, login):
        login(factories.UserFactory())
        response = client.get(LIST)
        assert response.status_code == 200
        page = response.content.decode()
        for module in services.TOKEN_MODULES:
            for access in ("read", "write"):
                assert f'value="{module}:{access}"' in page
        assert 'name="expires_in_days"' in page
        assert 'value="90"' in page
        assert f'max="{services.MAX_TOKEN_DAYS}"' in page
        assert "<legend>Scopes" in page
        assert 'style="' not in page

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"scopes": []}, "scopes", "Choose at least one scope."),
            ({"scopes": ["nosuchmodule:write"]}, "scopes", "Select a valid choice."),
            ({"name": "   "}, "name", "This field is required."),
            ({"expires_in_days": "0"}, "expires_in_days", "greater than or equal to 1"),
            ({"expires_in_days": "367"}, "expires_in_days", "less than or equal to 366"),
        ],
    )
    def test_invalid_requests_create_nothing(self, client, login, data, field, message):
        login(factories.UserFactory())
        response = _create(client, **data)
        assert response.status_code == 400
        assert message in " ".join(response.context["form"].errors[field])
        assert not ApiToken.objects.exists()
        assert not AuditEvent.objects.filter(action="accounts.token.create").exists()

    def test_get_on_create_leads_to_the_list(self, client, login):
        login(factories.UserFactory())
        response = client.get(CREATE)
        assert response.status_code == 302
        assert response["Location"] == LIST

    def test_list_shows_only_ones_own_tokens_and_their_state(self, client, login):
        user = factories.UserFactory()
        other = factories.UserFactory()
        services.create_api_token(
            actor=other, name="Not mine", scopes=["accounts:read"], expires_in_days=5
        )
        revoked, _secret = services.create_api_token(
            actor=user, name="Old script", scopes=["accounts:read"], expires_in_days=5
        )
        services.revoke_api_token(actor=user, token=revoked)
        expired, _secret = services.create_api_token(
            actor=user, name="Finished job", scopes=["accounts:read"], expires_in_days=5
        )
        ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
        login(user)

        response = client.get(LIST)

        page = response.content.decode()
        assert [t.name for t in response.context["tokens"]] == ["Finished job", "Old script"]
        assert "Not mine" not in page
        assert "Revoked" in page
        assert "Expired" in page
        assert f'href="{_revoke_url(revoked)}"' not in page
        assert f'href="{_revoke_url(expired)}"' in page


class TestRevoke:
    def test_confirm_then_revoke(self, client, login):
        user = factories.UserFactory()
        token, secret = services.create_api_token(
            actor=user, name="CI job", scopes=["accounts:read"], expires_in_days=10
        )
        login(user)

        response = client.get(_revoke_url(token))
        assert response.status_code == 200
        assert (
            "Programs that use this token will be refused from now on." in response.content.decode()
        )
        token.refresh_from_db()
        assert token.revoked_at is None

        response = client.post(_revoke_url(token), follow=True)

        assert response.redirect_chain == [(LIST, 302)]
        assert "The token “CI job” is revoked" in response.content.decode()
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert services.authenticate_token(secret) is None
        event = AuditEvent.objects.get(action="accounts.token.revoke")
        assert event.actor_id == user.pk
        assert event.object_id == str(token.pk)

    def test_revoking_twice_records_once(self, client, login):
        user = factories.UserFactory()
        token, _secret = services.create_api_token(
            actor=user, name="CI job", scopes=["accounts:read"], expires_in_days=10
        )
        login(user)
        client.post(_revoke_url(token))
        response = client.post(_revoke_url(token), follow=True)
        assert "This token was already revoked." in response.content.decode()
        assert AuditEvent.objects.filter(action="accounts.token.revoke").count() == 1

    @pytest.mark.parametrize("method", ["get", "post"])
    @pytest.mark.parametrize("who", ["colleague", "secretariat_admin"])
    def test_another_persons_token_is_404(self, client, login, method, who):
        owner = factories.UserFactory()
        token, secret = services.create_api_token(
            actor=owner, name="Theirs", scopes=["accounts:read"], expires_in_days=10
        )
        # A colleague, and even an administrator of the owner's account: these pages are the
        # account holder's own.
        visitor: Any
        if who == "colleague":
            visitor = factories.UserFactory(organization=owner.organization)
        else:
            visitor = factories.secretariat_admin()
            factories.add_totp(visitor)
        login(visitor)

        response = getattr(client, method)(_revoke_url(token))

        assert response.status_code == 404
        assert b"Theirs" not in response.content
        token.refresh_from_db()
        assert token.revoked_at is None
        assert services.authenticate_token(secret) is not None

    def test_unknown_token_is_404(self, client, login):
        login(factories.UserFactory())
        assert client.get("/accounts/tokens/999999/revoke/").status_code == 404

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_anonymous_is_sent_to_login_whether_or_not_the_token_exists(self, client, method):
        token, _secret = services.create_api_token(
            actor=factories.UserFactory(), name="X", scopes=["accounts:read"], expires_in_days=1
        )
        for path in (_revoke_url(token), "/accounts/tokens/999999/revoke/", CREATE):
            response = getattr(client, method)(path)
            assert response.status_code == 302
            assert response["Location"] == f"/accounts/login/?next={path}"
        token.refresh_from_db()
        assert token.revoked_at is None
