"""The demo's domestic designations (called by ``cicte.core.demo.seed``): Colombia's domestic
list (``co``), written through the workflow's services by the FIU's two officials, the
designation officer ``uiaf.officer`` (who proposes) and the approver ``uiaf.approver``, so that
there is a designation at each step: a listed person and a listed organisation, a pending
proposal, an amended designation, a delisted one (with its reason) and a partially unfrozen one
(a humanitarian exemption for basic expenses). Every approval publishes the list, so the list
has versions with their diffs. The people and organisations are fictitious.

A designation is found again by its name in Colombia: a second run finds them all and writes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cicte.accounts.models import MemberState, User
from cicte.designations import services
from cicte.designations.models import Designation

OFFICER, APPROVER = "uiaf.officer", "uiaf.approver"
LAW = {"domestic_law": "Ley 1121 de 2006 (Colombia)", "article": "art. 20"}


def _person(name: str, first: str, second: str, third: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "person",
        "name": name,
        "first_name": first,
        "second_name": second,
        "third_name": third,
        **LAW,
        **extra,
    }


# (data, steps after the designation's approval: (kind, payload)); "pending": not approved.
DEMO: tuple[tuple[dict[str, Any], tuple[tuple[str, dict[str, Any]], ...]], ...] = (
    (
        _person(
            "Rodrigo Alfonso Betancur Ríos", "Rodrigo Alfonso", "Betancur", "Ríos",
            aliases=[{"name": "El Ingeniero", "quality": "good"},
                     {"name": "Rodrigo Betancourt", "quality": "low"}],
            gender="male", dates_of_birth=["1971-08-02"], place_of_birth="Medellín, Antioquia",
            birth_country="co", nationalities=["co"],
            documents=[{"type": "national_id", "number": "71.234.567", "country": "co"},
                       {"type": "passport", "number": "PE0912345", "country": "co"}],
            addresses=[{"street": "Calle 50 # 40-20", "city": "Medellín",
                        "region": "Antioquia", "country": "co"}],
            statement_of_case="Demo data. Financial intelligence reports of 2025 show transfers "
            "of 1,200,000,000 COP from construction companies he controls to accounts of a "
            "designated armed group; witness statements in case 2025-0412.",
            public_summary="Provided funds to a terrorist group through construction companies "
            "under his control (demo data).",
        ),
        (),
    ),
    (
        {
            "kind": "organization", "name": "Fundación Amanecer Solidario",
            "aliases": [{"name": "FAS", "quality": "good"},
                        {"name": "Fundación Amanecer", "quality": "former"}],
            "legal_form": "Fundación (entidad sin ánimo de lucro)",
            "registration_number": "S0045871", "jurisdiction": "co",
            "documents": [{"type": "tax_number", "number": "900.456.789-1", "country": "co"}],
            "addresses": [{"street": "Carrera 15 # 93-60", "city": "Bogotá",
                           "region": "Cundinamarca", "country": "co"}],
            **LAW,
            "statement_of_case": "Demo data. Donations collected in 2024-2025 were moved to "
            "persons linked to a designated group; bank records in case 2025-0588.",
            "public_summary": "Collected funds under cover of charity for a terrorist group "
            "(demo data).",
        },
        (),
    ),
    (
        _person(
            "Mauricio Esteban Quintero Lozano", "Mauricio Esteban", "Quintero", "Lozano",
            gender="male", dates_of_birth=["1984"], birth_country="co",
            nationalities=["co", "ve"],
            documents=[{"type": "national_id", "number": "1.020.345.678", "country": "co"}],
            statement_of_case="Demo data. Under investigation for recruiting and financing "
            "(case 2026-0101): awaiting the approver's decision.",
            public_summary="Recruited for and financed a terrorist group (demo data).",
        ),
        (("pending", {}),),
    ),
    (
        _person(
            "Sandra Milena Cifuentes Arango", "Sandra Milena", "Cifuentes", "Arango",
            gender="female", dates_of_birth=["1979-11-23"], nationalities=["co"],
            documents=[{"type": "national_id", "number": "43.876.543", "country": "co"}],
            statement_of_case="Demo data. Managed the finances of a designated group's urban "
            "network (case 2024-0977).",
            public_summary="Managed funds of a terrorist group (demo data).",
        ),
        (
            (
                "amend",
                {
                    "aliases": [{"name": "La Contadora", "quality": "good"}],
                    "documents": [
                        {"type": "national_id", "number": "43.876.543", "country": "co"},
                        {"type": "passport", "number": "PE0456789", "country": "co"},
                    ],
                    "addresses": [{"street": "Avenida 6N # 23-45", "city": "Cali",
                                   "region": "Valle del Cauca", "country": "co"}],
                },
            ),
        ),
    ),
    (
        _person(
            "Jairo Hernán Villamizar Pabón", "Jairo Hernán", "Villamizar", "Pabón",
            gender="male", dates_of_birth=["1966-04-09"], nationalities=["co"],
            documents=[{"type": "national_id", "number": "13.456.789", "country": "co"}],
            statement_of_case="Demo data. Supplied funds to a designated group in 2019-2021.",
            public_summary="Supplied funds to a terrorist group (demo data).",
        ),
        (
            (
                "delist",
                {"reason": "The Supreme Court acquitted him in final judgment (demo data); the "
                 "grounds for the designation no longer exist."},
            ),
        ),
    ),
    (
        _person(
            "Luz Dary Ocampo Restrepo", "Luz Dary", "Ocampo", "Restrepo",
            gender="female", dates_of_birth=["1958"], nationalities=["co"],
            documents=[{"type": "national_id", "number": "24.567.890", "country": "co"}],
            addresses=[{"street": "Calle 19 # 7-48", "city": "Pereira",
                        "region": "Risaralda", "country": "co"}],
            statement_of_case="Demo data. Held funds for a designated group (case 2023-0345).",
            public_summary="Held funds of a terrorist group (demo data).",
        ),
        (
            (
                "unfreeze",
                {"scope": "basic_expenses", "amount": "2500000", "currency": "COP",
                 "terms": "Monthly, for food, rent and medicines, paid from the frozen account "
                 "at Banco Demostración de las Américas to her landlord and pharmacy, for 12 "
                 "months.",
                 "reason": "She is 68 and has no other income (demo data)."},
            ),
        ),
    ),
)  # fmt: skip


def seed(*, admin: Any, note: Callable[[str, bool], None], log: Callable[[str], None]) -> None:
    officer = User.objects.select_related("organization").get(username=OFFICER)
    approver = User.objects.select_related("organization").get(username=APPROVER)
    colombia = MemberState.objects.get(code="CO")
    made = 0
    for data, steps in DEMO:
        if Designation.objects.filter(member_state=colombia, name=data["name"]).exists():
            continue
        action = services.propose_designation(actor=officer, member_state=colombia, data=data)
        designation = action.designation
        if steps and steps[0][0] == "pending":
            note(f"designation proposal {designation.reference}", True)
            made += 1
            continue
        services.approve(actor=approver, action=action, note="Evidence reviewed (demo data).")
        for kind, change in steps:
            designation.refresh_from_db()
            payload = {**data, **change} if kind == "amend" else change
            step = services.propose_action(
                actor=officer, designation=designation, kind=kind, data=payload
            )
            services.approve(actor=approver, action=step, note="Reviewed (demo data).")
        note(f"designation {designation.reference}", True)
        made += 1
    if made:
        log(f"{made} domestic designations of Colombia (list co)")
