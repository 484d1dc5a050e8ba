"""MISP engine errors in the reader's language: the engine (no Django) raises a msgid and its
values; ``misp.error_text`` translates it, the place names inside it too ("item 2", "event
<uuid>"), while ``str()`` stays the English text that logs, commands and poll records keep.

The tests whose docstring says "Needs the compiled catalog" read Spanish from the compiled catalog (django.mo):
they pass once the engine's msgids are merged into cicte/locale and compiled."""

from __future__ import annotations

import ast
import json
import string
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from cicte.intel import misp, misp_engine
from cicte.intel.models import StixObject
from cicte.intel.tests import factories as f
from cicte.intel.tests.test_misp_pages import errors_of, upload

MISP_DATA = f.DATA / "misp"
BAD_EVENT = "1d4c2f6a-3b5e-4c7d-8e9f-0a1b2c3d4e05"  # item 2 of malformed_attribute.json
NO_VALUE_EN = f"events.json, item 2 (event {BAD_EVENT}): an attribute has no value."
NO_VALUE_ES = f"events.json, elemento 2 (evento {BAD_EVENT}): un atributo no tiene el campo value."
BAD_JSON = b"{not json"
JSON_REASON = "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"


def malformed_error() -> misp_engine.MispError:
    document = json.loads((MISP_DATA / "malformed_attribute.json").read_text())
    with pytest.raises(misp_engine.MispError) as caught:
        misp_engine.events_of(document, what="events.json")
    return caught.value


# --- The engine: English text, msgid and values kept ----------------------------------------


def test_str_of_an_engine_error_is_the_english_text():
    error = malformed_error()
    assert str(error) == NO_VALUE_EN
    assert error.args == (NO_VALUE_EN,)
    assert error.template == "{where}: an attribute has no {key}."
    assert error.params["key"] == "value"
    where = error.params["where"]
    assert isinstance(where, misp_engine.MispText)
    assert where.template == "{what} (event {uuid})"
    assert str(where) == f"events.json, item 2 (event {BAD_EVENT})"


def test_str_is_english_whatever_the_active_language():
    with translation.override("es"):
        assert str(malformed_error()) == NO_VALUE_EN


def test_a_message_without_values_is_final_text():
    error = misp_engine.MispError("Ya traducido {no es una plantilla}.")
    assert error.template is None
    assert misp.error_text(error) == str(error) == "Ya traducido {no es una plantilla}."


def test_error_text_translates_the_message_and_each_place_name(monkeypatch):
    """Each msgid (the message, "{what} (event {uuid})", "{what}, item {position}") is looked
    up on its own and the translations nested: a catalog stand-in shows it, with no .mo."""
    catalog = {
        "{where}: an attribute has no {key}.": "{where}: sin {key}.",
        "{what} (event {uuid})": "{what} [evento {uuid}]",
        "{what}, item {position}": "{what} n.º {position}",
    }
    monkeypatch.setattr(misp, "_", lambda message: catalog.get(message, message))
    assert (
        misp.error_text(malformed_error()) == f"events.json n.º 2 [evento {BAD_EVENT}]: sin value."
    )


def test_a_translation_with_wrong_placeholders_falls_back_to_english(monkeypatch):
    monkeypatch.setattr(misp, "_", lambda message: message.replace("{key}", "{clave}"))
    assert misp.error_text(malformed_error()) == NO_VALUE_EN


def _calls(tree: ast.AST, names: set[str]) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names
    ]


def test_every_engine_message_is_a_msgid_with_the_values_it_names():
    """No English f-string left in the engine: each MispError/MispText is a gettext_noop
    msgid (so makemessages collects it), given exactly the named values it formats."""
    tree = ast.parse(Path(misp_engine.__file__).read_text(encoding="utf-8"))
    calls = _calls(tree, {"MispError", "MispText"})
    assert len(calls) >= 40
    for call in calls:
        marker = call.args[0] if call.args else None
        assert isinstance(marker, ast.Call) and isinstance(marker.func, ast.Name), ast.unparse(call)
        assert marker.func.id == "gettext_noop", ast.unparse(call)
        template = marker.args[0]
        assert isinstance(template, ast.Constant) and isinstance(template.value, str)
        named = {name for _text, name, _spec, _conv in string.Formatter().parse(template.value)}
        named.discard(None)
        assert all(name and name.isidentifier() for name in named), template.value
        assert named == {keyword.arg for keyword in call.keywords}, ast.unparse(call)


# --- Pages, in Spanish (needs the compiled catalog) -------------------------------------------


def spanish_import(user: Any, collection: Any, name: str, content: bytes) -> Any:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user)
    return client.post(
        "/intel/misp/import/",
        {"import-collection": str(collection.pk), "import-file": upload(name, content)},
    )


@pytest.fixture
def writer() -> tuple[Any, Any]:
    return f.analyst(f.csirt("CO")), f.collection(title="MISP imports")


def test_error_text_in_spanish():
    """Needs the compiled catalog."""
    with translation.override("es"):
        assert misp.error_text(malformed_error()) == NO_VALUE_ES
        with pytest.raises(misp_engine.MispError) as caught:
            misp_engine.parse_json(BAD_JSON, what="misp.json")
        assert misp.error_text(caught.value) == f"misp.json: no es JSON válido ({JSON_REASON})."
    assert misp.error_text(caught.value) == str(caught.value)  # English outside the override


@pytest.mark.django_db
def test_the_import_page_shows_bad_json_in_spanish(writer):
    """Needs the compiled catalog."""
    user, collection = writer
    response = spanish_import(user, collection, "misp.json", BAD_JSON)
    assert response.status_code == 400
    errors = errors_of(response)
    assert (
        "No se pueden leer los datos MISP; no se importó nada. "
        f"misp.json: no es JSON válido ({JSON_REASON})."
    ) in errors
    assert "not valid JSON" not in errors
    assert not StixObject.objects.filter(collection=collection).exists()


@pytest.mark.django_db
def test_the_import_page_shows_an_attribute_without_value_in_spanish(writer):
    """Needs the compiled catalog."""
    user, collection = writer
    content = (MISP_DATA / "malformed_attribute.json").read_bytes()
    response = spanish_import(user, collection, "events.json", content)
    assert response.status_code == 400
    errors = errors_of(response)
    assert NO_VALUE_ES in errors
    assert "an attribute has no value" not in errors and "item 2" not in errors
    assert not StixObject.objects.filter(collection=collection).exists()


@pytest.mark.django_db
def test_the_import_page_in_english_is_unchanged(writer):
    user, collection = writer
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    content = (MISP_DATA / "malformed_attribute.json").read_bytes()
    response = client.post(
        "/intel/misp/import/",
        {"import-collection": str(collection.pk), "import-file": upload("events.json", content)},
    )
    assert response.status_code == 400
    assert NO_VALUE_EN in errors_of(response)


@pytest.mark.django_db
def test_messages_made_by_the_form_keep_their_own_translation(writer):
    """A MispError the form raised (already translated, no msgid of the engine) is shown as it
    is: here in Spanish from strings already in the catalog."""
    user, collection = writer
    response = spanish_import(user, collection, "feed.zip", b"PK\x03\x04 not really a zip")
    assert response.status_code == 400
    assert (
        "feed.zip no es un archivo comprimido de feed MISP que se pueda importar: "
        "no es un archivo zip legible."
    ) in errors_of(response)
