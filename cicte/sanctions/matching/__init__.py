"""Sanctions name matching: a pure-Python engine (no Django) over FollowTheMoney entities.

``Matcher({"un": entities, "ofac": entities}).screen(Query(name=..., birth_date=...))`` returns
explained :class:`Hit` objects. See :mod:`cicte.sanctions.matching.engine`.
"""

from cicte.sanctions.matching.engine import (
    DEFAULT_THRESHOLD,
    Feature,
    Hit,
    Matcher,
    Query,
    QueryError,
    ScreeningPool,
    TokenMatch,
    align,
    entity_kind,
    entity_names,
    normalise_country,
    normalise_document,
)
from cicte.sanctions.matching.names import Kind, NameForm, Token, analyse

__all__ = [
    "DEFAULT_THRESHOLD",
    "Feature",
    "Hit",
    "Kind",
    "Matcher",
    "NameForm",
    "Query",
    "QueryError",
    "ScreeningPool",
    "Token",
    "TokenMatch",
    "align",
    "analyse",
    "entity_kind",
    "entity_names",
    "normalise_country",
    "normalise_document",
]
