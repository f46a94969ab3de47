"""The dashboard on the admin index, and the queues' table, as inclusion tags."""

from collections.abc import Callable
from typing import Any

from django import forms, template
from django.contrib.admin.templatetags import admin_list
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from core.html import html_escape
from core.names import counted_noun, unnumbered
from moderation import selectors
from moderation.services.stats import stats_latest
from sites.models import Site
from sites.selectors import moderated_site_ids

register = template.Library()

QUEUE_PAGES = (
    (selectors.Queue.NEEDS_REVIEW, "Needs review", "needsreviewcomment"),
    (selectors.Queue.REPORTED, "Reported", "reportedcomment"),
    (selectors.Queue.PENDING, "Pending (not yet scored)", "pendingcomment"),
    (selectors.Queue.APPROVED, "Approved", "approvedcomment"),
    (selectors.Queue.REJECTED, "Rejected", "rejectedcomment"),
    (selectors.Queue.ALL, "All", "allcomment"),
)


@register.inclusion_tag("admin/moderation/_dashboard.html", takes_context=True)
def moderation_dashboard(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    if not request.user.has_perm("moderation.view_needsreviewcomment") and not (
        request.user.has_perm("moderation.decide_comment")
    ):
        return {"show": False}
    # Filterable by site (?site=slug on the admin index), within the moderator's:
    # every site reads the periodic rollup, one site or a site-limited moderator
    # gets their figures computed for the request.
    user = request.user
    scope = moderated_site_ids(user) if isinstance(user, User) else []
    sites = Site.objects.order_by("name")
    if scope is not None:
        sites = sites.filter(pk__in=scope)
    chosen = sites.filter(slug=request.GET.get("site", "")).first()
    site_ids = [chosen.pk] if chosen else scope
    board = (
        stats_latest().dashboard
        if site_ids is None
        else selectors.dashboard(site_ids=site_ids)
    )
    oldest = {
        selectors.Queue.NEEDS_REVIEW: board.oldest[selectors.Queue.NEEDS_REVIEW],
        selectors.Queue.PENDING: board.oldest[selectors.Queue.PENDING],
        selectors.Queue.REPORTED: board.oldest_reported,
    }
    queues = [
        {
            "label": label,
            "count": board.counts[key],
            "oldest": oldest.get(key),
            "url": reverse(f"admin:moderation_{model}_changelist")
            + (f"?site={chosen.slug}" if chosen else ""),
        }
        for key, label, model in QUEUE_PAGES
    ]
    if board.appeals is not None:
        queues.append(
            {
                "label": "Appeals",
                "count": board.appeals,
                "oldest": None,
                "url": reverse("admin:readers_appeal_changelist") + "?status=pending",
            }
        )
    decisions = reverse("admin:moderation_decision_changelist")
    every = reverse("admin:moderation_allcomment_changelist")
    # The comment queues' links keep the chosen site.
    in_site = f"site={chosen.slug}&" if chosen else ""
    return {
        "show": True,
        "board": board,
        "queues": queues,
        "sites": list(sites),
        "chosen_site": chosen,
        # Every figure links to the rows it counts.
        "links": {
            "decisions_today": f"{decisions}?source=moderator&created_at__gte="
            f"{timezone.localdate().isoformat()}",
            "decisions_by": f"{decisions}?source=moderator&q=",
            "human_decisions": f"{decisions}?source=moderator",
            "reported": reverse("admin:moderation_reportedcomment_changelist")
            + (f"?site={chosen.slug}" if chosen else ""),
            "bursts": f"{every}?{in_site}reason=BURST",
            "reason": f"{every}?{in_site}reason=",
        },
    }


# The action bar's fields, rendered once per process for each language and set of
# choices (see action_form_fields); a handful of entries at most.
_ACTION_FIELDS: dict[tuple[Any, ...], SafeString] = {}
_ACTION_FIELDS_MAX = 64


def _render_action_fields(form: forms.Form) -> SafeString:
    """What admin/actions.html's "actions-form" block renders."""
    return SafeString(
        "".join(
            f"<label>{html_escape(field.label)} {field}</label>"
            if field.label
            else str(field)
            for field in form
        )
    )


register.filter("counted_noun", counted_noun)
register.filter("unnumbered", unnumbered)


@register.simple_tag
def action_form_fields(form: forms.Form) -> SafeString:
    """The bulk bar's fields, as the admin renders them. Django renders each
    widget through templates (a tenth of a queue page's time); an unbound form's
    HTML depends only on its fields' choices and the language, so it is rendered
    once for each and then reused."""
    if form.is_bound:
        return _render_action_fields(form)
    key = (
        translation.get_language(),
        type(form),
        form.prefix,
        form.auto_id,
        tuple(
            (name, tuple((str(v), str(label)) for v, label in choices))
            for name, field in form.fields.items()
            for choices in [getattr(field, "choices", ())]
        ),
    )
    html = _ACTION_FIELDS.get(key)
    if html is None:
        html = _render_action_fields(form)
        if len(_ACTION_FIELDS) >= _ACTION_FIELDS_MAX:
            _ACTION_FIELDS.clear()
        _ACTION_FIELDS[key] = html
    return html


@register.inclusion_tag("admin/change_list_results.html")
def queue_result_list(cl: Any) -> dict[str, Any]:
    """The changelist's table as the admin's `result_list` makes it, each row built
    in one pass: every column of a queue is a method of its admin returning HTML,
    so the admin's per-cell field lookups and one template variable per cell (a
    thousand on a page of 100) are skipped. Other lists get the admin's own."""
    model_admin = cl.model_admin
    columns = [getattr(model_admin, name, None) for name in cl.list_display]
    if cl.formset or not all(callable(column) for column in columns):
        return admin_list.result_list(cl)
    cells: list[tuple[str, Callable[[Any], Any]]] = [
        ("action-checkbox" if name == "action_checkbox" else f"field-{name}", column)
        for name, column in zip(cl.list_display, columns, strict=True)
        if column is not None
    ]
    rows = [
        admin_list.ResultList(
            None,
            [
                mark_safe(  # noqa: S308  (each cell's HTML is escaped or built safe)
                    "".join(
                        f'<td class="{css}">{html_escape(column(obj))}</td>'
                        for css, column in cells
                    )
                )
            ],
        )
        for obj in cl.result_list
    ]
    headers = list(admin_list.result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": rows,
    }
