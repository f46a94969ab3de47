from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django_ratelimit.decorators import ratelimit

from .forms import SignupForm


@method_decorator(ratelimit(key="ip", rate="20/h", method="POST"), name="post")
class SignupView(View):
    template_name = "registration/signup.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": SignupForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SignupForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.public_name}. You can now comment.")
        return redirect("articles:list")


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
