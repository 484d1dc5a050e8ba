"""What officials propose is validated in one place, with messages that say what to fix."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cicte.designations import details
from cicte.designations.tests.conftest import ORGANISATION, PERSON


def errors(data: Any, validate: Any = details.validate_designation) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        validate(data)
    return exc.value.message_dict


def test_a_person_is_cleaned() -> None:
    out = details.validate_designation(PERSON)
    assert out["name"] == "Juan Carlos Pérez Gómez"  # the parts joined
    assert out["nationalities"] == ["co", "ve"]  # a country name became its code
    assert out["birth_country"] == "co"
    assert out["aliases"][2] == {"name": "خوان كارلوس", "quality": "original_script"}
    assert out["documents"][0] == {
        "type": "passport",
        "number": "AX123456",
        "country": "co",
        "note": "",
    }
    assert "legal_form" not in out


def test_an_organisation_is_cleaned() -> None:
    out = details.validate_designation(ORGANISATION)
    assert out["jurisdiction"] == "co"
    assert "dates_of_birth" not in out


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"kind": "ship"}, "kind", "person"),
        ({"first_name": "", "second_name": "", "third_name": "", "name": ""}, "name", "primary"),
        ({"dates_of_birth": ["14/03/1975"]}, "dates_of_birth", "YYYY-MM-DD"),
        ({"dates_of_birth": ["2999-01-01"]}, "dates_of_birth", "plausible"),
        ({"nationalities": ["Atlantis"]}, "nationalities", "not a country"),
        ({"documents": [{"type": "visa", "number": "1"}]}, "documents", "type is one of"),
        ({"documents": [{"type": "passport", "number": ""}]}, "documents", "give its number"),
        ({"aliases": [{"name": "X", "quality": "great"}]}, "aliases", "quality is one of"),
        ({"aliases": "El Contador"}, "aliases", "list"),
        ({"aliases": ["a"] * 51}, "aliases", "At most 50"),
        ({"gender": "x"}, "gender", "male"),
        ({"domestic_law": ""}, "domestic_law", "domestic law"),
        ({"statement_of_case": ""}, "statement_of_case", "statement of case"),
        ({"public_summary": " "}, "public_summary", "narrative summary"),
        ({"name": "x" * 301}, "name", "At most 300"),
    ],
)
def test_bad_input_says_what_to_fix(change: dict[str, Any], field: str, message: str) -> None:
    found = errors({**PERSON, **change})
    assert field in found
    assert any(message in m for m in found[field]), found


def test_every_error_at_once() -> None:
    found = errors({"kind": "person", "name": "X", "nationalities": ["zz-top"]})
    assert {"nationalities", "domestic_law", "statement_of_case", "public_summary"} <= set(found)


def test_delisting_needs_a_reason() -> None:
    assert "reason" in errors({"reason": ""}, details.validate_delisting)
    assert details.validate_delisting({"reason": " Acquitted "}) == {"reason": "Acquitted"}


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"scope": "everything", "reason": "r"}, {"scope"}),
        ({"scope": "full"}, {"reason"}),
        ({"scope": "basic_expenses", "reason": "r"}, {"amount", "currency", "terms"}),
        (
            {
                "scope": "extraordinary_expenses",
                "reason": "r",
                "amount": "-5",
                "currency": "US",
                "terms": "t",
            },
            {"amount", "currency"},
        ),
        (
            {
                "scope": "basic_expenses",
                "reason": "r",
                "amount": "NaN",
                "currency": "USD",
                "terms": "t",
            },
            {"amount"},
        ),
        ({"scope": "false_positive", "reason": "r"}, {"subject"}),
    ],
)
def test_unfreezing_input(data: dict[str, Any], fields: set[str]) -> None:
    assert set(errors(data, details.validate_unfreezing)) == fields
