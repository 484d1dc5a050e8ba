"""A small world for the exchange's tests: the Inter-American Network against Terrorism with
Mexico, Colombia and Argentina (each a designated point of contact with an account, Mexico also
an alternate and a 24/7 desk), a Secretariat member of the network, a duty officer, and someone
of another network."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from cicte.accounts.choices import OrganizationKind
from cicte.accounts.models import MemberState, Network, User
from cicte.accounts.tests import factories as af
from cicte.core.choices import TLP
from cicte.directory.tests import factories as df
from cicte.messaging import services
from cicte.messaging.choices import MessageKind, Urgency
from cicte.messaging.models import Message

IANT = "inter-american-network-against-terrorism"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class World:
    network: Network
    mx: MemberState
    co: MemberState
    ar: MemberState
    mx_user: User
    mx_alt_user: User
    co_user: User
    ar_user: User
    secretariat: User
    duty: User
    other_network: User
    admin: User


def _person(state: str, admin: User, role: str = "national_poc", **user_kwargs: Any) -> User:
    organization = af.OrganizationFactory(
        member_state=af.state(state), kind=OrganizationKind.MINISTRY
    )
    user = af.UserFactory(organization=organization, **user_kwargs)
    contact = df.contact(organization, actor=admin, user=user)
    df.designation(contact, IANT, role, actor=admin)
    return user


def world() -> World:
    admin = af.secretariat_admin(username="sec-admin")
    mx_user = _person("MX", admin, username="mx-poc", preferred_language="es")
    mx_alt_user = _person("MX", admin, "alternate", username="mx-alt")
    # Mexico's 24/7 desk: a functional contact without an account.
    desk = df.contact(
        mx_user.organization,
        actor=admin,
        name="Centro de Mando 24/7",
        emails=[{"kind": "institutional", "address": "desk@mx.example.org"}],
    )
    df.designation(desk, IANT, "operational", actor=admin)
    co_user = _person("CO", admin, username="co-poc")
    ar_user = _person("AR", admin, username="ar-poc")
    secretariat = af.UserFactory(organization=af.secretariat(), username="sec-member")
    af.grant(secretariat, "member", network_slug=IANT)
    duty = af.UserFactory(organization=af.secretariat(), username="sec-duty")
    af.grant(duty, "duty_officer")
    other_org = af.OrganizationFactory(member_state=af.state("BR"))
    other_network = af.UserFactory(organization=other_org, username="br-csirt")
    af.grant(other_network, "member", network_slug="csirtamericas")
    return World(
        network=af.network(IANT),
        mx=af.state("MX"),
        co=af.state("CO"),
        ar=af.state("AR"),
        mx_user=mx_user,
        mx_alt_user=mx_alt_user,
        co_user=co_user,
        ar_user=ar_user,
        secretariat=secretariat,
        duty=duty,
        other_network=other_network,
        admin=admin,
    )


def pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def send(
    w: World,
    *,
    sender: User | None = None,
    to: tuple[MemberState, ...] | None = None,
    tlp: str = TLP.AMBER,
    kind: str = MessageKind.ALERT,
    urgency: str = Urgency.ROUTINE,
    files: tuple[Any, ...] = (),
    run_jobs: bool = True,
    **kwargs: Any,
) -> Message:
    """A message from Colombia (by default) to Mexico; the jobs after commit run (huey is
    immediate in the tests)."""
    if kind == MessageKind.RFI:
        kwargs.setdefault("due_at", timezone.now() + dt.timedelta(days=3))
    with TestCase.captureOnCommitCallbacks(execute=run_jobs):
        return services.send_message(
            actor=sender or w.co_user,
            network=w.network,
            kind=kind,
            subject=kwargs.pop("subject", "Suspicious cargo bound for Veracruz"),
            body=kwargs.pop("body", "Container MSKU-1234567 carries undeclared precursors."),
            urgency=urgency,
            tlp=tlp,
            states=to if to is not None else (w.mx,),
            files=list(files),
            **kwargs,
        )
