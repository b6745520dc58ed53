"""Pages for clients, limits-of-confidentiality records and confidentiality statements.

Views check access (selectors), bind the form, call a service, say what happened, redirect.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.roles import Role
from consent import selectors, services
from consent.forms import ClientForm, LimitsRecordForm, PublishStatementForm, StatementForm
from consent.models import ConfidentialityStatement

CLIENT_ROLES = (Role.CLINICIAN, Role.LEAD, Role.DEPUTY)
CLIENTS_PER_PAGE = 50

# --- Clients ------------------------------------------------------------------------------------


@role_required(*CLIENT_ROLES)
def client_list(request):
    summary = selectors.clients_with_limits_summary(request.user).order_by("team__name", "reference")
    page = Paginator(summary, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "consent/client_list.html",
        {
            "page": page,
            "clients": selectors.with_revisit_reasons(page.object_list),
            "needs_revisit_count": selectors.clients_needing_revisit(request.user).count(),
            "current_statement": selectors.current_statement(),
        },
    )


@role_required(*CLIENT_ROLES)
def client_new(request):
    form = ClientForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.create_client(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{client.pseudonym} added to {client.team.name}.")
            return redirect("consent:client_detail", pk=client.pk)
    return render(request, "consent/client_form.html", {"form": form})


@role_required(*CLIENT_ROLES)
def client_detail(request, pk):
    client = selectors.get_client_for_user(request.user, client_id=pk)
    return render(
        request,
        "consent/client_detail.html",
        {
            "client": client,
            "status": selectors.limits_status(client, viewer=request.user),
            "history": selectors.limits_history(client),
            # References only, and only of concerns the reader may open (the concerns app's call).
            "concern_references": selectors.concern_references_for_client(request.user, client),
        },
    )


@role_required(*CLIENT_ROLES)
def limits_new(request, pk):
    """Record that the limits of confidentiality were explained (or correct an earlier record)."""
    client = selectors.get_client_for_user(request.user, client_id=pk)
    corrects = None
    if "corrects" in request.GET:
        corrects_id = request.GET["corrects"]
        if not corrects_id.isdecimal():  # isdigit() would let "²" through to int()
            raise Http404("No such record.")
        corrects = get_object_or_404(client.limits_records, pk=int(corrects_id))
    form = LimitsRecordForm(request.POST or None, corrects=corrects)
    if not form.fields["statement"].queryset.exists():
        messages.error(request, "No confidentiality statement has been published yet; ask an administrator.")
    if request.method == "POST" and form.is_valid():
        try:
            services.record_limits_explanation(actor=request.user, client=client, **form.service_values())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The explanation of the limits of confidentiality to {client} is recorded.")
            return redirect("consent:client_detail", pk=client.pk)
    return render(request, "consent/limits_form.html", {"client": client, "form": form, "corrects": corrects})


@role_required(*CLIENT_ROLES)
def needs_revisit(request):
    clients = selectors.with_revisit_reasons(
        selectors.clients_needing_revisit(request.user).order_by("team__name", "reference")
    )
    return render(
        request,
        "consent/needs_revisit.html",
        {"clients": clients, "current_statement": selectors.current_statement()},
    )


@require_GET
@role_required(*CLIENT_ROLES)
def limits_status(request):
    """An HTML fragment for the intake form (loaded with htmx when a client is picked)."""
    client_id = request.GET.get("client", "")
    if not client_id:
        return render(request, "consent/partials/limits_status.html", {"client": None})
    client = selectors.get_client_for_user(request.user, client_id=client_id)
    return render(
        request,
        "consent/partials/limits_status.html",
        {"client": client, "status": selectors.limits_status(client, viewer=request.user)},
    )


# --- Confidentiality statements -----------------------------------------------------------------


def _statements_for(user):
    statements = ConfidentialityStatement.objects.select_related("published_by", "created_by")
    return statements if user.is_administrator else statements.filter(published_at__isnull=False)


@login_required
def statement_list(request):
    statements = list(_statements_for(request.user))
    current = selectors.current_statement()
    published = sorted((s for s in statements if s.is_published), key=lambda s: (s.effective_from, s.version))
    # Each published version is in force until the day before the next one takes effect.
    for earlier, later in zip(published, published[1:], strict=False):
        earlier.effective_until = later.effective_from
    return render(request, "consent/statement_list.html", {"statements": statements, "current": current})


@login_required
def statement_detail(request, pk):
    statement = get_object_or_404(_statements_for(request.user), pk=pk)
    return render(
        request,
        "consent/statement_detail.html",
        {
            "statement": statement,
            "current": selectors.current_statement(),
            "effective_until": selectors.statement_effective_until(statement) if statement.is_published else None,
            "publish_form": PublishStatementForm() if request.user.is_administrator else None,
        },
    )


@role_required(Role.ADMINISTRATOR)
def statement_new(request):
    form = StatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        statement = services.create_statement_draft(actor=request.user, **form.cleaned_data)
        messages.success(request, f"Draft version {statement.version} saved. Publish it when it is ready.")
        return redirect("consent:statement_detail", pk=statement.pk)
    return render(request, "consent/statement_form.html", {"form": form, "statement": None})


@role_required(Role.ADMINISTRATOR)
def statement_edit(request, pk):
    statement = get_object_or_404(ConfidentialityStatement, pk=pk)
    if statement.is_published:
        messages.error(request, f"Version {statement.version} is published and cannot be changed.")
        return redirect("consent:statement_detail", pk=statement.pk)
    form = StatementForm(request.POST or None, instance=statement)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_statement_draft(actor=request.user, statement=statement, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"Draft version {statement.version} saved.")
            return redirect("consent:statement_detail", pk=statement.pk)
    return render(request, "consent/statement_form.html", {"form": form, "statement": statement})


@require_POST
@role_required(Role.ADMINISTRATOR)
def statement_publish(request, pk):
    statement = get_object_or_404(ConfidentialityStatement, pk=pk)
    form = PublishStatementForm(request.POST)
    if form.is_valid():
        try:
            services.publish_statement(
                actor=request.user, statement=statement, effective_from=form.cleaned_data["effective_from"]
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, f"Version {statement.version} is published.")
            return redirect("consent:statement_detail", pk=statement.pk)
    return render(
        request,
        "consent/statement_detail.html",
        {"statement": statement, "current": selectors.current_statement(), "publish_form": form},
        status=400,
    )
