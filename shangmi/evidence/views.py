"""Pages of evidence deposit. Thin: services and selectors do the work.

Enterprise pages read through ``Deposit.objects.restrict`` (a stranger gets 404); the log
pages are public on purpose: they hold commitments only, so anyone can mirror and audit.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, TemplateView

from shangmi.accounts.requests import signed_in_user
from shangmi.core.lists import FilteredRowsMixin, ScopedExportView, ScopedListView
from shangmi.core.scoping import ADD, may, scope_q
from shangmi.core.views import ScopedViewMixin
from shangmi.evidence import log as evidence_log
from shangmi.evidence import merkle
from shangmi.evidence.access import read_label, record_access
from shangmi.evidence.filters import DepositFilter
from shangmi.evidence.models import Checkpoint, Deposit, DepositAccess
from shangmi.evidence.receipts import receipt_for, receipt_handed_out
from shangmi.evidence.selectors import deposits_for, filter_choices, version_chain
from shangmi.evidence.services import is_uuid

MAX_ENTRIES = 1000


class DepositAccessListView(ScopedListView):
    """The enterprise's admins read who read its deposits and its protection records, when, and
    what (DESIGN: every read of an enterprise's secrets is audited, and the enterprise sees the
    audit)."""

    model = DepositAccess
    template_name = "evidence/access_log.html"
    context_object_name = "accesses"
    paginate_by = 100

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("user", "deposit")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for access in context["accesses"]:
            access.label = read_label(access.action)
        return context


class DepositRows(FilteredRowsMixin):
    model = Deposit
    filterset_class = DepositFilter
    ordering = ("-accepted_at", "-id")

    def base_queryset(self) -> QuerySet[Deposit]:
        return self.get_queryset().select_related("created_by", "enterprise")


class DepositListView(DepositRows, ScopedListView):
    template_name = "evidence/list.html"

    def page_context(self, page: Page) -> dict[str, Any]:
        user = signed_in_user(self.request)
        if page.object_list and user.enterprise_id:
            record_access(user, None, "list", enterprise_id=user.enterprise_id)
        return {
            "choices": filter_choices(user),
            "can_add": may(user, ADD, Deposit) and user.enterprise_id is not None,
        }


class DepositCreateView(ScopedViewMixin, TemplateView):
    """The page hashes files in the browser and posts digests to the API; no upload field exists."""

    model = Deposit
    action = ADD
    template_name = "evidence/new.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        previous_id = self.request.GET.get("previous")
        previous = None
        if previous_id:
            previous = deposits_for(user, {}).filter(pk=previous_id).first() if is_uuid(previous_id) else None
        context.update(
            previous=previous,
            can_add=scope_q(Deposit, user, ADD) is not None and user.enterprise_id is not None,
            api_url=reverse("deposit-list"),
        )
        return context


class DepositDetailView(ScopedViewMixin, DetailView):
    model = Deposit
    template_name = "evidence/detail.html"
    context_object_name = "deposit"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("enterprise", "created_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        deposit = self.object
        record_access(self.request.user, deposit, "view")
        checkpoint = evidence_log.checkpoint_for_index(deposit.leaf_index) if deposit.is_sequenced else None
        context.update(chain=version_chain(deposit, self.request.user), checkpoint=checkpoint)
        return context


class DepositReceiptView(ScopedViewMixin, DetailView):
    model = Deposit

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        deposit = self.get_object()
        record_access(request.user, deposit, "receipt")
        receipt = receipt_for(deposit)
        receipt_handed_out(deposit, receipt)
        body = json.dumps(receipt, ensure_ascii=False, indent=2).encode()
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="receipt-{deposit.pk}.json"'
        return response


class DepositCertificateView(ScopedViewMixin, DetailView):
    model = Deposit

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from shangmi.evidence.certificate import render_deposit_certificate
        from shangmi.pdf.links import public_base_url

        deposit = self.get_object()
        record_access(request.user, deposit, "certificate")
        base = public_base_url(request)
        verify_url = None if base is None else base + reverse("evidence:verify") + f"?deposit={deposit.pk}"
        pdf = render_deposit_certificate(receipt_for(deposit), verify_url)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="certificate-{deposit.pk}.pdf"'
        return response


class DepositExportView(DepositRows, ScopedExportView):
    def export(self, rows: QuerySet[Deposit]) -> HttpResponseBase:
        from shangmi.evidence.exporting import deposits_export

        user = signed_in_user(self.request)
        buffer = io.BytesIO()
        count = deposits_export(queryset=rows, target=buffer)
        if count and user.enterprise_id:
            record_access(user, None, "export", enterprise_id=user.enterprise_id)
        buffer.seek(0)
        return FileResponse(buffer, as_attachment=True, filename="deposit-register.xlsx")


# --- the public log: mirror it, audit it, verify against it ---------------------------------


def _int(request: HttpRequest, name: str) -> int:
    try:
        value = int(request.GET.get(name, ""))
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number / {name} 须为整数") from exc
    if value < 0:
        raise ValueError(f"{name} cannot be negative / {name} 不能为负")
    return value


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def _bad(message: str) -> HttpResponse:
    return JsonResponse({"error": message}, status=400)


class LogKeyView(View):
    """The log's public key, in the note verifier-key format the offline verifier takes."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse(evidence_log.log_verifier_key() + "\n", content_type="text/plain; charset=utf-8")


