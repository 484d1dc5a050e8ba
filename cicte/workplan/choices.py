"""Choices of the work plan module."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    COURSE = "course", _("Course")
    WORKSHOP = "workshop", _("Workshop")
    FORUM = "forum", _("Forum")
    SEMINAR = "seminar", _("Seminar")
    SYMPOSIUM = "symposium", _("Symposium")
    EXERCISE = "exercise", _("Exercise")
    BOOTCAMP = "bootcamp", _("Bootcamp")
    MOOC = "mooc", _("MOOC")
    MISSION = "mission", _("Technical mission")
    PEER_REVIEW = "peer_review", _("Peer review")
    MEETING = "meeting", _("Meeting")


class Modality(models.TextChoices):
    VIRTUAL = "virtual", _("Virtual")
    IN_PERSON = "in_person", _("In person")
    HYBRID = "hybrid", _("Hybrid")


class ActivityStatus(models.TextChoices):
    """IATI ActivityStatus codes (codelist ActivityStatus, version 2.03)."""

    PIPELINE = "1", _("Pipeline/identification")
    IMPLEMENTATION = "2", _("Implementation")
    FINALISATION = "3", _("Finalisation")
    CLOSED = "4", _("Closed")
    CANCELLED = "5", _("Cancelled")
    SUSPENDED = "6", _("Suspended")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ATTENDED = "attended", _("Attended")
    COMPLETED = "completed", _("Completed")
    ABSENT = "absent", _("Did not attend")
    WITHDRAWN = "withdrawn", _("Withdrew")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    TRIAGED = "triaged", _("Triaged")
    PLANNED = "planned", _("Planned")
    DELIVERED = "delivered", _("Delivered")
    CLOSED = "closed", _("Closed")
    DECLINED = "declined", _("Declined")


class RequestClosure(models.TextChoices):
    """Why a delivered request was closed."""

    FEEDBACK = "feedback", _("The state gave its feedback")
    NO_FEEDBACK = "no_feedback", _("No feedback")


class GenderMarker(models.IntegerChoices):
    """OECD DAC gender equality policy marker."""

    NOT_TARGETED = 0, _("0: not targeted")
    SIGNIFICANT = 1, _("1: significant objective")
    PRINCIPAL = 2, _("2: principal objective")


class PartnerRole(models.TextChoices):
    """What an organisation does for an event (IATI OrganisationRole: 1 funding, 4 implementing)."""

    PARTNER = "partner", _("Partner")
    DONOR = "donor", _("Donor")


class IndicatorSource(models.TextChoices):
    """Where an indicator's actual values come from: typed in, or counted from the registry."""

    MANUAL = "manual", _("Reported")
    TRAINED = "trained", _("People trained (completed)")
    TRAINED_WOMEN = "trained_women", _("Women trained (completed)")
    PARTICIPANTS = "participants", _("Participants (attended or completed)")
    STATES = "states", _("Member states reached")
    EVENTS = "events", _("Events held")
