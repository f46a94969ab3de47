"""Readers' JSON API: thin views over readers.selectors and readers.services."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from articles.models import Article, Comment
from config.middleware import last_error_reference
from core.errors import InvalidInput, NotFound
from core.throttles import CommentWriteThrottle
from readers import selectors, services
from readers.forms import AccountDeleteForm
from readers.iphash import client_ip_hash

from .serializers import (
    AccountDeleteInputSerializer,
    AccountDeleteOutputSerializer,
    AppealInputSerializer,
    AppealOutputSerializer,
    MyCommentOutputSerializer,
    NotificationOutputSerializer,
    NotificationSettingsSerializer,
    ProblemReportInputSerializer,
    ProblemReportOutputSerializer,
)


def _user(request: Request) -> User:
    assert isinstance(request.user, User)  # noqa: S101  (IsAuthenticated)
    return request.user


class ProblemReportApi(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [CommentWriteThrottle]
    throttle_scope = "problem_report"

    @extend_schema(
        request=ProblemReportInputSerializer,
        responses={201: ProblemReportOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        """Tell us about a problem with commenting. Signed-out readers give an email."""
        serializer = ProblemReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data.get("website"):
            return Response(
                {"received": True, "id": None}, status=status.HTTP_201_CREATED
            )
        article = None
        if data.get("story"):
            article = Article.objects.filter(slug=data["story"]).first()
            if article is None:
                raise InvalidInput(
                    f"There is no story {data['story']!r}.", code="article_not_found"
                )
        user = request.user if isinstance(request.user, User) else None
        report = services.problem_report_create(
            kind=data["kind"],
            description=data["description"],
            email=data.get("email", ""),
            reporter=user,
            article=article,
            user_agent=request.headers.get("User-Agent", ""),
            error_reference=data.get("error_reference")
            or last_error_reference(request),
            ip_hash=client_ip_hash(request),
        )
        return Response(
            {"received": True, "id": report.pk}, status=status.HTTP_201_CREATED
        )


class MyCommentsApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MyCommentOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Every comment you wrote, its status, and why a rejected one was rejected."""
        return Response(
            [
                {
                    "id": item.comment.pk,
                    "story": item.comment.article.title,
                    "body": item.comment.body,
                    "status": item.comment.status,
                    "created_at": item.comment.created_at,
                    "rejection_reason": item.rejection_reason,
                    "appeal_status": item.appeal.status if item.appeal else None,
                    "can_appeal": item.can_appeal,
                    "url": item.comment.get_absolute_url(),
                }
                for item in selectors.my_comments(user=_user(request))
            ]
        )


class AppealApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [CommentWriteThrottle]
    throttle_scope = "comment_write"

    @extend_schema(
        request=AppealInputSerializer, responses={201: AppealOutputSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Appeal the rejection of your comment (once per comment)."""
        comment = Comment.objects.select_related("article").filter(pk=pk).first()
        if comment is None:
            raise NotFound(f"There is no comment {pk}.", code="comment_not_found")
        serializer = AppealInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appeal = services.appeal_create(
            comment=comment,
            appellant=_user(request),
            note=serializer.validated_data["note"],
        )
        return Response(
            {
                "comment_id": appeal.comment_id,
                "status": appeal.status,
                "created_at": appeal.created_at,
            },
            status=status.HTTP_201_CREATED,
        )


class NotificationsApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=NotificationOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Your latest notifications, newest first."""
        return Response(
            [
                {
                    "kind": n.kind,
                    "message": n.message,
                    "url": n.url,
                    "created_at": n.created_at,
                    "read": n.read_at is not None,
                }
                for n in selectors.notifications_for(user=_user(request))
            ]
        )


class NotificationSettingsApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=NotificationSettingsSerializer)
    def get(self, request: Request) -> Response:
        """Which notifications you get on the site and by email."""
        pref = services.preference_for(_user(request))
        return Response(_settings_payload(pref))

    @extend_schema(
        request=NotificationSettingsSerializer,
        responses=NotificationSettingsSerializer,
    )
    def patch(self, request: Request) -> Response:
        """Switch notifications on or off, e.g. {"reply_email": true}."""
        if not isinstance(request.data, dict):
            raise InvalidInput(
                'Send a JSON object such as {"reply_email": true}.',
                code="malformed_request",
            )
        serializer = NotificationSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unknown = sorted(set(request.data) - set(serializer.fields))
        if unknown:
            raise InvalidInput(
                f"Unknown notification settings: {', '.join(unknown)}.",
                code="unknown_setting",
            )
        pref = services.notification_preference_update(
            user=_user(request), values=serializer.validated_data
        )
        return Response(_settings_payload(pref))


class MyDataApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        """Everything stored about you, as the "Download my data" file on the site."""
        return Response(selectors.personal_data(user=_user(request)))


class AccountDeleteApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [CommentWriteThrottle]
    throttle_scope = "comment_write"

    @extend_schema(
        request=AccountDeleteInputSerializer,
        responses={200: AccountDeleteOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        """Delete your account; "comments": "keep" or "withdraw" says what happens
        to your comments, and "password" confirms it is you."""
        serializer = AccountDeleteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.account_delete(
            user=_user(request),
            password=data.get("password", ""),
            withdraw_comments=data["comments"] == AccountDeleteForm.WITHDRAW,
        )
        return Response({"deleted": True, "comments": data["comments"]})


def _settings_payload(pref: object) -> dict[str, bool]:
    names: list[str] = list(NotificationSettingsSerializer().fields.keys())
    return {name: bool(getattr(pref, name)) for name in names}
