"""cicte.core.statements: a statement compiled once gives, run again with other values, exactly
what the ORM gives for those values; on PostgreSQL it runs prepared (and in binary when asked)
and its rows are the same."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from cicte.accounts.models import ApiToken, Organization, User
from cicte.accounts.tests import factories as af
from cicte.core import statements

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_statements():
    statements.forget()
    yield
    statements.forget()


BASE = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def _tokens(count: int) -> list[ApiToken]:
    """Tokens of one person, expiring an hour apart, named in three kinds."""
    user = af.UserFactory()
    return [
        ApiToken.objects.create(
            user=user,
            name=f"kind-{index % 3}",
            prefix=f"p{index}",
            digest=f"{index:064d}",
            expires_at=BASE + dt.timedelta(hours=index),
        )
        for index in range(count)
    ]


def _query(after, name):
    queryset = ApiToken.objects.filter(name__startswith="kind-")
    if after is not None:
        queryset = queryset.filter(expires_at__gt=after)
    if name is not None:
        queryset = queryset.filter(name=name)
    return queryset.order_by("expires_at", "pk").values_list("pk", "expires_at", "name")


def test_rows_run_again_with_other_values_give_what_the_orm_gives():
    _tokens(12)
    built = []

    def build(after, name):
        built.append((after, name))
        return _query(after, name)

    for hours in (0, 3, 7, 11, 20):
        for name in ("kind-0", "kind-2"):
            after = BASE + dt.timedelta(hours=hours)
            got = statements.rows("tokens", build, after, name)
            assert got == list(_query(after, name))
            assert all(isinstance(row[1], dt.datetime) for row in got)
    # One shape, compiled once (with stand-ins, never the real values).
    assert len(built) == 1
    assert built[0][0].year == 1901 and built[0][1].startswith("\x00")
    # A slot left out (None) is another shape: compiled once more, and right.
    assert statements.rows("tokens", build, None, "kind-1") == list(_query(None, "kind-1"))
    assert len(statements.rows("tokens", build, None, None)) == 12
    assert len(built) == 3


def test_the_key_must_name_what_the_slots_do_not():
    """Values outside the slots are compiled in: a caller that leaves them out of the key gets
    the first compilation's values; naming them in the key gives each its own statement."""
    tokens = _tokens(4)
    first, second = tokens[0].pk, tokens[1].pk

    def by_pk(pk):
        return lambda: ApiToken.objects.filter(pk=pk).values_list("pk")

    assert statements.rows(("event", first), by_pk(first)) == [(first,)]
    assert statements.rows(("event", second), by_pk(second)) == [(second,)]


def test_integer_slots():
    tokens = _tokens(5)

    def build(pk):
        return ApiToken.objects.filter(pk__gte=pk).order_by("pk").values_list("pk")

    for token in tokens:
        assert statements.rows("from", build, token.pk) == [
            (t.pk,) for t in tokens if t.pk >= token.pk
        ]


def test_instances_with_select_related_need_no_other_query():
    user = af.UserFactory()
    token, _secret = af.api_token(user)

    def build(digest):
        return ApiToken.objects.filter(digest=digest).select_related("user", "user__organization")

    found = statements.instances("token", build, token.digest)
    assert [t.pk for t in found] == [token.pk]
    with CaptureQueriesContext(connection) as queries:
        loaded = found[0]
        assert loaded.user == user and isinstance(loaded.user, User)
        assert loaded.user.organization == user.organization
        assert isinstance(loaded.user.organization, Organization)
        assert loaded.scopes == token.scopes and loaded.expires_at == token.expires_at
    assert len(queries) == 0
    assert loaded._state.adding is False and loaded._state.db == "default"
    assert statements.instances("token", build, "no such digest") == []


def test_empty_querysets_and_misuse():
    assert statements.rows("none", lambda: ApiToken.objects.none().values_list("pk")) == []
    with pytest.raises(statements.StatementError):
        statements.rows("flat", lambda: ApiToken.objects.values_list("pk", flat=True))
    with pytest.raises(statements.StatementError):
        statements.rows("models", lambda: ApiToken.objects.all())
    with pytest.raises(statements.StatementError):
        statements.instances("values", lambda: ApiToken.objects.values_list("pk"))
    # A slot the queryset does not use cannot be filled: refused, not silently ignored.
    with pytest.raises(statements.StatementError):
        statements.rows(
            "unused", lambda at: ApiToken.objects.values_list("pk"), dt.datetime.now(dt.UTC)
        )
    with pytest.raises(statements.StatementError):
        statements.rows("float", lambda x: ApiToken.objects.values_list("pk"), 1.5)


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(statements, "MAX_STATEMENTS", 3)
    for index in range(10):
        statements.rows(("n", index), lambda: ApiToken.objects.values_list("pk"))
    assert len(connections["default"].__dict__["_cicte_statements"]) == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_postgresql_runs_them_prepared_and_binary_rows_are_the_same(settings):
    _tokens(6)
    base = BASE + dt.timedelta(hours=2)
    expected = list(_query(base, None))
    assert statements.rows("text", _query, base, None) == expected
    assert statements.rows("binary", _query, base, None, binary=True) == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] >= 1
    # Turned off: the ordinary cursor, the same rows.
    settings.DATABASE_PREPARED_STATEMENTS = False
    assert statements.rows("off", _query, base, None) == expected
