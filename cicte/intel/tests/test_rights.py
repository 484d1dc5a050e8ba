"""Collection.is_readable_by / is_writable_by (decided in Python) always agree with
Collection.objects.readable_by / writable_by (decided in SQL)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from cicte.accounts import permissions
from cicte.accounts.tests import factories as af
from cicte.intel.models import Collection
from cicte.intel.tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_python_rule_agrees_with_the_querysets():
    colombia, mexico = f.csirt("CO"), f.csirt("MX")
    outsider_org = f.csirt("BR", network_slug="aviation-security")
    inactive = f.analyst(colombia)
    inactive.is_active = False
    inactive.save()
    no_org = af.UserFactory(organization=None)
    coordinator = af.national_coordinator("AR")
    users = [
        f.analyst(colombia),
        f.analyst(mexico),
        f.analyst(outsider_org),
        af.secretariat_admin(),
        coordinator,
        inactive,
        no_org,
        AnonymousUser(),
    ]
    closed = f.collection(read_roles=["national_coordinator"], title="Coordinators only")
    retired = f.collection(title="Retired")
    Collection.objects.filter(pk=retired.pk).update(is_active=False)
    collections = [
        f.collection(),
        f.collection(read_roles=[], write_roles=[], title="Nobody"),
        closed,
        retired,
        f.collection("aviation-security", title="Aviation"),
        f.collection(None, organizations=[colombia, mexico], title="Bilateral"),
        f.collection(None, organizations=[mexico], read_roles=["observer"], title="Observers"),
        f.collection(None, organizations=[outsider_org], title="Others"),
    ]
    checked = 0
    for user in users:
        for target in Collection.objects.filter(pk__in=[c.pk for c in collections]):
            readable = Collection.objects.readable_by(user).filter(pk=target.pk).exists()
            writable = Collection.objects.writable_by(user).filter(pk=target.pk).exists()
            assert target.is_readable_by(user) is readable, (user, target)
            assert target.is_writable_by(user) is writable, (user, target)
            checked += readable + writable
    assert checked >= 8  # the matrix has both answers, not only "no"
    # After a change of roles (and forgetting the user's cached grants), both still agree.
    mx = users[1]
    target = Collection.objects.get(pk=closed.pk)
    assert not target.is_readable_by(mx)
    af.grant(mx, "national_coordinator", network_slug="csirtamericas")
    permissions.forget(mx)
    assert target.is_readable_by(mx)
    assert Collection.objects.readable_by(mx).filter(pk=target.pk).exists()
