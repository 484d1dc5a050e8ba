"""Verified email addresses: the migration's rule for existing accounts, the invitation (and a
password reset) verifying, a changed address becoming unverified with one mail whose link
verifies it, links refused when expired, tampered, for another account or for an earlier
address, the button that sends the mail again, and where the state is shown."""

from __future__ import annotations

import importlib
import re
import time
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone, translation

from cicte.accounts import services, verification
from cicte.accounts.models import User
from cicte.accounts.signals import email_verified
from cicte.accounts.tests import factories
from cicte.accounts.tests.test_api_endpoints import token_client
from cicte.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"
SEND = "/accounts/profile/email/verify/"
LINK_RE = re.compile(re.escape(settings.BASE_URL) + r"(/accounts/email/verify/[^/\s]+/)")


def _link(message: Any) -> str:
    links = LINK_RE.findall(message.body)
    assert len(links) == 1, message.body
    return links[0]


def _events(action: str, user: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(user.pk)))


def _unverified(**kwargs: Any) -> User:
    return factories.UserFactory(email_verified_at=None, **kwargs)


def _change_own_email(client: Client, user: User, email: str) -> Any:
    return client.post(
        PROFILE,
        {
            "full_name": user.full_name,
            "email": email,
            "preferred_language": user.preferred_language,
        },
    )


# --- The migration ---------------------------------------------------------------------------


def test_migration_counts_signed_in_accounts_with_a_password_as_verified():
    migration = importlib.import_module("cicte.accounts.migrations.0005_user_email_verified_at")
    earlier = timezone.now() - timedelta(days=30)
    used = _unverified(username="used")
    User.objects.filter(pk=used.pk).update(last_login=earlier)
    _unverified(username="never")
    invited = _unverified(username="invited")  # still to choose a password, yet signed in?
    User.objects.filter(pk=invited.pk).update(password=make_password(None), last_login=earlier)
    blank = _unverified(username="blank")
    User.objects.filter(pk=blank.pk).update(password="", last_login=earlier)
    already = factories.UserFactory(username="already", email_verified_at=earlier)
    User.objects.filter(pk=already.pk).update(last_login=earlier)

    before = timezone.now()
    migration.mark_existing_verified(django_apps, None)

    verified = dict(User.objects.values_list("username", "email_verified_at"))
    assert verified["used"] is not None and verified["used"] >= before
    assert verified["never"] is None
    assert verified["invited"] is None
    assert verified["blank"] is None
    assert verified["already"] == earlier  # left as it was


# --- The invitation and password resets --------------------------------------------------------


def test_following_the_invitation_verifies_the_address(
    mailoutbox, django_capture_on_commit_callbacks
):
    admin = factories.secretariat_admin()
    with django_capture_on_commit_callbacks(execute=True):
        person = services.create_user(
            actor=admin,
            username="ana.perez",
            email="ana.perez@example.org",
            organization=factories.OrganizationFactory(),
        )
    assert person.email_verified_at is None
    assert len(mailoutbox) == 1
    link = re.findall(
        re.escape(settings.BASE_URL) + r"(/accounts/password/reset/\S+/)", mailoutbox[0].body
    )[0]
    visitor = Client()
    form_url = visitor.get(link)["Location"]
    chosen = "a-long-and-private-passphrase-2025"
    done = visitor.post(form_url, {"new_password1": chosen, "new_password2": chosen})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.email_verified_at is not None
    [event] = _events("accounts.user.verify_email", person)
    assert event.actor_id == person.pk
    assert event.changes["email"] == "ana.perez@example.org"


def test_an_invitation_sent_before_the_address_changed_no_longer_works(
    mailoutbox, django_capture_on_commit_callbacks
):
    admin = factories.secretariat_admin()
    with django_capture_on_commit_callbacks(execute=True):
        person = services.create_user(
            actor=admin,
            username="bruno",
            email="bruno@example.org",
            organization=factories.OrganizationFactory(),
        )
    link = re.findall(
        re.escape(settings.BASE_URL) + r"(/accounts/password/reset/\S+/)", mailoutbox[0].body
    )[0]
    services.update_user(actor=admin, user=person, email="someone-else@example.org")
    page = Client().get(link, follow=True)
    assert page.context["validlink"] is False
    person.refresh_from_db()
    assert person.email_verified_at is None


# --- Changing the address --------------------------------------------------------------------


def test_a_changed_address_is_unverified_and_one_mail_verifies_it(
    client, login, mailoutbox, django_capture_on_commit_callbacks
):
    user = factories.UserFactory(username="carla", preferred_language="es")
    assert user.email_verified_at is not None
    login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _change_own_email(client, user, "carla@new.example.org")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "carla@new.example.org" and user.email_verified_at is None
    [update] = _events("accounts.user.update", user)
    assert update.changes["email"] == [f"{user.username}@example.org", "carla@new.example.org"]
    assert update.changes["email_verified_at"][1] is None

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["carla@new.example.org"]
    link = _link(message)
    assert "carla@new.example.org" not in link  # only a digest of the address travels

    # Not verified yet: the profile says so and offers the button.
    page = client.get(PROFILE).content.decode()
    assert "A verification email is on its way to carla@new.example.org" in page
    assert "Not verified" in page and "Send the verification email again" in page

    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == PROFILE
    user.refresh_from_db()
    assert user.email_verified_at is not None
    [event] = _events("accounts.user.verify_email", user)
    assert event.changes["email"] == "carla@new.example.org"
    page = client.get(PROFILE).content.decode()
    assert "Verified" in page and "Send the verification email again" not in page
    # Following it again changes nothing.
    assert client.get(link).status_code == 302
    assert len(_events("accounts.user.verify_email", user)) == 1


