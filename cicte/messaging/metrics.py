"""How fast the member states take up what reaches them: per state and per network, the median
time from sending to acknowledgment and to the first response, over a period.

The figures are timings, never content. They are computed over the deliveries of the messages a
person may read (``readable_by``), and, for those who see a network's communication checks (the
Secretariat, the network's national coordinators), over every delivery of that network: the
same people who see the checks' response times see these beside them."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from cicte.accounts import permissions
from cicte.messaging.choices import MessageKind
from cicte.messaging.models import Delivery, Message


@dataclass
class Figures:
    network: Any
    member_state: Any = None  # None: the network as a whole
    addressed: int = 0
    acknowledged: int = 0
    answered: int = 0
    ack_seconds: list[float] = field(default_factory=list)
    answer_seconds: list[float] = field(default_factory=list)

    @property
    def median_ack_seconds(self) -> int | None:
        return round(statistics.median(self.ack_seconds)) if self.ack_seconds else None

    @property
    def median_answer_seconds(self) -> int | None:
        return round(statistics.median(self.answer_seconds)) if self.answer_seconds else None

    @property
    def median_ack(self) -> str:
        from cicte.directory.checks import format_duration

        return format_duration(self.median_ack_seconds)

    @property
    def median_answer(self) -> str:
        from cicte.directory.checks import format_duration

        return format_duration(self.median_answer_seconds)

    def add(self, delivery: Any) -> None:
        self.addressed += 1
        if delivery.acknowledged_at is not None:
            self.acknowledged += 1
            self.ack_seconds.append(
                (delivery.acknowledged_at - delivery.message.sent_at).total_seconds()
            )
        if delivery.answered_at is not None:
            self.answered += 1
            self.answer_seconds.append(
                (delivery.answered_at - delivery.message.sent_at).total_seconds()
            )


def check_networks(user: Any) -> set[int] | None:
    """The networks whose every delivery ``user`` sees in the figures (None: all of them)."""
    if permissions.has_global_perm(user, "directory.view_all_directories"):
        return None
    return permissions.networks_with_perm(user, "directory.manage_designations")


def deliveries_for(user: Any) -> Any:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Delivery.objects.none()
    networks = check_networks(user)
    if networks is None:
        return Delivery.objects.all()
    condition = Q(message__in=Message.objects.readable_by(user).values("pk"))
    if networks:
        condition |= Q(message__network_id__in=sorted(networks))
    return Delivery.objects.filter(condition)


def compute(
    user: Any,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    network: Any = None,
) -> list[Figures]:
    """Per network (first, ``member_state`` None) and per state of it, over the messages sent
    from ``start`` to ``end`` (both days included); responses themselves are left out."""
    deliveries = (
        deliveries_for(user)
        .exclude(message__kind=MessageKind.RESPONSE)
        .select_related("message__network", "member_state")
    )
    if start:
        deliveries = deliveries.filter(message__sent_at__date__gte=start)
    if end:
        deliveries = deliveries.filter(message__sent_at__date__lte=end)
    if network is not None:
        deliveries = deliveries.filter(message__network=network)
    by_network: dict[int, Figures] = {}
    by_state: dict[int, dict[int, Figures]] = defaultdict(dict)
    for delivery in deliveries.order_by():
        net = delivery.message.network
        by_network.setdefault(net.pk, Figures(network=net)).add(delivery)
        by_state[net.pk].setdefault(
            delivery.member_state_id, Figures(network=net, member_state=delivery.member_state)
        ).add(delivery)
    rows: list[Figures] = []
    for net_id, figures in sorted(by_network.items(), key=lambda kv: str(kv[1].network)):
        rows.append(figures)
        rows.extend(sorted(by_state[net_id].values(), key=lambda f: str(f.member_state)))
    return rows
