"""Pages of the secure exchange, under /exchange/: the inbox and search, composing, the thread
(read, acknowledge, answer, close, export as PDF), attachments and the metrics.

Every read starts at ``Message.objects.readable_by(user)``: what the reader may not read answers
404, as if it did not exist."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from cicte.accounts.models import User
from cicte.accounts.views.manage import FilteredListView
from cicte.core import uploads
from cicte.messaging import attachments as attachment_checks
from cicte.messaging import escalation, metrics, pdf, services
from cicte.messaging.filtersets import MessageFilterSet
from cicte.messaging.forms import ComposeForm, MetricsForm, ReplyForm
from cicte.messaging.models import Attachment, Delivery, Message, deliveries_by_message

MAX_FILES = 10


def _actor(request: HttpRequest) -> User:
    user: Any = request.user
    return user


def readable(actor: User) -> QuerySet[Message]:
    return Message.objects.readable_by(actor)


def _readable_message(actor: User, pk: int) -> Message:
    return get_object_or_404(readable(actor).select_related("network", "thread"), pk=pk)


# --- Inbox and search --------------------------------------------------------------------


class MessageListView(FilteredListView):
    """Every message the reader may read, newest first, with the shared filters."""

    template_name = "messaging/list.html"
    results_template_name = "messaging/_results.html"
    filterset_class = MessageFilterSet

    def get_queryset(self, actor: User) -> QuerySet[Message]:
        return readable(actor).select_related("network", "sender_state")

    def decorate(self, rows: list[Any], actor: User) -> None:
        states = {
            (d.message_id): d
            for d in Delivery.objects.filter(
                message__in=[m.pk for m in rows],
                member_state_id__in=sorted(
                    {s for ids in _represented(actor).values() for s in ids}
                ),
            )
        }
        for message in rows:
            message.my_delivery = states.get(message.pk)

    def get_context(self, actor: User) -> dict[str, Any]:
        return {"may_send": services.may_send(actor)}


def _represented(actor: User) -> dict[int, set[int]]:
    from cicte.messaging.models import represented_states

    return represented_states(actor)


# --- Composing ---------------------------------------------------------------------------


def _guard_upload(request: HttpRequest) -> uploads.SizeLimitUploadHandler | None:
    """Refuse, unread, a body beyond what ten attachments at the limit could be; stop any one
    file as soon as it passes the limit."""
    if request.method != "POST" or not uploads.media_type(request).startswith(uploads.MULTIPART):
        return None
    limit = attachment_checks.max_bytes()
    if uploads.content_length(request) > MAX_FILES * limit + uploads.MULTIPART_OVERHEAD:
        raise uploads.UploadTooLarge(
            _("The attachments are too large: up to {count} files of {limit} each.").format(
                count=MAX_FILES, limit=filesizeformat(limit)
            )
        )
    handler = uploads.SizeLimitUploadHandler(request, limit)
    handlers: Any = request.upload_handlers
    handlers.insert(0, handler)
    return handler


def _too_large(handler: Any, form: Any) -> bool:
    if handler is not None and handler.exceeded:
        form.add_error(
            "attachments",
            _("An attachment is too large: each file may be up to {limit}.").format(
                limit=filesizeformat(attachment_checks.max_bytes())
            ),
        )
        return True
    return False


def _service_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@csrf_exempt
def message_create(request: HttpRequest) -> HttpResponse:
    """Compose and send. The upload's limits are set before anything reads the body (the CSRF
    check included: it runs right after, in ``_message_create``)."""
    actor = _actor(request)
    if not services.may_send(actor):
        raise PermissionDenied(_("You may not send messages in any network."))
    try:
        handler = _guard_upload(request)
    except uploads.UploadTooLarge as exc:
        form = ComposeForm(actor=actor)
        form.add_error(None, str(exc))
        return render(request, "messaging/compose.html", {"form": form}, status=413)
    return _message_create(request, handler)


@csrf_protect
def _message_create(request: HttpRequest, handler: Any) -> HttpResponse:
    actor = _actor(request)
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES, actor=actor)
        if not _too_large(handler, form) and form.is_valid():
            data = form.cleaned_data
            try:
                message = services.send_message(
                    actor=actor,
                    **{name: data[name] for name in services.SEND_FIELDS},
                    sender_state=form.sender_state(),
                    states=list(data["states"]),
                    files=data["attachments"][:MAX_FILES],
                )
            except ValidationError as exc:
                _service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                flash.success(
                    request, _("Message {reference} sent.").format(reference=message.reference)
                )
                return redirect("messaging:detail", pk=message.pk)
        status = 400 if request.method == "POST" else 200
        return render(request, "messaging/compose.html", {"form": form}, status=status)
    form = ComposeForm(actor=actor)
    return render(request, "messaging/compose.html", {"form": form})


# --- The thread --------------------------------------------------------------------------


def thread_messages(actor: User, root_id: int) -> list[Message]:
    """The messages of a thread the reader may read, oldest first."""
    return list(
        readable(actor)
        .filter(Q(pk=root_id) | Q(thread_id=root_id))
        .select_related("network", "sender_state", "created_by", "in_reply_to")
        .prefetch_related("attachments")
        .order_by("sent_at", "pk")
    )


def _decorate(actor: User, items: list[Message]) -> None:
    mine = _represented(actor)
    deliveries = deliveries_by_message(items)
    delays = escalation.minutes_by_network(m.network_id for m in items)
    for message in items:
        rows = deliveries.get(message.pk, [])
        for delivery in rows:
            row: Any = delivery
            row.escalates_at = escalation.next_step_at(
                message, delivery, delays[message.network_id]
            )
        states = mine.get(message.network_id, set())
        item: Any = message  # what the template shows about it
        item.my_deliveries = [d for d in rows if d.member_state_id in states]
        item.may_acknowledge = any(d.acknowledged_at is None for d in item.my_deliveries)
        item.delivery_rows = rows if services.sees_all_deliveries(actor, message) else []


@require_GET
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A thread: each message the reader may read (each read recorded), the acknowledgment
    button for the reader's state, the delivery table for the sender's side, the reply form."""
    actor = _actor(request)
    message = _readable_message(actor, pk)
    items = thread_messages(actor, message.root_id)
    for item in items:
        services.record_read(actor=actor, message=item)
    return _thread_page(request, actor, message, items)


