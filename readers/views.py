"""Readers' pages (/help/, /me/) and the error pages: thin views over services."""

import json
import logging

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    HttpResponseServerError,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from accounts.models import User
from articles.models import Article, Comment
from config.middleware import last_error_reference, reference_of
from core.errors import NotAllowed, ServiceError
from core.rates import setting_rate

from . import selectors, services
from .forms import (
    HONEYPOT_FIELD,
    AccountDeleteForm,
    AppealForm,
    NotificationPreferenceForm,
    ProblemReportForm,
)
from .iphash import client_ip_hash
from .models import NotificationKind

logger = logging.getLogger(__name__)

REPORT_RATE = setting_rate("PARLEY_PROBLEM_REPORT_RATE")
WRITE_RATE = setting_rate("PARLEY_READER_WRITE_RATE")


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


# Problem reports ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=REPORT_RATE, method="POST")
def problem_report(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    story = request.POST.get("article") or request.GET.get("story") or ""
    article = Article.objects.filter(slug=story).first() if story else None
    if request.method == "GET":
        form = ProblemReportForm(initial={"article": article.slug if article else ""})
        return _report_page(request, form, article, viewer)
    form = ProblemReportForm(request.POST)
    if request.POST.get(HONEYPOT_FIELD):
        # A bot: answer as if it worked, so it learns nothing, and keep nothing.
        logger.info("Problem report honeypot filled; nothing stored.")
        return redirect("readers:report_thanks")
    if not form.is_valid():
        return _report_page(request, form, article, viewer, status=400)
    try:
        report = services.problem_report_create(
            kind=form.cleaned_data["kind"],
            description=form.cleaned_data["description"],
            email=form.cleaned_data["email"],
            reporter=viewer,
            article=article,
            user_agent=request.headers.get("User-Agent", ""),
            error_reference=last_error_reference(request),
            ip_hash=client_ip_hash(request),
        )
    except ServiceError as exc:
        return _report_page(request, form, article, viewer, error=exc)
    messages.success(
        request,
        f"Thank you, we have your report (number {report.pk}). "
        + (
            "We will reply by email."
            if report.reply_address
            else "We will reply here in your notifications."
        ),
    )
    return redirect("readers:report_thanks")


def _report_page(
    request: HttpRequest,
    form: ProblemReportForm,
    article: Article | None,
    viewer: User | None,
    *,
    status: int = 200,
    error: ServiceError | None = None,
) -> HttpResponse:
    return render(
        request,
        "readers/problem_report.html",
        {
            "form": form,
            "article": article,
            "viewer": viewer,
            "error": error,
            "error_reference": last_error_reference(request),
        },
        status=error.status if error else status,
    )


def problem_report_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "readers/problem_report_thanks.html")


# My comments and appeals ----------------------------------------------------------


@login_required
def my_comments_page(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    assert viewer is not None  # noqa: S101  (login_required)
    try:
        page = selectors.my_comments_page(
            user=viewer, page=request.GET.get("page", "1")
        )
    except ServiceError as exc:
        return render(
            request, "articles/refused.html", {"message": exc.message}, status=400
        )
    return render(
        request,
        "readers/my_comments.html",
        {"items": page.items, "page": page},
    )


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate=WRITE_RATE, method="POST")
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _user(request)
    assert viewer is not None  # noqa: S101  (login_required)
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
    form = AppealForm(request.POST if request.method == "POST" else None)
    error: ServiceError | None = None
    if request.method == "POST":
        form.is_valid()
        try:
            services.appeal_create(
                comment=comment,
                appellant=viewer,
                note=form.cleaned_data.get("note", ""),
            )
        except ServiceError as exc:
            error = exc
        else:
            messages.success(
                request,
                "Your appeal is sent. A different moderator will look at it, and "
                "you will see the outcome here.",
            )
            return HttpResponseRedirect(f"{reverse('readers:my_comments')}#c{pk}")
    elif comment.author_id != viewer.pk:
        error = NotAllowed("You can only appeal your own comments.", code="not_author")
    return render(
        request,
        "readers/appeal.html",
        {"comment": comment, "form": form, "error": error},
        status=error.status if error else 200,
    )


# Notifications --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    assert viewer is not None  # noqa: S101  (login_required)
    if request.method == "POST":
        services.notifications_mark_read(user=viewer)
        messages.success(request, "All notifications are marked as read.")
        return redirect("readers:notifications")
    return render(
        request,
        "readers/notifications.html",
        {"notifications": selectors.notifications_for(user=viewer)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    assert viewer is not None  # noqa: S101  (login_required)
    pref = services.preference_for(viewer)
    if request.method == "POST":
        form = NotificationPreferenceForm(request.POST)
        if form.is_valid():
            services.notification_preference_update(
                user=viewer, values=form.cleaned_data
            )
            messages.success(request, "Your notification settings are saved.")
            return redirect("readers:notification_settings")
    else:
        form = NotificationPreferenceForm(
            initial={name: getattr(pref, name) for name in _preference_fields()}
        )
    rows = [
        (label, form[f"{kind}_site"], form[f"{kind}_email"])
        for kind, label in NotificationKind.choices
    ]
    return render(
        request,
        "readers/notification_settings.html",
        {"form": form, "rows": rows, "has_email": bool(viewer.email)},
    )


def _preference_fields() -> list[str]:
    return [f"{k}_{c}" for k in NotificationKind.values for c in ("site", "email")]


# Privacy --------------------------------------------------------------------------


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    return render(request, "readers/my_data.html")


@login_required
def my_data_download(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    assert viewer is not None  # noqa: S101  (login_required)
    data = selectors.personal_data(user=viewer)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="parley-my-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate=WRITE_RATE, method="POST")
def account_delete_page(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    assert viewer is not None  # noqa: S101  (login_required)
    form = AccountDeleteForm(request.POST or None)
    error: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(
                user=viewer,
                password=form.cleaned_data["password"],
                withdraw_comments=(
                    form.cleaned_data["comments"] == AccountDeleteForm.WITHDRAW
                ),
            )
        except ServiceError as exc:
            error = exc
        else:
            logout(request)
            messages.success(request, "Your account is deleted. Goodbye.")
            return redirect("articles:list")
    status = error.status if error else (400 if form.errors else 200)
    return render(
        request,
        "readers/account_delete.html",
        {"form": form, "error": error},
        status=status,
    )


# Error pages ----------------------------------------------------------------------


def bad_request(
    request: HttpRequest, exception: Exception, message: str = ""
) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without context processors or the database: they may be what failed.
    template = loader.get_template("500.html")
    return HttpResponseServerError(
        template.render({"reference": reference_of(request)})
    )
