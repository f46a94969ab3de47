"""Readers' reports: a JSON endpoint and a server-rendered form, both thin."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.models import User
from articles.models import Comment, CommentStatus
from core.errors import NotAllowed, NotFound, ServiceError
from core.rates import setting_rate
from moderation.models import Report
from moderation.reasons import ReportReason
from moderation.services.reports import NOTE_MAX, comment_report

REPORT_RATE = setting_rate("PARLEY_COMMENT_WRITE_RATE")


def _reader(user: object) -> User:
    if not isinstance(user, User):
        raise NotAllowed("Please log in to report a comment.", code="not_logged_in")
    return user


class ReportInputSerializer(serializers.Serializer[Report]):
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX, default=""
    )


class ReportOutputSerializer(serializers.Serializer[Report]):
    id = serializers.IntegerField()
    comment_id = serializers.IntegerField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class CommentReportApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "comment_write"

    @extend_schema(
        request=ReportInputSerializer, responses={201: ReportOutputSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Report a published comment to moderators (once per reader)."""
        comment = Comment.objects.filter(pk=pk, status=CommentStatus.PUBLISHED).first()
        if comment is None:
            raise NotFound(f"There is no comment {pk}.", code="comment_not_found")
        serializer = ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = comment_report(
            comment=comment,
            reporter=_reader(request.user),
            reason=serializer.validated_data["reason"],
            note=serializer.validated_data["note"],
        )
        return Response(
            ReportOutputSerializer(report).data, status=status.HTTP_201_CREATED
        )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you reporting this comment?",
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Anything moderators should know (optional)",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate=REPORT_RATE, method="POST")
def comment_report_form(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(
        Comment.objects.select_related("article", "author"),
        pk=pk,
        status=CommentStatus.PUBLISHED,
    )
    form = ReportForm(request.POST or None)
    error: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            comment_report(
                comment=comment,
                reporter=_reader(request.user),
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            error = exc
        else:
            messages.success(
                request, "Thanks, moderators will look at the comment you reported."
            )
            return HttpResponseRedirect(
                f"{comment.article.get_absolute_url()}#c{comment.pk}"
            )
    return render(
        request,
        "moderation/report.html",
        {"comment": comment, "form": form, "error": error},
        status=error.status if error else (400 if form.errors else 200),
    )
