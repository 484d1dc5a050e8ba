"""The demo's participants (called by the work plan's demo, ``cicte.workplan.demo``): people of
every sex from several member states, registered for the demo events; those of past events
attended or completed with pre- and post-test scores, the completions of trainings certified,
and one certificate revoked. Everything goes through ``services_people``; a second run writes
nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from django.utils import timezone

from cicte.accounts.models import MemberState, User
from cicte.workplan import services_people as services
from cicte.workplan.choices import EventKind, RegistrationStatus, Sex
from cicte.workplan.models import Certificate, Event, Person, Registration

# (name, sex, email, organisation, state, position): fictitious people, example domains.
PEOPLE = [
    (
        "Valentina Rojas (demo)",
        Sex.FEMALE,
        "v.rojas@example.gob.cl",
        "CSIRT de Gobierno",
        "CL",
        "Analyst",
    ),
    (
        "Mateo Fernández (demo)",
        Sex.MALE,
        "m.fernandez@example.gob.ar",
        "Ministerio de Seguridad",
        "AR",
        "Inspector",
    ),
    ("Camila Souza (demo)", Sex.FEMALE, "c.souza@example.gov.br", "Polícia Federal", "BR", "Agent"),
    ("Andrés Gutiérrez (demo)", Sex.MALE, "", "Policía Nacional", "CO", "Lieutenant"),
    (
        "Sofía Hernández (demo)",
        Sex.FEMALE,
        "s.hernandez@example.gob.mx",
        "CERT-MX",
        "MX",
        "Incident handler",
    ),
    (
        "Alex Campbell (demo)",
        Sex.OTHER,
        "a.campbell@example.gov.jm",
        "Jamaica Customs Agency",
        "JM",
        "Officer",
    ),
    (
        "Renée Joseph (demo)",
        Sex.FEMALE,
        "",
        "Trinidad and Tobago Coast Guard",
        "TT",
        "Sub-Lieutenant",
    ),
    (
        "Jordan Smith (demo)",
        Sex.UNDISCLOSED,
        "j.smith@example.gov",
        "Department of Homeland Security",
        "US",
        "Program analyst",
    ),
    (
        "Marie Tremblay (demo)",
        Sex.FEMALE,
        "m.tremblay@example.gc.ca",
        "Transport Canada",
        "CA",
        "Aviation security inspector",
    ),
    (
        "Luis Quispe (demo)",
        Sex.MALE,
        "l.quispe@example.gob.pe",
        "SUNAT Aduanas",
        "PE",
        "Customs officer",
    ),
    (
        "Ana Lucía Morales (demo)",
        Sex.FEMALE,
        "",
        "Superintendencia de Administración Tributaria",
        "GT",
        "Analyst",
    ),
    (
        "José Peña (demo)",
        Sex.MALE,
        "j.pena@example.gob.do",
        "CESAC",
        "DO",
        "Airport security supervisor",
    ),
    (
        "Robin Baptiste (demo)",
        Sex.UNDISCLOSED,
        "",
        "Ministry of National Security",
        "BS",
        "Policy officer",
    ),
    ("Daniela Vargas (demo)", Sex.FEMALE, "d.vargas@example.go.cr", "CSIRT-CR", "CR", "Engineer"),
    (
        "Kai Williams (demo)",
        Sex.OTHER,
        "k.williams@example.gov.bb",
        "Barbados Police Service",
        "BB",
        "Sergeant",
    ),
    ("Pedro Almeida (demo)", Sex.MALE, "p.almeida@example.gov.br", "CTIR Gov", "BR", "Analyst"),
]
# Kinds of event whose completion is certified.
TRAININGS = {
    EventKind.COURSE,
    EventKind.WORKSHOP,
    EventKind.BOOTCAMP,
    EventKind.MOOC,
    EventKind.EXERCISE,
    EventKind.SEMINAR,
}
PER_EVENT = 8
REVOKED_REASON = "Completion recorded for the wrong participant (demo)."


def _people(admin: User, note: Callable[[str, bool], None]) -> list[Person]:
    states = {s.code: s for s in MemberState.objects.all()}
    people = []
    for name, sex, email, organisation, code, position in PEOPLE:
        person, created = services.add_or_update_person(
            actor=admin,
            details=services.PersonDetails(
                full_name=name,
                sex=str(sex),
                email=email,
                organization_name=organisation,
                member_state=states.get(code),
                position=position,
            ),
        )
        if created:
            note(f"participant {name}", True)
        people.append(person)
    return people


def _outcome(index: int, past: bool) -> tuple[str, Decimal | None, Decimal | None]:
    """A participant's fate at an event: most complete a past event, some only attend, one is
    absent; nobody has done anything yet at a future one."""
    if not past:
        return RegistrationStatus.REGISTERED, None, None
    if index % 7 == 6:
        return RegistrationStatus.ABSENT, None, None
    pre = Decimal(35 + (index * 7) % 30)
    post = min(Decimal(100), pre + 20 + (index * 3) % 25)
    if index % 5 == 4:
        return RegistrationStatus.ATTENDED, pre, None
    return RegistrationStatus.COMPLETED, pre, post


def seed_people(
    *,
    admin: User,
    note: Callable[[str, bool], None],
    log: Callable[[str], None],
    events: Iterable[Event] | None = None,
) -> None:
    """Participants for ``events`` (default: every event), as described above."""
    people = _people(admin, note)
    chosen = list(events) if events is not None else list(Event.objects.order_by("starts_at"))
    now = timezone.now()
    registrations = certificates = 0
    for number, event in enumerate(chosen):
        past = event.ends_at < now
        for slot in range(PER_EVENT):
            index = number * 3 + slot
            person = people[index % len(people)]
            if Registration.objects.filter(event=event, person=person).exists():
                continue
            status, pre, post = _outcome(index, past)
            registration = services.register_person(
                actor=admin,
                event=event,
                person=person,
                status=status,
                pre_score=pre,
                post_score=post,
            )
            registrations += 1
            if status == RegistrationStatus.COMPLETED and event.kind in TRAININGS:
                services.issue_certificate(actor=admin, registration=registration)
                certificates += 1
    if registrations:
        note(f"{registrations} registrations, {certificates} certificates", True)
    first = Certificate.objects.order_by("pk").first()
    if first is not None and not Certificate.objects.filter(revoked_at__isnull=False).exists():
        services.revoke_certificate(actor=admin, certificate=first, reason=REVOKED_REASON)
        note(f"certificate {first.pk} revoked", True)
    log(
        f"{len(PEOPLE)} demo participants at {len(chosen)} events, "
        f"{Certificate.objects.count()} certificates"
    )
