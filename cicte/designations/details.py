"""Validation of what officials propose: the identifying details of a designation with its legal
basis and case (designate, amend), the reason of a delisting, the scope and terms of an
unfreezing. The form pages and the API build the same plain dicts and pass them here, so both
accept and refuse alike; errors are ``ValidationError({field: [message]})`` saying what to fix.

Identifying details (``details`` of a designation)::

    {"kind": "person" | "organization",
     "name": "primary name",
     "first_name", "second_name", "third_name", "fourth_name": name parts (people),
     "aliases": [{"name": ..., "quality": "good" | "low" | "former" | "original_script"}],
     "gender": "" | "male" | "female" | "other",
     "dates_of_birth": ["1975-03-14" or "1975"], "place_of_birth": "...",
     "birth_country": "co", "nationalities": ["co", ...],
     "documents": [{"type": "passport" | "national_id" | "tax_number" | "registration" | "other",
                    "number": ..., "country": "co", "note": ...}],
     "addresses": [{"street", "city", "region", "postal_code", "country"}],
     "legal_form", "registration_number", "jurisdiction": organisations}

Countries are ISO 3166-1 alpha-2 codes (names are accepted and turned into codes).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from followthemoney.types import registry

from cicte.designations.choices import (
    AliasQuality,
    DocumentType,
    SubjectKind,
    UnfreezeScope,
)

MAX_NAME = 300
MAX_TEXT = 20000
MAX_ITEMS = 50
NAME_PARTS = ("first_name", "second_name", "third_name", "fourth_name")
GENDERS = ("", "male", "female", "other")
ADDRESS_PARTS = ("street", "city", "region", "postal_code", "country")
CASE_FIELDS = ("domestic_law", "article", "statement_of_case", "public_summary")
YEAR_RE = re.compile(r"^\d{4}$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _text(value: Any, field: str, errors: _Errors, *, limit: int = MAX_NAME) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(field, _("Give text."))
        return ""
    text = " ".join(value.split()) if limit <= MAX_NAME else value.strip()
    if len(text) > limit:
        errors.add(
            field,
            _("At most {limit} characters (this has {count}).").format(
                limit=limit, count=len(text)
            ),
        )
    return text


def _list(value: Any, field: str, errors: _Errors) -> list[Any]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        errors.add(field, _("Give a list."))
        return []
    if len(value) > MAX_ITEMS:
        errors.add(field, _("At most {limit} entries.").format(limit=MAX_ITEMS))
        return []
    return value


def country(value: Any, field: str, errors: _Errors) -> str:
    """An ISO 3166-1 alpha-2 code (lower case) for a code or a country name; "" for nothing."""
    text = _text(value, field, errors)
    if not text:
        return ""
    code = registry.country.clean(text)
    if not code:
        errors.add(
            field,
            _("“{value}” is not a country: give its ISO 3166-1 alpha-2 code, e.g. CO.").format(
                value=text
            ),
        )
        return ""
    return str(code)


def birth_date(value: str, field: str, errors: _Errors) -> str:
    """A year (YYYY) or an exact date (YYYY-MM-DD), not in the future."""
    text = value.strip()
    if YEAR_RE.match(text):
        if not 1900 <= int(text) <= dt.date.today().year:
            errors.add(field, _("“{value}” is not a plausible year of birth.").format(value=text))
        return text
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        errors.add(
            field,
            _("“{value}” is not a date of birth: write YYYY-MM-DD or a year (YYYY).").format(
                value=text
            ),
        )
        return text
    if date > dt.date.today() or date.year < 1900:
        errors.add(field, _("“{value}” is not a plausible date of birth.").format(value=text))
    return date.isoformat()


def validate_details(data: Any) -> dict[str, Any]:
    """The identifying details and the case of a designation, cleaned; or ValidationError."""
    errors = _Errors()
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": [_("Give the details as an object.")]})
    kind = data.get("kind")
    if kind not in SubjectKind.values:
        errors.add("kind", _("Choose “person” or “organization”."))
        errors.raise_if_any()
    person = kind == SubjectKind.PERSON
    out: dict[str, Any] = {"kind": kind}

    parts = {p: _text(data.get(p), p, errors) for p in NAME_PARTS} if person else {}
    name = _text(data.get("name"), "name", errors)
    if not name and parts:
        name = " ".join(v for v in parts.values() if v)
    if not name:
        errors.add("name", _("Give the primary name."))
    out["name"] = name
    if person:
        out.update({p: v for p, v in parts.items() if v})

    aliases = []
    for i, alias in enumerate(_list(data.get("aliases"), "aliases", errors), start=1):
        if isinstance(alias, str):
            alias = {"name": alias}
        if not isinstance(alias, dict):
            errors.add("aliases", _("Alias {number}: give a name.").format(number=i))
            continue
        alias_name = _text(alias.get("name"), "aliases", errors)
        quality = alias.get("quality") or AliasQuality.GOOD
        if quality not in AliasQuality.values:
            errors.add(
                "aliases",
                _("Alias {number}: the quality is one of {choices}.").format(
                    number=i, choices=", ".join(AliasQuality.values)
                ),
            )
            continue
        if alias_name and alias_name != name:
            entry = {"name": alias_name, "quality": quality}
            if entry not in aliases:
                aliases.append(entry)
    out["aliases"] = aliases

    if person:
        gender = data.get("gender") or ""
        if gender not in GENDERS:
            errors.add("gender", _("Choose male, female, other or nothing."))
        out["gender"] = gender
        dates = []
        for value in _list(data.get("dates_of_birth"), "dates_of_birth", errors):
            if not isinstance(value, str) or not value.strip():
                continue
            date = birth_date(value, "dates_of_birth", errors)
            if date not in dates:
                dates.append(date)
        out["dates_of_birth"] = dates
        out["place_of_birth"] = _text(data.get("place_of_birth"), "place_of_birth", errors)
        out["birth_country"] = country(data.get("birth_country"), "birth_country", errors)
        nationalities = []
        for value in _list(data.get("nationalities"), "nationalities", errors):
            code = country(value, "nationalities", errors)
            if code and code not in nationalities:
                nationalities.append(code)
        out["nationalities"] = nationalities
    else:
        out["legal_form"] = _text(data.get("legal_form"), "legal_form", errors)
        out["registration_number"] = _text(
            data.get("registration_number"), "registration_number", errors, limit=100
        )
        out["jurisdiction"] = country(data.get("jurisdiction"), "jurisdiction", errors)

    documents = []
    for i, doc in enumerate(_list(data.get("documents"), "documents", errors), start=1):
        if not isinstance(doc, dict):
            errors.add(
                "documents", _("Document {number}: give its type and number.").format(number=i)
            )
            continue
        doc_type = doc.get("type") or DocumentType.OTHER
        number = _text(doc.get("number"), "documents", errors, limit=100)
        if doc_type not in DocumentType.values:
            errors.add(
                "documents",
                _("Document {number}: the type is one of {choices}.").format(
                    number=i, choices=", ".join(DocumentType.values)
                ),
            )
            continue
        if not number:
            errors.add("documents", _("Document {number}: give its number.").format(number=i))
            continue
        entry = {
            "type": doc_type,
            "number": number,
            "country": country(doc.get("country"), "documents", errors),
            "note": _text(doc.get("note"), "documents", errors),
        }
        if entry not in documents:
            documents.append(entry)
    out["documents"] = documents

    addresses = []
    for i, address in enumerate(_list(data.get("addresses"), "addresses", errors), start=1):
        if not isinstance(address, dict):
            errors.add("addresses", _("Address {number}: give its parts.").format(number=i))
            continue
        entry = {
            part: (
                country(address.get(part), "addresses", errors)
                if part == "country"
                else _text(address.get(part), "addresses", errors)
            )
            for part in ADDRESS_PARTS
        }
        if not any(entry.values()):
            continue
        if entry not in addresses:
            addresses.append(entry)
    out["addresses"] = addresses
    errors.raise_if_any()
    return out


def validate_case(data: Any) -> dict[str, str]:
    """The legal basis (domestic law and article; UNSCR 1373 always), the confidential
    statement of case and the public narrative summary."""
    errors = _Errors()
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": [_("Give the details as an object.")]})
    out = {
        "domestic_law": _text(data.get("domestic_law"), "domestic_law", errors),
        "article": _text(data.get("article"), "article", errors, limit=100),
        "statement_of_case": _text(
            data.get("statement_of_case"), "statement_of_case", errors, limit=MAX_TEXT
        ),
        "public_summary": _text(
            data.get("public_summary"), "public_summary", errors, limit=MAX_TEXT
        ),
    }
    if not out["domestic_law"]:
        errors.add("domestic_law", _("Give the domestic law the designation rests on."))
    if not out["statement_of_case"]:
        errors.add("statement_of_case", _("Give the statement of case."))
    if not out["public_summary"]:
        errors.add("public_summary", _("Give the narrative summary published with the listing."))
    errors.raise_if_any()
    return out


def validate_designation(data: Any) -> dict[str, Any]:
    """A designate or amend payload: the identifying details and the case, both validated (the
    errors of both at once)."""
    found: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for validate in (validate_details, validate_case):
        try:
            out.update(validate(data))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                found.setdefault(field, []).extend(messages)
    if found:
        raise ValidationError(found)
    return out


def validate_delisting(data: Any) -> dict[str, str]:
    errors = _Errors()
    reason = _text((data or {}).get("reason"), "reason", errors, limit=MAX_TEXT)
    if not reason and "reason" not in errors.errors:
        errors.add("reason", _("Give the reason for delisting."))
    errors.raise_if_any()
    return {"reason": reason}


def validate_unfreezing(data: Any) -> dict[str, str]:
    """Scope full (after delisting), basic or extraordinary expenses (an amount in a currency,
    with terms), or false positive (who was confirmed not to be the designated party); always
    a reason."""
    errors = _Errors()
    data = data or {}
    scope = data.get("scope")
    if scope not in UnfreezeScope.values:
        errors.add(
            "scope", _("Choose one of {choices}.").format(choices=", ".join(UnfreezeScope.values))
        )
    reason = _text(data.get("reason"), "reason", errors, limit=MAX_TEXT)
    if not reason:
        errors.add("reason", _("Give the reason for unfreezing."))
    out = {"scope": scope or "", "reason": reason}
    if scope in (UnfreezeScope.BASIC_EXPENSES, UnfreezeScope.EXTRAORDINARY_EXPENSES):
        raw = str(data.get("amount") or "").strip().replace(",", "")
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            amount = Decimal(0)
        if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e12"):
            errors.add("amount", _("Give the amount released, a positive number."))
        currency = str(data.get("currency") or "").strip().upper()
        if not CURRENCY_RE.match(currency):
            errors.add("currency", _("Give the currency as its ISO 4217 code, e.g. COP or USD."))
        terms = _text(data.get("terms"), "terms", errors, limit=MAX_TEXT)
        if not terms:
            errors.add("terms", _("Give the terms: what the funds are for, how often, until when."))
        if "amount" not in errors.errors:
            out["amount"] = str(amount.quantize(Decimal("0.01")))
        out.update(currency=currency, terms=terms)
    elif scope == UnfreezeScope.FALSE_POSITIVE:
        subject = _text(data.get("subject"), "subject", errors, limit=MAX_TEXT)
        if not subject:
            errors.add(
                "subject",
                _("Describe who was confirmed not to be the designated party (name, document)."),
            )
        out["subject"] = subject
    errors.raise_if_any()
    return out