def _thread_page(
    request: HttpRequest,
    actor: User,
    message: Message,
    items: list[Message],
    *,
    reply_form: ReplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The thread of ``message`` (its readable ``items``), with what the reader may do."""
    _decorate(actor, items)
    root = next((m for m in items if m.pk == message.root_id), None)
    head = root or message
    may_reply = head.closed_at is None and bool(
        services._requester_side(actor, head.root)
        or services.states_of(actor, head)
        & set(head.root.deliveries.values_list("member_state_id", flat=True))
    )
    may_close = root is not None and root.is_open_request and services._requester_side(actor, root)
    return render(
        request,
        "messaging/detail.html",
        {
            "head": head,
            "items": items,
            "focus": message,
            "may_reply": may_reply,
            "may_close": may_close,
            "reply_form": reply_form or ReplyForm(initial={"tlp": head.tlp}),
        },
        status=status,
    )


@require_POST
def message_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    message = _readable_message(actor, pk)
    services.acknowledge(actor=actor, message=message)
    flash.success(request, _("Acknowledged: {reference}.").format(reference=message.reference))
    return redirect(reverse("messaging:detail", args=[message.root_id]) + f"#m{message.pk}")


@csrf_exempt
def message_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """A response from the thread page (limits first, then the CSRF check, as composing)."""
    actor = _actor(request)
    message = _readable_message(actor, pk)
    if request.method != "POST":
        return redirect("messaging:detail", pk=message.root_id)
    try:
        handler = _guard_upload(request)
    except uploads.UploadTooLarge as exc:
        flash.error(request, str(exc))
        return redirect("messaging:detail", pk=message.root_id)
    return _message_reply(request, message, handler)


@csrf_protect
def _message_reply(request: HttpRequest, message: Message, handler: Any) -> HttpResponse:
    actor = _actor(request)
    form = ReplyForm(request.POST, request.FILES)
    if not _too_large(handler, form) and form.is_valid():
        data = form.cleaned_data
        try:
            response = services.reply(
                actor=actor,
                message=message,
                body=data["body"],
                tlp=data["tlp"],
                language=data["language"],
                files=data["attachments"][:MAX_FILES],
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            flash.success(
                request, _("Response {reference} sent.").format(reference=response.reference)
            )
            return redirect(
                reverse("messaging:detail", args=[message.root_id]) + f"#m{response.pk}"
            )
    items = thread_messages(actor, message.root_id)
    return _thread_page(request, actor, message, items, reply_form=form, status=400)


@require_POST
def message_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    message = _readable_message(actor, pk)
    try:
        services.close_request(actor=actor, message=message)
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    else:
        flash.success(request, _("The request for information is closed."))
    return redirect("messaging:detail", pk=message.root_id)


@require_GET
def thread_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The thread as a PDF for the record: only the messages the reader may read; audited."""
    actor = _actor(request)
    message = _readable_message(actor, pk)
    items = thread_messages(actor, message.root_id)
    content = pdf.render_thread(items, actor=actor)
    services.record_export(actor=actor, root=message.root)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{message.root.reference}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment, to who may read its message (404 otherwise), audited."""
    actor = _actor(request)
    attachment = get_object_or_404(
        Attachment.objects.select_related("message").filter(
            message__in=readable(actor).values("pk")
        ),
        pk=pk,
    )
    return serve_attachment(actor, attachment)


def serve_attachment(actor: User, attachment: Attachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    services.record_download(actor=actor, attachment=attachment)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Metrics -----------------------------------------------------------------------------


@require_GET
def metrics_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = MetricsForm(request.GET or None)
    rows: list[Any] = []
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        status = 200
        data = form.cleaned_data if form.is_bound else {}
        rows = metrics.compute(
            actor, start=data.get("start"), end=data.get("end"), network=data.get("network")
        )
    return render(
        request,
        "messaging/metrics.html",
        {"form": form, "rows": rows, "minutes": settings.EXCHANGE_ESCALATE_AFTER_MINUTES},
        status=status,
    )
