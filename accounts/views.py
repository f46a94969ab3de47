"""Sign-up, log-in and the reader's account page: thin views over accounts.services."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from core.errors import ServiceError

from . import services
from .forms import DisplayNameForm, EmailChangeForm, SignupForm
from .models import User

ACCOUNT_WRITE_RATE = "20/h"


def safe_next(request: HttpRequest) -> str:
    """The page to go back to after signing up or logging in, if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return target
    return ""


@method_decorator(ratelimit(key="ip", rate="20/h", method="POST"), name="post")
class SignupView(View):
    template_name = "registration/signup.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, SignupForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SignupForm(request.POST)
        if not form.is_valid():
            return self._page(request, form, status=400)
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.public_name}. You can now comment.")
        return redirect(safe_next(request) or "articles:list")

    def _page(
        self, request: HttpRequest, form: SignupForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {"form": form, "next": safe_next(request)},
            status=status,
        )


@method_decorator(
    ratelimit(key="ip", rate="5/h", method="POST", block=False), name="post"
)
@method_decorator(
    ratelimit(key="post:email", rate="3/h", method="POST", block=False), name="post"
)
class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by email, limited per address and per client so it cannot be
    used to flood someone's inbox; the refusal says what to do instead."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "limited", False):
            response = render(
                request,
                "accounts/password_reset_form.html",
                {"form": self.get_form(), "limited": True},
                status=429,
            )
            response["Retry-After"] = "3600"
            return response
        return super().post(request, *args, **kwargs)


@method_decorator(ratelimit(key="ip", rate="10/h", method="POST"), name="post")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    pass


@method_decorator(ratelimit(key="user", rate="10/h", method="POST"), name="post")
class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        messages.success(self.request, "Your password is changed.")
        return super().form_valid(form)


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  (login_required)
    return user


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html", {"viewer": _viewer(request)})


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate=ACCOUNT_WRITE_RATE, method="POST")
def display_name_change(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    form = DisplayNameForm(
        request.POST or None, initial={"display_name": viewer.display_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.display_name_set(
                user=viewer, name=form.cleaned_data["display_name"]
            )
        except ServiceError as exc:
            form.add_error("display_name", exc.message)
        else:
            messages.success(
                request, f"Your display name is now {viewer.display_name}."
            )
            return redirect("account")
    return render(
        request,
        "accounts/display_name.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate="5/h", method="POST")
def email_change(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not viewer.check_password(form.cleaned_data["password"]):
            form.add_error("password", "That is not your current password.")
        else:
            try:
                services.email_change_request(
                    user=viewer,
                    new_email=form.cleaned_data["email"],
                    base_url=request.build_absolute_uri("/").rstrip("/"),
                )
            except ServiceError as exc:
                form.add_error("email", exc.message)
            else:
                messages.info(
                    request,
                    f"We sent a link to {form.cleaned_data['email']}. Your address "
                    "changes when you follow it (within two days).",
                )
                return redirect("account")
    return render(
        request,
        "accounts/email_change.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "GET":
        # A mail scanner following the link must not change the address: the
        # reader confirms with a button.
        return render(request, "accounts/email_confirm.html", {"token": token})
    try:
        user = services.email_change_confirm(token=token)
    except ServiceError as exc:
        return render(
            request,
            "articles/refused.html",
            {"message": exc.message},
            status=exc.status,
        )
    messages.success(request, f"Your email address is now {user.email}.")
    if request.user.is_authenticated:
        return redirect("account")
    return redirect(resolve_url(settings.LOGIN_URL))


def locked_out(
    request: HttpRequest, response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """django-axes' answer once a username has failed too often from one address."""
    wait = int(settings.AXES_COOLOFF_TIME.total_seconds())
    locked = render(
        request,
        "articles/refused.html",
        {
            "message": "Too many failed log-ins for this account from your address. "
            f"Please wait {wait // 60} minutes and try again."
        },
        status=429,
    )
    locked["Retry-After"] = str(wait)
    return locked
