"""The Committee's work plan and what the Secretariat does under it.

- The plan: ``WorkPlan`` > ``Program`` (A to G; sub-programs such as D.1 maritime protection under
  D, border security) > ``Activity``; each program has its purpose. English is the text of record;
  translations (es, fr, pt) live in ``translations`` and are added in the UI.
- ``Event``: a course, workshop, meeting... serving an activity and networks, targeting member
  states, with its organisers (Secretariat staff or others) who see its participants.
- ``Person``: the participant registry, one row per person across events (deduplicated by email,
  else by name, member state and organisation); ``Registration``: a person at an event, with
  attendance, completion and test scores; ``Certificate``: issued for a completion, verified by
  its code on a public page, revocable.
- ``AssistanceRequest``: a member state's request for assistance ("as requested"), from the note
  verbale to closure with the state's feedback; the events that deliver it point to it.
- ``Indicator`` (per program or activity) and ``IndicatorPeriod`` (baseline, target and actual per
  period); participant-based indicators are counted from the registry, never typed.

Visibility (``visible_to``): the plan, events and aggregate figures for every signed-in person;
people's personal data for the Secretariat (``workplan.manage_workplan``) and the organisers of
the events they attend; requests for assistance for the Secretariat and the requesting state's
coordinators (``workplan.request_assistance`` in any network for that state).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cicte.accounts import permissions
from cicte.workplan.choices import (
    ActivityStatus,
    EventKind,
    GenderMarker,
    IndicatorSource,
    Modality,
    PartnerRole,
    RegistrationStatus,
    RequestClosure,
    RequestStatus,
    Sex,
)

MANAGE = "workplan.manage_workplan"
REQUEST = "workplan.request_assistance"
LANGUAGES = ("en", "es", "fr", "pt")


def _signed_in(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_secretariat(user: Any) -> bool:
    """Whether the person runs the work plan (the Secretariat's global permission)."""
    return _signed_in(user) and permissions.has_global_perm(user, MANAGE)


def coordinated_states(user: Any) -> set[int]:
    """The member states for which the person requests assistance (their coordinators)."""
    if not _signed_in(user):
        return set()
    return permissions.member_states_with_perm(user, REQUEST)


class Translatable(models.Model):
    """English text of record plus ``translations``: {"es": {"title": ..., ...}, ...}."""

    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        abstract = True

    def translated(self, field: str, language: str | None = None) -> str:
        language = (language or get_language() or "en")[:2]
        text = (self.translations.get(language) or {}).get(field)
        return text or getattr(self, field)


class PublicQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: Any) -> PublicQuerySet:
        """The plan, its programs, activities, partners and events: every signed-in person."""
        return self if _signed_in(user) else self.none()