class LogKeysView(View):
    """Every key the log has signed with: the current one and each rotation announcing it.

    Whoever pinned an earlier key checks each rotation note (signed by the key before it and by
    the key it announces) and so reaches the current key without trusting this page.
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        from shangmi.evidence.models import KeyRotation

        rotations = [
            {"size": size, "note": note, "at": at.isoformat()}
            for size, note, at in KeyRotation.objects.order_by("id").values_list("size", "note", "created_at")
        ]
        return JsonResponse(
            {"origin": evidence_log.log_origin(), "current": evidence_log.log_verifier_key(), "rotations": rotations}
        )


class LogCheckpointView(View):
    """The latest signed checkpoint (C2SP tlog-checkpoint), as plain text."""

    def get(self, request: HttpRequest) -> HttpResponse:
        checkpoint = evidence_log.latest_checkpoint()
        if checkpoint is None:
            return HttpResponse(
                "no checkpoint yet / 尚无检查点\n", status=404, content_type="text/plain; charset=utf-8"
            )
        return HttpResponse(checkpoint.note, content_type="text/plain; charset=utf-8")


class LogCheckpointListView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        rows = Checkpoint.objects.order_by("size").values("size", "root", "note", "created_at", "timestamp_token")
        return JsonResponse(
            {
                "checkpoints": [
                    {
                        "size": row["size"],
                        "root": _b64(bytes(row["root"])),
                        "note": row["note"],
                        "created_at": row["created_at"].isoformat(),
                        "timestamp_token": _b64(bytes(row["timestamp_token"])) if row["timestamp_token"] else None,
                    }
                    for row in rows
                ]
            }
        )


class LogEntriesView(View):
    """Leaves [start, end) with their exact bytes, at most 1,000 per call."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            start, end = _int(request, "start"), _int(request, "end")
        except ValueError as exc:
            return _bad(str(exc))
        if end <= start or end - start > MAX_ENTRIES:
            return _bad(f"need start < end and at most {MAX_ENTRIES} entries / 区间无效")
        entries = [{"index": index, "data": _b64(data)} for index, data in evidence_log.entries_range(start, end)]
        return JsonResponse({"entries": entries})


class LogInclusionProofView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            index, size = _int(request, "index"), _int(request, "size")
            published = Checkpoint.objects.filter(size=size).exists()
            if not published:
                raise ValueError("size must be the size of a published checkpoint / 须为已发布检查点的规模")
            proof = evidence_log.inclusion_proof_at(index, size)
        except (ValueError, merkle.ProofError) as exc:
            return _bad(str(exc))
        return JsonResponse({"index": index, "tree_size": size, "proof": [_b64(node) for node in proof]})


class LogConsistencyProofView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            first, second = _int(request, "first"), _int(request, "second")
            sizes = set(Checkpoint.objects.filter(size__in=[first, second]).values_list("size", flat=True))
            if second not in sizes or (first and first not in sizes):
                raise ValueError("sizes must be those of published checkpoints / 须为已发布检查点的规模")
            proof = evidence_log.consistency_proof_between(first, second)
        except (ValueError, merkle.ProofError) as exc:
            return _bad(str(exc))
        return JsonResponse({"first": first, "second": second, "proof": [_b64(node) for node in proof]})


class VerifyPageView(TemplateView):
    """Anyone checks a file against its receipt; the file is hashed in the browser, never sent."""

    template_name = "evidence/verify.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["log_key"] = evidence_log.log_verifier_key()
        return context


class VerifyCheckView(View):
    """Checks a receipt plus the digests the browser computed (no file) with the offline verifier."""

    def post(self, request: HttpRequest) -> HttpResponse:
        from shangmi.evidence.verify import FileDigests, verify_receipt

        try:
            body = json.loads(request.body)
            receipt = body["receipt"]
            sha = bytes.fromhex(body["sha256"]) if body.get("sha256") else None
            sm3 = bytes.fromhex(body["sm3"]) if body.get("sm3") else None
        except (ValueError, KeyError, TypeError):
            return HttpResponseBadRequest(_("Send a receipt JSON and the file's digests."))
        digests = FileDigests(sha, sm3, 0) if sha else None
        report = verify_receipt(receipt, verifier_key=evidence_log.log_verifier_key(), file=digests)
        return JsonResponse(
            {
                "verified": report.verified,
                "summary": report.summary(),
                "checks": [{"ok": c.ok, "zh": c.zh, "en": c.en} for c in report.checks],
            }
        )
