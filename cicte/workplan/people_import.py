"""Reading a participant list for one event: CSV (UTF-8) or XLSX (the first sheet), one person
a row, under a header row with the columns

    name, sex, email, organisation, member_state, position, status, pre_score, post_score

(in any order; ``name`` and ``sex`` are required, the others may be left out). Every row is
checked and every problem reported as (line, column, reason); the list is applied only when no
row is rejected (``services_people.import_participants``, all or nothing).

Values are read in the four languages of the OAS: sex (female / femenino / féminin /
feminino..., "prefer not to say" / "prefiero no decirlo" / "préfère ne pas répondre" /
"prefiro não dizer"...), status (completed / completado / terminé / concluído...), member states
by ISO 3166 code or by name in any of the four languages; scores from 0 to 100 with a decimal
point or comma.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cicte.accounts.models import MemberState
from cicte.workplan.choices import RegistrationStatus, Sex
from cicte.workplan.services_people import PersonDetails, email_key, fold, name_key

COLUMNS = (
    "name",
    "sex",
    "email",
    "organisation",
    "member_state",
    "position",
    "status",
    "pre_score",
    "post_score",
)
REQUIRED = ("name", "sex")
# Header spellings accepted besides the canonical ones (folded, spaces as underscores).
COLUMN_ALIASES = {"full_name": "name", "organization": "organisation", "state": "member_state"}

_SEX_WORDS = {
    Sex.FEMALE: (
        "female",
        "f",
        "woman",
        "women",
        "femenino",
        "femenina",
        "mujer",
        "feminin",
        "feminine",
        "femme",
        "feminino",
        "mulher",
    ),
    Sex.MALE: (
        "male",
        "m",
        "man",
        "men",
        "masculino",
        "hombre",
        "varon",
        "masculin",
        "homme",
        "homem",
    ),
    Sex.OTHER: (
        "other",
        "otro",
        "otra",
        "autre",
        "outro",
        "outra",
        "non-binary",
        "nonbinary",
        "no binario",
        "non binaire",
        "nao binario",
    ),
    Sex.UNDISCLOSED: (
        "prefer not to say",
        "prefers not to say",
        "undisclosed",
        "not disclosed",
        "prefiero no decirlo",
        "prefiero no decir",
        "prefiere no decirlo",
        "prefiere no decir",
        "prefiero no responder",
        "no declarado",
        "prefere ne pas repondre",
        "prefere ne pas le dire",
        "je prefere ne pas repondre",
        "non communique",
        "prefiro nao dizer",
        "prefere nao dizer",
        "prefiro nao informar",
        "prefiro nao responder",
        "nao informado",
    ),
}
SEX_VALUES = {word: sex for sex, words in _SEX_WORDS.items() for word in words}

_STATUS_WORDS = {
    RegistrationStatus.REGISTERED: (
        "registered",
        "inscrito",
        "inscrita",
        "registrado",
        "registrada",
        "inscrit",
        "inscrite",
        "enregistre",
    ),
    RegistrationStatus.ATTENDED: (
        "attended",
        "asistio",
        "asistente",
        "present",
        "presente",
        "presente(a)",
        "participou",
        "compareceu",
    ),
    RegistrationStatus.COMPLETED: (
        "completed",
        "complete",
        "completado",
        "completada",
        "completo",
        "termine",
        "terminee",
        "acheve",
        "concluido",
        "concluida",
        "completou",
        "aprobado",
        "aprovado",
    ),
    RegistrationStatus.ABSENT: (
        "absent",
        "did not attend",
        "ausente",
        "no asistio",
        "absente",
        "nao compareceu",
    ),
    RegistrationStatus.WITHDRAWN: (
        "withdrawn",
        "withdrew",
        "retirado",
        "retirada",
        "se retiro",
        "retire",
        "retiree",
        "desistiu",
        "desistente",
    ),
}
STATUS_VALUES = {word: status for status, words in _STATUS_WORDS.items() for word in words}


@dataclass
class ParticipantRow:
    """One valid row of a participant list."""

    line: int
    details: PersonDetails
    status: str
    pre_score: Decimal | None
    post_score: Decimal | None


@dataclass(frozen=True)
class RowError:
    """Why a row (or the file, at line 0, or its header, at line 1) is rejected."""

    line: int
    column: str
    reason: str


class ImportFileError(Exception):
    """A file that cannot be read at all (not UTF-8, not a workbook, too big...)."""


def max_bytes() -> int:
    return int(getattr(settings, "WORKPLAN_IMPORT_MAX_BYTES", 5 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "WORKPLAN_IMPORT_MAX_ROWS", 5000))


# --- Reading the cells -------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("The file is not UTF-8 text (byte {position}): save it as CSV UTF-8.").format(
                position=error.start + 1
            )
        ) from error
    first_line = text.split("\n", 1)[0]
    # Spreadsheets in Spanish, French or Portuguese save CSV with semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    if first_line.count("\t") > max(first_line.count(";"), first_line.count(",")):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    try:
        for record in reader:
            yield line, [_cell(value) for value in record]
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(
            _("Line {line} is not valid CSV: {error}").format(line=line, error=error)
        ) from error


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        # A workbook is a zip: refuse one that would inflate far beyond its size.
        if sum(info.file_size for info in archive.infolist()) > 20 * max_bytes():
            raise ImportFileError(_("The workbook is too large once uncompressed."))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds on a broken or foreign file
        raise ImportFileError(
            _("The file is not an Excel workbook (.xlsx): save it as .xlsx or CSV UTF-8.")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(value) for value in values]
    finally:
        workbook.close()


def read_table(data: bytes, filename: str) -> Iterator[tuple[int, list[str]]]:
    """The rows of the file as (line, cells): XLSX by its name or its zip signature, else CSV."""
    if len(data) > max_bytes():
        raise ImportFileError(
            _("The file is larger than {size} bytes: split the list.").format(size=max_bytes())
        )
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return _xlsx_rows(data)
    if filename.lower().endswith((".xls", ".ods")):
        raise ImportFileError(_("Save the list as .xlsx or as CSV UTF-8."))
    return _csv_rows(data)


# --- Checking the values -----------------------------------------------------------------------


class StateIndex:
    """Member states by ISO code (alpha-2, alpha-3) and by folded name in the four languages."""

    def __init__(self) -> None:
        self.by_key: dict[str, MemberState] = {}
        for state in MemberState.objects.all():
            for key in (state.code, state.alpha3):
                self.by_key[key.casefold()] = state
            for name in (state.name, state.name_es, state.name_fr, state.name_pt):
                if name:
                    self.by_key[fold(name)] = state

    def get(self, value: str) -> MemberState | None:
        return self.by_key.get(fold(value)) or self.by_key.get(value.casefold())


def parse_score(value: str) -> Decimal:
    """ "85", "85.5", "85,5" or "85 %" -> Decimal; ValueError otherwise."""
    text = value.replace("%", "").strip().replace(",", ".")
    try:
        score = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(value) from error
    if not score.is_finite() or score < 0 or score > 100 or score != round(score, 2):
        raise ValueError(value)
    return score


def _header(cells: list[str]) -> tuple[dict[str, int], list[RowError]]:
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for index, cell in enumerate(cells):
        if not cell:
            continue
        key = fold(cell).replace(" ", "_").replace("-", "_")
        key = COLUMN_ALIASES.get(key, key)
        if key not in COLUMNS:
            errors.append(
                RowError(
                    1,
                    cell,
                    _("Unknown column. The columns are: {columns}.").format(
                        columns=", ".join(COLUMNS)
                    ),
                )
            )
        elif key in positions:
            errors.append(RowError(1, cell, _("This column appears twice.")))
        else:
            positions[key] = index
    for column in REQUIRED:
        if column not in positions:
            errors.append(RowError(1, column, _("This column is required.")))
    return positions, errors


def _check_row(
    line: int, values: dict[str, str], states: StateIndex
) -> tuple[ParticipantRow | None, list[RowError]]:
    errors: list[RowError] = []

    def reject(column: str, reason: str) -> None:
        errors.append(RowError(line, column, reason))

    name = values.get("name", "")
    if not name:
        reject("name", _("The name is empty."))
    elif len(name) > 200:
        reject("name", _("The name is longer than 200 characters."))
    sex = SEX_VALUES.get(fold(values.get("sex", "")).rstrip("."))
    if sex is None:
        if values.get("sex"):
            reason = _("{value} is not a sex: write female, male, other or prefer not to say.")
            reject("sex", reason.format(value=values["sex"]))
        else:
            reject("sex", _("The sex is empty: write female, male, other or prefer not to say."))
    email = values.get("email", "")
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            reject("email", _("{value} is not an email address.").format(value=email))
    organisation = values.get("organisation", "")
    if len(organisation) > 300:
        reject("organisation", _("The organisation is longer than 300 characters."))
    state = None
    if values.get("member_state"):
        state = states.get(values["member_state"])
        if state is None:
            reject(
                "member_state",
                _(
                    "{value} is not a member state: write its ISO 3166 code (AR, BR...) or its "
                    "name."
                ).format(value=values["member_state"]),
            )
    position = values.get("position", "")
    if len(position) > 200:
        reject("position", _("The position is longer than 200 characters."))
    status = RegistrationStatus.REGISTERED
    if values.get("status"):
        found = STATUS_VALUES.get(fold(values["status"]))
        if found is None:
            reject(
                "status",
                _(
                    "{value} is not a status: write registered, attended, completed, absent or "
                    "withdrawn."
                ).format(value=values["status"]),
            )
        else:
            status = found
    scores: dict[str, Decimal | None] = {}
    for column in ("pre_score", "post_score"):
        scores[column] = None
        if values.get(column):
            try:
                scores[column] = parse_score(values[column])
            except ValueError:
                reject(
                    column,
                    _("{value} is not a score from 0 to 100 (at most two decimals).").format(
                        value=values[column]
                    ),
                )
    if errors:
        return None, errors
    details = PersonDetails(
        full_name=name,
        sex=str(sex),
        email=email,
        organization_name=organisation,
        member_state=state,
        position=position,
    )
    return ParticipantRow(line, details, str(status), scores["pre_score"], scores["post_score"]), []


def check_file(data: bytes, filename: str) -> tuple[list[ParticipantRow], list[RowError]]:
    """Every row of the file, checked: the valid rows and every rejected one. Raises
    :class:`ImportFileError` for a file that cannot be read at all."""
    table = read_table(data, filename)
    positions: dict[str, int] | None = None
    rows: list[ParticipantRow] = []
    errors: list[RowError] = []
    states = StateIndex()
    seen: dict[str, int] = {}
    count = 0
    for line, cells in table:
        if not any(cells):
            continue
        if positions is None:
            positions, header_errors = _header(cells)
            if header_errors:
                return [], header_errors
            continue
        count += 1
        if count > max_rows():
            raise ImportFileError(
                _("The list has more than {count} rows: split it.").format(count=max_rows())
            )
        extra = [c for i, c in enumerate(cells) if c and i not in positions.values()]
        if extra:
            errors.append(RowError(line, "", _("This row has more cells than the header.")))
            continue
        values = {
            column: (cells[index] if index < len(cells) else "")
            for column, index in positions.items()
        }
        row, row_errors = _check_row(line, values, states)
        errors += row_errors
        if row is None:
            continue
        # The same person twice in one list is a mistake to fix, not to guess about.
        key = email_key(row.details.email) or name_key(
            row.details.full_name, row.details.member_state, row.details.organization_name
        )
        if key in seen:
            errors.append(
                RowError(
                    line,
                    "email" if row.details.email else "name",
                    _("The same person as on line {line}.").format(line=seen[key]),
                )
            )
            continue
        seen[key] = line
        rows.append(row)
    if positions is None:
        return [], [
            RowError(
                1, "", _("The file is empty: it needs a header row and a row per participant.")
            )
        ]
    if not rows and not errors:
        errors.append(RowError(2, "", _("The list has no participant.")))
    return rows, errors