class WorkPlan(models.Model):
    title = models.CharField(_("title"), max_length=300)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approval_note = models.CharField(_("approval"), max_length=300, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        permissions = [
            ("manage_workplan", "Can run the work plan: events, participants, results"),
            ("request_assistance", "Can request and follow assistance for a member state"),
        ]

    def __str__(self) -> str:
        return self.title


class Program(Translatable):
    work_plan = models.ForeignKey(
        WorkPlan, verbose_name=_("work plan"), on_delete=models.CASCADE, related_name="programs"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("program"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subprograms",
    )
    code = models.CharField(_("code"), max_length=10)  # "A" ... "G", "D.1" ...
    title = models.CharField(_("title"), max_length=300)
    purpose = models.TextField(_("purpose"), blank=True)
    order = models.PositiveIntegerField(default=0)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["work_plan", "order"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.UniqueConstraint(fields=["work_plan", "code"], name="workplan_program_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.translated('title')}"


class Activity(Translatable):
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="activities"
    )
    code = models.CharField(_("code"), max_length=12)  # "A.1", "D.1.3"
    title = models.TextField(_("activity"))
    order = models.PositiveIntegerField(default=0)
    gender_marker = models.PositiveSmallIntegerField(
        _("gender marker"),
        choices=GenderMarker.choices,
        default=GenderMarker.NOT_TARGETED,
        help_text=_("OECD DAC gender equality policy marker."),
    )
    networks = models.ManyToManyField(
        "accounts.Network", verbose_name=_("networks"), blank=True, related_name="+"
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["program", "order"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="workplan_activity_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.translated('title')[:80]}"


class Partner(models.Model):
    """A partner or donor organisation (IATI: implementing or funding organisation)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    iati_ref = models.CharField(
        _("IATI organisation identifier"),
        max_length=100,
        blank=True,
        help_text=_("e.g. XM-DAC-41122 (optional)"),
    )
    country = models.CharField(_("country (ISO 3166-1 alpha-2)"), max_length=2, blank=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.name


class Event(Translatable):
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    request = models.ForeignKey(
        "AssistanceRequest",
        verbose_name=_("request for assistance"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/New_York", help_text=_("IANA name")
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    country = models.CharField(_("country (ISO 3166-1 alpha-2)"), max_length=2, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    status = models.CharField(
        _("status"),
        max_length=1,
        choices=ActivityStatus.choices,
        default=ActivityStatus.PIPELINE,
        help_text=_("IATI activity status."),
    )
    networks = models.ManyToManyField(
        "accounts.Network", verbose_name=_("networks"), blank=True, related_name="+"
    )
    target_states = models.ManyToManyField(
        "accounts.MemberState",
        verbose_name=_("member states targeted"),
        blank=True,
        related_name="+",
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organisers"),
        blank=True,
        related_name="organised_events",
        help_text=_("They see and manage the event's participants."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="workplan_event_ends_after"
            )
        ]

    def __str__(self) -> str:
        return self.translated("title")

    def can_see_participants(self, user: Any) -> bool:
        return is_secretariat(user) or (
            _signed_in(user) and self.organisers.filter(pk=user.pk).exists()
        )


class EventPartner(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="event_partners")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="event_roles")
    role = models.CharField(_("role"), max_length=10, choices=PartnerRole.choices)

    class Meta:
        verbose_name = _("event partner")
        verbose_name_plural = _("event partners")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "partner", "role"], name="workplan_event_partner_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} ({self.role})"


class PersonQuerySet(models.QuerySet["Person"]):
    def visible_to(self, user: Any) -> PersonQuerySet:
        """Personal data: the Secretariat sees everyone; an event's organisers see the people
        registered for their events; nobody else (coordinators included)."""
        if is_secretariat(user):
            return self
        if not _signed_in(user):
            return self.none()
        return self.filter(registrations__event__organisers=user).distinct()


class Person(models.Model):
    """One participant, whatever the events: the registry deduplicates people across events."""

    full_name = models.CharField(_("name"), max_length=200)
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices)
    email = models.EmailField(_("email"), blank=True)
    # Case-folded email, or empty: the deduplication key when there is one.
    email_key = models.CharField(max_length=254, blank=True, db_index=True)
    # Case- and accent-folded name, member state and organisation: the key without an email.
    name_key = models.CharField(max_length=300, db_index=True)
    organization_name = models.CharField(_("organisation"), max_length=300, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation on the platform"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    member_state = models.ForeignKey(
        "accounts.MemberState",
        verbose_name=_("member state"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.CharField(_("role or position"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("platform account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["email_key"],
                condition=~Q(email_key=""),
                name="workplan_person_email_once",
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def visible_to(self, user: Any) -> RegistrationQuerySet:
        """Who took part, with their scores: as ``Person`` (Secretariat, the event's organisers)."""
        if is_secretariat(user):
            return self
        if not _signed_in(user):
            return self.none()
        return self.filter(event__organisers=user)

    def reached(self) -> RegistrationQuerySet:
        """People reached: attended or completed."""
        return self.filter(status__in=[RegistrationStatus.ATTENDED, RegistrationStatus.COMPLETED])

    def trained(self) -> RegistrationQuerySet:
        """People trained: completed."""
        return self.filter(status=RegistrationStatus.COMPLETED)


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )
    pre_score = models.DecimalField(
        _("pre-test score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    post_score = models.DecimalField(
        _("post-test score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    registered_at = models.DateTimeField(default=timezone.now)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["event", "person__full_name"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="workplan_registration_once"),
            models.CheckConstraint(
                condition=(Q(pre_score__isnull=True) | Q(pre_score__gte=0, pre_score__lte=100))
                & (Q(post_score__isnull=True) | Q(post_score__gte=0, post_score__lte=100)),
                name="workplan_scores_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.event}"

    @property
    def certificate(self) -> Certificate | None:
        """The current certificate: the valid one, else the latest revoked one (a revoked
        certificate may be re-issued under a new code; the old one stays revoked). Reads
        ``certificates`` through ``prefetch_related`` when the caller prefetched it."""
        issued = sorted(self.certificates.all(), key=lambda c: (c.revoked_at is None, c.pk))
        return issued[-1] if issued else None


def new_certificate_code() -> str:
    """A verification code: 16 characters of Crockford base32 (80 bits), grouped by four."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def visible_to(self, user: Any) -> CertificateQuerySet:
        """Certificates with their holder: the Secretariat and the event's organisers (the public
        verification page shows one certificate by its code, see cicte.workplan.views)."""
        if is_secretariat(user):
            return self
        if not _signed_in(user):
            return self.none()
        return self.filter(registration__event__organisers=user)

    def held_by(self, user: Any) -> CertificateQuerySet:
        """The certificates of the participant linked to ``user``'s account (``Person.user``,
        set when the person is registered with the account's email): their "My certificates"."""
        if not _signed_in(user):
            return self.none()
        return self.filter(registration__person__user=user)

    def valid(self) -> CertificateQuerySet:
        return self.filter(revoked_at__isnull=True)

    def downloadable_by(self, user: Any) -> CertificateQuerySet:
        """Whose PDF ``user`` may download: those they see (the Secretariat, the event's
        organisers) and their own valid ones (the holder); nobody else's."""
        visible = self.model.objects.visible_to(user).values("pk")
        held = self.model.objects.held_by(user).valid().values("pk")
        return self.filter(Q(pk__in=visible) | Q(pk__in=held))


class Certificate(models.Model):
    """Issued for a completed registration; anyone holding the code can verify it (public
    page: name, event, dates, status), and it can be revoked with a reason. A registration has
    at most one valid certificate; a revoked one may be re-issued under a new code (the old
    code keeps saying "revoked")."""

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="certificates"
    )
    code = models.CharField(max_length=19, unique=True, default=new_certificate_code)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(revoked_at__isnull=True),
                name="workplan_certificate_one_valid",
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class AssistanceRequestQuerySet(models.QuerySet["AssistanceRequest"]):
    def visible_to(self, user: Any) -> AssistanceRequestQuerySet:
        """The Secretariat sees every request; a coordinator those of their states."""
        if is_secretariat(user):
            return self
        return self.filter(member_state_id__in=coordinated_states(user))


class AssistanceRequest(models.Model):
    """A member state's request for assistance, from the note verbale to its closure."""

    member_state = models.ForeignKey(
        "accounts.MemberState",
        verbose_name=_("member state"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("what is requested"))
    note_verbale = models.CharField(_("note verbale reference"), max_length=100, blank=True)
    received_on = models.DateField(_("received on"))
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    triage_note = models.TextField(_("triage"), blank=True)
    # The day each stage was reached: the pipeline shows how long each stage took.
    triaged_on = models.DateField(_("triaged on"), null=True, blank=True)
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure = models.CharField(
        _("closed because"), max_length=12, choices=RequestClosure.choices, blank=True
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1 to 5)"), null=True, blank=True
    )
    feedback = models.TextField(_("the state's feedback"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssistanceRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("request for assistance")
        verbose_name_plural = _("requests for assistance")
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="workplan_satisfaction_1_5",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Indicator(Translatable):
    """A result indicator of a program or an activity; its actual values are typed in
    (``manual``) or counted from the registry (every other source), never both."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="indicators"
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
    )
    title = models.CharField(_("indicator"), max_length=300)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    source = models.CharField(
        _("source of the actual values"),
        max_length=15,
        choices=IndicatorSource.choices,
        default=IndicatorSource.MANUAL,
    )
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["program", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.translated("title")


class IndicatorPeriod(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="periods")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # Reported value: only for manual indicators (the others are counted, see cicte.workplan.results).
    actual = models.DecimalField(
        _("actual"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["indicator", "start"]
        verbose_name = _("indicator period")
        verbose_name_plural = _("indicator periods")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "start"], name="workplan_period_once"),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="workplan_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.start} to {self.end}"


class CalendarFeed(models.Model):
    """A person's secret iCalendar address (events of their networks); revocable: a new one
    replaces it and the old address answers 404."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    # Only the SHA-256 of the secret is kept; the address is shown once when made.
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user}'s calendar"