def test_the_mail_is_written_in_the_holders_language(django_capture_on_commit_callbacks):
    user = factories.UserFactory(preferred_language="fr")
    languages: list[str | None] = []

    def render(template_name: str, context: dict[str, Any]) -> str:
        languages.append(translation.get_language())
        return template_name

    with (
        mock.patch("cicte.accounts.emails.render_to_string", side_effect=render),
        mock.patch("cicte.accounts.tasks.send_email") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.update_user(actor=user, user=user, email="moved@example.org")
    assert languages == ["fr", "fr"]  # the subject and the body
    send.assert_called_once_with(
        "accounts/email/verify_email_subject.txt",
        "accounts/email/verify_email.txt",
        ["moved@example.org"],
    )
    assert translation.get_language() == "en"


def test_a_manager_changing_the_address_unverifies_it_without_a_mail(
    mailoutbox, django_capture_on_commit_callbacks
):
    admin = factories.secretariat_admin()
    user = factories.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_user(actor=admin, user=user, email="elsewhere@example.org")
    user.refresh_from_db()
    assert user.email_verified_at is None
    assert mailoutbox == []


def test_a_change_of_case_is_the_same_address(mailoutbox, django_capture_on_commit_callbacks):
    user = factories.UserFactory(email="dora@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.update_user(actor=user, user=user, email="Dora@example.org")
    user.refresh_from_db()
    assert user.email == "Dora@example.org" and user.email_verified_at is not None
    assert mailoutbox == []


def test_changing_the_address_through_the_api_works_the_same(
    mailoutbox, django_capture_on_commit_callbacks
):
    user = factories.UserFactory()
    api = token_client(user)
    me = api.get("/api/me/")
    assert me.json()["email_verified"] is True
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(
            f"/api/users/{user.pk}/",
            {"email": "api@new.example.org", "email_verified": True},
            format="json",
        )
    assert response.status_code == 200, response.content
    assert response.json()["email_verified"] is False  # read-only: the request cannot set it
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["api@new.example.org"]
    assert api.get("/api/me/").json()["email_verified"] is False
    assert api.get(f"/api/users/{user.pk}/").json()["email_verified"] is False


# --- The link ------------------------------------------------------------------------------


def test_an_expired_link_is_refused(client, login):
    user = _unverified()
    hours = settings.ACCOUNTS_EMAIL_VERIFY_HOURS
    with mock.patch("django.core.signing.time.time", return_value=time.time() - hours * 3600 - 5):
        link = verification.verification_url(user.pk, user.email).removeprefix(settings.BASE_URL)
    login(user)
    response = client.get(link)
    assert response.status_code == 400
    page = response.content.decode()
    assert "This verification link has expired" in page
    assert f"valid for {hours} hours" in page and "profile page" in page
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_link_within_its_hours_still_works(client, login):
    user = _unverified()
    hours = settings.ACCOUNTS_EMAIL_VERIFY_HOURS
    with mock.patch("django.core.signing.time.time", return_value=time.time() - hours * 3600 + 60):
        link = verification.verification_url(user.pk, user.email).removeprefix(settings.BASE_URL)
    login(user)
    assert client.get(link).status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at is not None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.split(":")[0],
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_is_refused(client, login, tamper):
    user = _unverified()
    token = verification.make_token(user.pk, user.email)
    login(user)
    response = client.get(f"/accounts/email/verify/{tamper(token)}/")
    assert response.status_code == 400
    assert "This verification link is not valid" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_link_made_for_another_account_is_refused(client, login):
    mine = _unverified(username="mine")
    theirs = _unverified(username="theirs")
    # Someone edits the account id in a valid link: the signature no longer matches.
    link = verification.verification_url(theirs.pk, theirs.email).removeprefix(settings.BASE_URL)
    login(mine)
    response = client.get(link)
    assert response.status_code == 400
    assert "This verification link is for another account" in response.content.decode()
    for user in (mine, theirs):
        user.refresh_from_db()
        assert user.email_verified_at is None


def test_a_link_for_an_earlier_address_is_refused(
    client, login, mailoutbox, django_capture_on_commit_callbacks
):
    user = factories.UserFactory(username="erin")
    login(user)
    with django_capture_on_commit_callbacks(execute=True):
        _change_own_email(client, user, "first@example.org")
    first = _link(mailoutbox[0])
    user.refresh_from_db()
    User.objects.filter(pk=user.pk).update(email_verification_sent_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        _change_own_email(client, user, "second@example.org")
    assert len(mailoutbox) == 2
    response = client.get(first)
    assert response.status_code == 400
    page = response.content.decode()
    assert "This verification link is for an earlier address" in page
    assert "second@example.org" in page  # where the new link will go
    user.refresh_from_db()
    assert user.email_verified_at is None
    # The latest link works.
    assert client.get(_link(mailoutbox[1])).status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_not_signed_in_the_link_asks_to_sign_in_and_comes_back(client):
    user = _unverified(username="frida")
    link = verification.verification_url(user.pk, user.email).removeprefix(settings.BASE_URL)
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/email/verify/")
    user.refresh_from_db()
    assert user.email_verified_at is None
    # Sign in from there: back to the link, which verifies.
    signed_in = client.post(
        response["Location"], {"username": user.username, "password": factories.PASSWORD}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == link
    assert client.get(link)["Location"] == PROFILE
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_not_signed_in_an_expired_link_says_so_at_once(client):
    user = _unverified()
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 400 * 3600):
        link = verification.verification_url(user.pk, user.email).removeprefix(settings.BASE_URL)
    response = client.get(link)
    assert response.status_code == 400
    assert "This verification link has expired" in response.content.decode()


# --- Sending it again ------------------------------------------------------------------------


def test_the_button_sends_the_mail_again_at_most_once_a_minute(
    client, login, mailoutbox, django_capture_on_commit_callbacks
):
    user = _unverified(username="gael")
    login(user)
    assert client.get(SEND).status_code == 302  # a GET sends nothing
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SEND)
    assert response.status_code == 302 and response["Location"] == PROFILE
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]
    assert len(_events("accounts.user.email_verification_send", user)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(SEND)
    assert again.status_code == 429
    assert "less than a minute ago" in again.content.decode()
    assert len(mailoutbox) == 1
    assert len(_events("accounts.user.email_verification_send", user)) == 1

    User.objects.filter(pk=user.pk).update(
        email_verification_sent_at=timezone.now() - timedelta(minutes=1, seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(SEND).status_code == 302
    assert len(mailoutbox) == 2
    # Either mail's link verifies (same address).
    assert client.get(_link(mailoutbox[0])).status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_a_verified_address_gets_no_mail(
    client, login, mailoutbox, django_capture_on_commit_callbacks
):
    user = factories.UserFactory()
    login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SEND, follow=True)
    assert "Your email address is already verified." in response.content.decode()
    assert mailoutbox == []


def test_a_self_service_change_counts_as_the_minutes_mail(
    client, login, mailoutbox, django_capture_on_commit_callbacks
):
    user = factories.UserFactory()
    login(user)
    with django_capture_on_commit_callbacks(execute=True):
        _change_own_email(client, user, "hana@example.org")
        assert client.post(SEND).status_code == 429
    assert len(mailoutbox) == 1


def test_the_anonymous_are_sent_to_sign_in_for_the_button(client):
    response = client.post(SEND)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={SEND}"


# --- The service and its signal --------------------------------------------------------------


def test_verify_email_is_the_holders_own_and_fires_the_signal():
    user = _unverified()
    other = factories.secretariat_admin()
    with pytest.raises(PermissionDenied):
        services.verify_email(actor=other, user=user)
    with pytest.raises(PermissionDenied):
        services.send_email_verification(actor=other, user=user)
    received: list[tuple[User, User]] = []

    def receiver(sender: Any, *, user: User, actor: User, **kwargs: Any) -> None:
        received.append((user, actor))

    email_verified.connect(receiver, dispatch_uid="test-email-verified")
    try:
        with pytest.raises(ValidationError):
            services.verify_email(actor=user, user=user, email="not-the-address@example.org")
        assert received == []
        services.verify_email(actor=user, user=user, email=user.email.upper())
        services.verify_email(actor=user, user=user)  # already verified: nothing more
    finally:
        email_verified.disconnect(dispatch_uid="test-email-verified")
    assert [(u.pk, a.pk) for u, a in received] == [(user.pk, user.pk)]
    assert len(_events("accounts.user.verify_email", user)) == 1


# --- What managers see -----------------------------------------------------------------------


def test_managers_see_whether_an_address_is_verified(client, login):
    admin = factories.secretariat_admin()
    factories.add_totp(admin)
    organization = factories.OrganizationFactory()
    verified = factories.UserFactory(username="ivy", organization=organization)
    unverified = _unverified(username="jon", organization=organization)
    login(admin)
    listing = client.get(f"/accounts/users/?organization={organization.pk}").content.decode()
    rows = {
        name: listing.split(f">{name.title()}</a>")[1].split("</th>")[0] for name in ("ivy", "jon")
    }
    assert "email verified" in rows["ivy"] and "not verified" not in rows["ivy"]
    assert "email not verified" in rows["jon"]
    detail = client.get(f"/accounts/users/{unverified.pk}/").content.decode()
    assert "Not verified" in detail
    detail = client.get(f"/accounts/users/{verified.pk}/").content.decode()
    assert "Not verified" not in detail and "Verified" in detail
