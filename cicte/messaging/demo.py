"""The demo's secure exchange (called by ``cicte.core.demo.seed``), written through the services
by the demo accounts who are designated contacts or network members:

- CSIRTAmericas: colCERT (Colombia) asks CERT-MX (Mexico) and TT-CSIRT (Trinidad and Tobago)
  for information on a phishing kit (TLP:AMBER, priority); Mexico acknowledges and answers,
  Trinidad and Tobago has not yet;
- CSIRTAmericas: CERT-MX alerts colCERT to a ransomware campaign (TLP:AMBER), acknowledged;
- targeted financial sanctions: Trinidad and Tobago's FIU sends a notice to the whole network
  (TLP:GREEN);
- the Inter-American Network against Terrorism: Mexico's coordinator sends an IMMEDIATE alert to
  Argentina that nobody acknowledged: it went to Argentina's alternate and 24/7 desk, then to
  the Secretariat's duty officer (the Secretariat administrator of the demo holds the role), both
  steps recorded.

Times are moved into the past (a day or two ago) so that the metrics have figures. Each thread is
found again by its subject: a second run writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.utils import timezone

from cicte.accounts.models import MemberState, Network, Role, RoleAssignment, User
from cicte.core.choices import TLP
from cicte.messaging import emails, escalation, services
from cicte.messaging.choices import MessageKind, Urgency
from cicte.messaging.models import Delivery, EscalationStep, Message

CSIRT = "csirtamericas"
TFS = "targeted-financial-sanctions"
IANT = "inter-american-network-against-terrorism"

RFI_SUBJECT = "Phishing kit impersonating regional banks: seen in your constituency?"
ALERT_SUBJECT = "Ransomware campaign against municipal governments"
NOTICE_SUBJECT = "Updated guidance on freezing without delay (UNSCR 1373)"
IMMEDIATE_SUBJECT = "Credible threat against a border crossing: please acknowledge"


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _state(code: str) -> MemberState:
    return MemberState.objects.get(code=code)


def _shift(root: Message, delta: dt.timedelta) -> None:
    """Move a thread's times (sending, delivery, escalation) ``delta`` into the past."""
    messages = Message.objects.filter(Q(pk=root.pk) | Q(thread=root))
    deliveries = Delivery.objects.filter(message__in=messages)
    # A past thread was delivered when it was sent: recorded as the worker would have (it then
    # finds them delivered and sends nothing: no demo email, nothing printed by seed_demo).
    for delivery in deliveries.filter(notified_at__isnull=True).select_related("message"):
        reached = len(emails.recipients_for(delivery, 0))
        if reached:
            Delivery.objects.filter(pk=delivery.pk).update(
                notified_at=delivery.message.sent_at, notified_to=reached
            )
    messages.update(sent_at=F("sent_at") - delta)
    messages.filter(due_at__isnull=False).update(due_at=F("due_at") - delta)
    for name in ("notified_at", "read_at", "acknowledged_at", "answered_at"):
        deliveries.filter(**{f"{name}__isnull": False}).update(**{name: F(name) - delta})
    EscalationStep.objects.filter(delivery__in=deliveries).update(at=F("at") - delta)


def _exists(subject: str) -> bool:
    return Message.objects.filter(subject=subject, thread__isnull=True).exists()


def _duty_officer(admin: User) -> None:
    role = Role.objects.filter(slug="duty_officer").first()
    if role is None or RoleAssignment.objects.filter(user=admin, role=role).exists():
        return
    from cicte.accounts import services as account_services

    try:
        account_services.assign_role(actor=admin, user=admin, role=role)
    except (PermissionDenied, ValidationError):
        return


def seed(*, admin: Any, note: Callable[[str, bool], None], log: Callable[[str], None]) -> None:
    networks = {n.slug: n for n in Network.objects.filter(slug__in=[CSIRT, TFS, IANT])}
    colcert, certmx = _user("colcert.analyst"), _user("certmx.analyst")
    fiutt, mx_coordinator = _user("fiutt.analyst"), _user("mx.coordinator")
    if None in (colcert, certmx, fiutt, mx_coordinator) or len(networks) < 3:
        return
    assert colcert and certmx and fiutt and mx_coordinator
    now = timezone.now()
    written = 0

    if not _exists(RFI_SUBJECT):
        rfi = services.send_message(
            actor=colcert,
            network=networks[CSIRT],
            kind=MessageKind.RFI,
            urgency=Urgency.PRIORITY,
            tlp=TLP.AMBER,
            subject=RFI_SUBJECT,
            body=(
                "colCERT is handling a phishing kit that imitates the login pages of three "
                "regional banks (kit name 'BancaSegura v3'). Have you seen it in your "
                "constituency? Please share hosting IPs and first-seen dates."
            ),
            language="en",
            states=[_state("MX"), _state("TT")],
            due_at=now + dt.timedelta(days=5),
        )
        services.acknowledge(actor=certmx, message=rfi)
        services.reply(
            actor=certmx,
            message=rfi,
            body=(
                "Sí: 14 dominios desde el 20 de noviembre, alojados en dos proveedores. "
                "Compartimos los indicadores en la colección de CSIRTAmericas."
            ),
            language="es",
        )
        _shift(rfi, dt.timedelta(days=2))
        written += 1

    if not _exists(ALERT_SUBJECT):
        alert = services.send_message(
            actor=certmx,
            network=networks[CSIRT],
            kind=MessageKind.ALERT,
            urgency=Urgency.PRIORITY,
            tlp=TLP.AMBER,
            subject=ALERT_SUBJECT,
            body=(
                "CERT-MX observa una campaña de ransomware contra gobiernos municipales que entra "
                "por VPN sin segundo factor. Recomendamos revisar accesos VPN de las últimas 72 h."
            ),
            language="es",
            states=[_state("CO")],
        )
        services.record_read(actor=colcert, message=alert)
        services.acknowledge(actor=colcert, message=alert)
        _shift(alert, dt.timedelta(days=1))
        written += 1

    if not _exists(NOTICE_SUBJECT):
        notice = services.send_message(
            actor=fiutt,
            network=networks[TFS],
            kind=MessageKind.NOTICE,
            urgency=Urgency.ROUTINE,
            tlp=TLP.GREEN,
            subject=NOTICE_SUBJECT,
            body=(
                "The FIU of Trinidad and Tobago shares its updated guidance to reporting "
                "entities on freezing without delay under UNSCR 1373."
            ),
            language="en",
            whole_network=True,
        )
        _shift(notice, dt.timedelta(days=3))
        written += 1

    if not _exists(IMMEDIATE_SUBJECT):
        _duty_officer(admin)
        immediate = services.send_message(
            actor=mx_coordinator,
            network=networks[IANT],
            kind=MessageKind.ALERT,
            urgency=Urgency.IMMEDIATE,
            tlp=TLP.AMBER,
            subject=IMMEDIATE_SUBJECT,
            body=(
                "Información recibida hace una hora indica un posible ataque contra un paso "
                "fronterizo. Rogamos acusar recibo y contactar a nuestro centro 24/7."
            ),
            language="es",
            states=[_state("AR")],
        )
        _shift(immediate, dt.timedelta(hours=2))
        immediate.refresh_from_db()
        period = dt.timedelta(minutes=escalation.minutes_for(immediate.network_id))
        escalation.escalate(immediate.sent_at + period + dt.timedelta(minutes=1))
        escalation.escalate(immediate.sent_at + 2 * period + dt.timedelta(minutes=2))
        written += 1

    if written:
        note(f"{written} threads of the secure exchange", True)
        log(f"{written} threads of the secure exchange")
