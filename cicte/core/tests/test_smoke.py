import pytest

from cicte.accounts.tests import factories


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


@pytest.mark.django_db
def test_member_reaches_dashboard(client, login):
    user = factories.UserFactory()
    login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert user.get_full_name().encode() in response.content


@pytest.mark.django_db
def test_seeded_reference_data():
    from cicte.accounts.models import MemberState, Network, Role

    assert MemberState.objects.count() == 35
    assert Network.objects.count() == 9
    assert set(Role.objects.values_list("slug", flat=True)) == {
        "secretariat_admin",
        "national_coordinator",
        "org_admin",
        "member",
        "observer",
        "designation_officer",
        "designation_approver",
        "duty_officer",
    }
