"""Pages for spreadsheet import (upload, check, apply, progress, templates) and export (GC-8, ORG-4)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import audit_log
from portal.models import AuditEvent

from .. import transfer
from ..forms import ImportForm
from ..models import ImportJob
from ..tasks import import_run
from .groups import R, _filters


def _may_import(user):
    if not user.has_role(R.ACCOUNT_MANAGER, R.GROUP_LEADER, R.DEPT_MANAGER, R.ADMIN):
        raise PermissionDenied(_("Your role cannot import data."))


@login_required
def import_start(request):
    _may_import(request.user)
    kinds = ImportJob.Kind.choices
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(kind=form.cleaned_data["kind"], file=upload, original_name=upload.name,
                                       created_by=request.user)
        transaction.on_commit(lambda: import_run.delay(job.pk, False))
        return redirect("import-detail", pk=job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user)[:20]
    return render(request, "groupclients/import_start.html", {"form": form, "jobs": jobs, "kinds": kinds})


@login_required
def import_detail(request, pk):
    job = transfer.import_expire_if_stale(get_object_or_404(ImportJob, pk=pk, created_by=request.user))
    return render(request, "groupclients/import_detail.html", {"job": job})


@login_required
@require_POST
def import_apply(request, pk):
    job = get_object_or_404(ImportJob, pk=pk, created_by=request.user)
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALID).update(
        status=ImportJob.Status.APPLYING)
    if not updated:
        messages.error(request, _("Only a checked import without errors can be applied, once."))
        return redirect("import-detail", pk=job.pk)
    transfer.progress_publish(job, 0, job.total_rows, "queued")  # the stale clock starts now
    transaction.on_commit(lambda: import_run.delay(job.pk, True))
    return redirect("import-detail", pk=job.pk)


@login_required
def import_progress(request, pk):
    from django.core.cache import cache

    job = transfer.import_expire_if_stale(get_object_or_404(ImportJob, pk=pk, created_by=request.user))
    p = cache.get(transfer.progress_key(job.pk)) or {"done": 0, "total": job.total_rows}
    p.pop("at", None)
    return JsonResponse({"status": job.status, "status_label": job.get_status_display(), **p,
                         "finished": job.status in (ImportJob.Status.APPLIED, ImportJob.Status.FAILED,
                                                    ImportJob.Status.INVALID, ImportJob.Status.VALID)})


@login_required
def import_template(request, kind):
    if kind not in transfer.KINDS:
        raise PermissionDenied
    resp = HttpResponse(transfer.template_workbook(transfer.KINDS[kind]),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="template-{kind}.xlsx"'
    return resp


@login_required
def export(request, kind):
    """The customer file as .xlsx, or as .csv with `?format=csv` (issue 12 item 7: both write
    formula-like text as text)."""
    if kind not in transfer.EXPORT_KINDS:
        raise Http404(_("There is no export of that kind."))
    fmt = request.GET.get("format") or "xlsx"
    if fmt not in transfer.EXPORT_FORMATS:
        raise Http404(_("Export as xlsx or csv."))
    if request.user.role_codes <= {R.AGENT}:
        raise PermissionDenied(_("Call-centre agents cannot export customer data."))
    data, n = transfer.export_workbook(kind, request.user, group_filters=_filters(request), fmt=fmt)
    audit_log(action=AuditEvent.Action.EXPORT, request=request, target_type=f"groupclients.{kind}",
              rows=n, query=request.GET.urlencode())
    content_type = ("text/csv; charset=utf-8" if fmt == "csv"
                    else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f'attachment; filename="{kind}.{fmt}"'
    return resp
