"""The permission matrix: every route, who asks, and the status they get.

The routes come from the URL configuration, so a new URL without a row here fails
`test_every_route_has_a_row`: decide who may see it and add the row. Columns are
anonymous, the comment's author (reader), another reader, a moderator (staff in the
Moderators group) and a superuser; when sites exist, a moderator of another site
is added as a column. Admin pages with an object id use an existing object of
their model where the world below has one (else id 0, which the admin redirects).
POST is checked on every route outside the admin (whose writes go through the same
permission checks as its pages) with an empty body, in file order: the author's
withdraw succeeds once, so later rows see a withdrawn comment.

When a row fails, the test prints the observed rows to paste after checking them.
"""

import pytest

from tests.security.matrix import ROLES, build_world, observe
from tests.security.routes import all_routes

GET: dict[str, tuple[int, ...]] = {
    "admin:index": (302, 302, 302, 200, 200),
    "admin:login": (200, 200, 200, 302, 302),
    "admin:logout": (302, 302, 302, 405, 405),
    "admin:password_change": (302, 302, 302, 200, 200),
    "admin:password_change_done": (302, 302, 302, 200, 200),
    "admin:autocomplete": (302, 302, 302, 403, 403),
    "admin:jsi18n": (302, 302, 302, 200, 200),
    "admin:view_on_site": (302, 302, 302, 404, 404),
    "admin:auth_group_changelist": (302, 302, 302, 403, 200),
    "admin:auth_group_add": (302, 302, 302, 403, 200),
    "admin:auth_group_history": (302, 302, 302, 403, 200),
    "admin:auth_group_delete": (302, 302, 302, 403, 200),
    "admin:auth_group_change": (302, 302, 302, 403, 200),
    "admin/auth/group/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:authtoken_tokenproxy_changelist": (302, 302, 302, 403, 200),
    "admin:authtoken_tokenproxy_add": (302, 302, 302, 403, 200),
    "admin:authtoken_tokenproxy_history": (302, 302, 302, 302, 302),
    "admin:authtoken_tokenproxy_delete": (302, 302, 302, 403, 302),
    "admin:authtoken_tokenproxy_change": (302, 302, 302, 403, 302),
    "admin/authtoken/tokenproxy/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:auth_user_password_change": (302, 302, 302, 403, 200),
    "admin:accounts_user_changelist": (302, 302, 302, 403, 200),
    "admin:accounts_user_add": (302, 302, 302, 403, 200),
    "admin:accounts_user_history": (302, 302, 302, 403, 200),
    "admin:accounts_user_delete": (302, 302, 302, 403, 200),
    "admin:accounts_user_change": (302, 302, 302, 403, 200),
    "admin/accounts/user/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:moderation_decision_changelist": (302, 302, 302, 200, 200),
    "admin:moderation_decision_add": (302, 302, 302, 403, 403),
    "admin:moderation_decision_history": (302, 302, 302, 200, 200),
    "admin:moderation_decision_delete": (302, 302, 302, 403, 200),
    "admin:moderation_decision_change": (302, 302, 302, 200, 200),
    "admin/moderation/decision/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:moderation_report_changelist": (302, 302, 302, 200, 200),
    "admin:moderation_report_add": (302, 302, 302, 403, 403),
    "admin:moderation_report_history": (302, 302, 302, 302, 302),
    "admin:moderation_report_delete": (302, 302, 302, 403, 302),
    "admin:moderation_report_change": (302, 302, 302, 302, 302),
    "admin/moderation/report/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:moderation_authorstanding_changelist": (302, 302, 302, 200, 200),
    "admin:moderation_authorstanding_add": (302, 302, 302, 403, 403),
    "admin:moderation_authorstanding_history": (302, 302, 302, 302, 302),
    "admin:moderation_authorstanding_delete": (302, 302, 302, 403, 302),
    "admin:moderation_authorstanding_change": (302, 302, 302, 302, 302),
    "admin/moderation/authorstanding/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:moderation_needsreviewcomment_changelist": (302, 302, 302, 200, 200),
    "admin:moderation_needsreviewcomment_add": (302, 302, 302, 403, 403),
    "admin:moderation_needsreviewcomment_history": (302, 302, 302, 302, 302),
    "admin:moderation_needsreviewcomment_delete": (302, 302, 302, 403, 302),
    "admin:moderation_needsreviewcomment_change": (302, 302, 302, 200, 200),
    "admin/moderation/needsreviewcomment/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:moderation_reportedcomment_changelist": (302, 302, 302, 200, 200),
    "admin:moderation_reportedcomment_add": (302, 302, 302, 403, 403),
    "admin:moderation_reportedcomment_history": (302, 302, 302, 302, 302),
    "admin:moderation_reportedcomment_delete": (302, 302, 302, 403, 302),
    "admin:moderation_reportedcomment_change": (302, 302, 302, 200, 200),
    "admin/moderation/reportedcomment/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:moderation_pendingcomment_changelist": (302, 302, 302, 200, 200),
    "admin:moderation_pendingcomment_add": (302, 302, 302, 403, 403),
    "admin:moderation_pendingcomment_history": (302, 302, 302, 302, 302),
    "admin:moderation_pendingcomment_delete": (302, 302, 302, 403, 302),
    "admin:moderation_pendingcomment_change": (302, 302, 302, 200, 200),
    "admin/moderation/pendingcomment/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:moderation_approvedcomment_changelist": (302, 302, 302, 200, 200),
    "admin:moderation_approvedcomment_add": (302, 302, 302, 403, 403),
    "admin:moderation_approvedcomment_history": (302, 302, 302, 302, 302),
    "admin:moderation_approvedcomment_delete": (302, 302, 302, 403, 302),
    "admin:moderation_approvedcomment_change": (302, 302, 302, 200, 200),
    "admin/moderation/approvedcomment/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:moderation_rejectedcomment_changelist": (302, 302, 302, 200, 200),
    "admin:moderation_rejectedcomment_add": (302, 302, 302, 403, 403),
    "admin:moderation_rejectedcomment_history": (302, 302, 302, 200, 200),
    "admin:moderation_rejectedcomment_delete": (302, 302, 302, 403, 200),
    "admin:moderation_rejectedcomment_change": (302, 302, 302, 200, 200),
    "admin/moderation/rejectedcomment/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:moderation_allcomment_changelist": (302, 302, 302, 200, 200),
    "admin:moderation_allcomment_add": (302, 302, 302, 403, 403),
    "admin:moderation_allcomment_history": (302, 302, 302, 200, 200),
    "admin:moderation_allcomment_delete": (302, 302, 302, 403, 200),
    "admin:moderation_allcomment_change": (302, 302, 302, 200, 200),
    "admin/moderation/allcomment/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:moderation_modelversion_disagreements": (302, 302, 302, 404, 404),
    "admin:moderation_modelversion_changelist": (302, 302, 302, 200, 200),
    "admin:moderation_modelversion_add": (302, 302, 302, 403, 403),
    "admin:moderation_modelversion_history": (302, 302, 302, 302, 302),
    "admin:moderation_modelversion_delete": (302, 302, 302, 403, 302),
    "admin:moderation_modelversion_change": (302, 302, 302, 302, 302),
    "admin/moderation/modelversion/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:moderation_wordrule_try": (302, 302, 302, 200, 200),
    "admin:moderation_wordrule_changelist": (302, 302, 302, 200, 200),
    "admin:moderation_wordrule_add": (302, 302, 302, 403, 200),
    "admin:moderation_wordrule_history": (302, 302, 302, 302, 302),
    "admin:moderation_wordrule_delete": (302, 302, 302, 403, 302),
    "admin:moderation_wordrule_change": (302, 302, 302, 302, 302),
    "admin/moderation/wordrule/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:moderation_moderationsettings_changelist": (302, 302, 302, 302, 302),
    "admin:moderation_moderationsettings_add": (302, 302, 302, 403, 403),
    "admin:moderation_moderationsettings_history": (302, 302, 302, 200, 200),
    "admin:moderation_moderationsettings_delete": (302, 302, 302, 403, 200),
    "admin:moderation_moderationsettings_change": (302, 302, 302, 200, 200),
    "admin/moderation/moderationsettings/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:articles_article_changelist": (302, 302, 302, 200, 200),
    "admin:articles_article_add": (302, 302, 302, 403, 200),
    "admin:articles_article_history": (302, 302, 302, 200, 200),
    "admin:articles_article_delete": (302, 302, 302, 403, 200),
    "admin:articles_article_change": (302, 302, 302, 200, 200),
    "admin/articles/article/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:readers_problemreport_comment_history": (302, 302, 302, 200, 200),
    "admin:readers_problemreport_changelist": (302, 302, 302, 200, 200),
    "admin:readers_problemreport_add": (302, 302, 302, 403, 403),
    "admin:readers_problemreport_history": (302, 302, 302, 302, 302),
    "admin:readers_problemreport_delete": (302, 302, 302, 403, 302),
    "admin:readers_problemreport_change": (302, 302, 302, 302, 302),
    "admin/readers/problemreport/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:readers_appeal_changelist": (302, 302, 302, 200, 200),
    "admin:readers_appeal_add": (302, 302, 302, 403, 403),
    "admin:readers_appeal_history": (302, 302, 302, 302, 302),
    "admin:readers_appeal_delete": (302, 302, 302, 403, 302),
    "admin:readers_appeal_change": (302, 302, 302, 302, 302),
    "admin/readers/appeal/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:readers_emaildelivery_changelist": (302, 302, 302, 200, 200),
    "admin:readers_emaildelivery_add": (302, 302, 302, 403, 403),
    "admin:readers_emaildelivery_history": (302, 302, 302, 302, 302),
    "admin:readers_emaildelivery_delete": (302, 302, 302, 403, 302),
    "admin:readers_emaildelivery_change": (302, 302, 302, 302, 302),
    "admin/readers/emaildelivery/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:readers_notification_changelist": (302, 302, 302, 200, 200),
    "admin:readers_notification_add": (302, 302, 302, 403, 403),
    "admin:readers_notification_history": (302, 302, 302, 302, 302),
    "admin:readers_notification_delete": (302, 302, 302, 403, 302),
    "admin:readers_notification_change": (302, 302, 302, 302, 302),
    "admin/readers/notification/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:perspective_apikey_changelist": (302, 302, 302, 403, 200),
    "admin:perspective_apikey_add": (302, 302, 302, 403, 200),
    "admin:perspective_apikey_history": (302, 302, 302, 302, 302),
    "admin:perspective_apikey_delete": (302, 302, 302, 403, 302),
    "admin:perspective_apikey_change": (302, 302, 302, 403, 302),
    "admin/perspective/apikey/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:perspective_keyusage_changelist": (302, 302, 302, 200, 200),
    "admin:perspective_keyusage_add": (302, 302, 302, 403, 403),
    "admin:perspective_keyusage_history": (302, 302, 302, 302, 302),
    "admin:perspective_keyusage_delete": (302, 302, 302, 403, 302),
    "admin:perspective_keyusage_change": (302, 302, 302, 302, 302),
    "admin/perspective/keyusage/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:perspective_feedback_changelist": (302, 302, 302, 200, 200),
    "admin:perspective_feedback_add": (302, 302, 302, 403, 403),
    "admin:perspective_feedback_history": (302, 302, 302, 302, 302),
    "admin:perspective_feedback_delete": (302, 302, 302, 403, 302),
    "admin:perspective_feedback_change": (302, 302, 302, 302, 302),
    "admin/perspective/feedback/<path:object_id>/": (302, 302, 302, 302, 302),
    "admin:app_list": (302, 302, 302, 200, 200),
    "admin/(?P<url>.*)$": (302, 302, 302, 404, 404),
    "healthz": (200, 200, 200, 200, 200),
    "favicon": (301, 301, 301, 301, 301),
    "comment-report-form": (302, 404, 404, 404, 404),
    "metrics": (200, 200, 200, 200, 200),
    "perspective:analyze": (404, 404, 404, 404, 404),
    "perspective:suggestscore": (404, 404, 404, 404, 404),
    "v1alpha1/^(?P<rest>.*)$": (404, 404, 404, 404, 404),
    "signup": (200, 200, 200, 200, 200),
    "login": (200, 200, 200, 200, 200),
    "logout": (405, 405, 405, 405, 405),
    "api-token": (405, 405, 405, 405, 405),
    "api-article-list": (200, 200, 200, 200, 200),
    "api-article-detail": (200, 200, 200, 200, 200),
    "api-thread": (200, 200, 200, 200, 200),
    "api-comment": (404, 404, 404, 404, 404),
    "api-comment-withdraw": (405, 405, 405, 405, 405),
    "api-comment-report": (403, 405, 405, 405, 405),
    "api-moderation-approve": (403, 403, 403, 405, 405),
    "api-moderation-reject": (403, 403, 403, 405, 405),
    "api-moderation-suspend": (403, 403, 403, 405, 405),
    "api-moderation-ban": (403, 403, 403, 405, 405),
    "api-moderation-premoderate": (403, 403, 403, 405, 405),
    "api-moderation-unpremoderate": (403, 403, 403, 405, 405),
    "api-moderation-lift": (403, 403, 403, 405, 405),
    "api-moderation-feature": (403, 403, 403, 405, 405),
    "api-moderation-unfeature": (403, 403, 403, 405, 405),
    "api-problem-report": (405, 405, 405, 405, 405),
    "api-my-comments": (403, 200, 200, 200, 200),
    "api-appeal": (403, 405, 405, 405, 405),
    "api-notifications": (403, 200, 200, 200, 200),
    "api-notification-settings": (403, 200, 200, 200, 200),
    "api-my-data": (403, 200, 200, 200, 200),
    "api-account-delete": (403, 405, 405, 405, 405),
    "schema": (200, 200, 200, 200, 200),
    "docs": (200, 200, 200, 200, 200),
    "readers:report": (200, 200, 200, 200, 200),
    "readers:report_thanks": (200, 200, 200, 200, 200),
    "readers:my_comments": (302, 200, 200, 200, 200),
    "readers:appeal": (302, 200, 403, 403, 403),
    "readers:notifications": (302, 200, 200, 200, 200),
    "readers:notification_settings": (302, 200, 200, 200, 200),
    "readers:my_data": (302, 200, 200, 200, 200),
    "readers:my_data_download": (302, 200, 200, 200, 200),
    "readers:account_delete": (302, 200, 200, 200, 200),
    "articles:list": (200, 200, 200, 200, 200),
    "articles:detail": (200, 200, 200, 200, 200),
    "articles:comment_post": (405, 405, 405, 405, 405),
    "articles:comment": (404, 404, 404, 404, 404),
    "articles:comment_edit": (302, 200, 403, 403, 403),
    "articles:comment_withdraw": (302, 200, 403, 403, 403),
}

POST: dict[str, tuple[int, ...]] = {
    "healthz": (200, 200, 200, 200, 200),
    "favicon": (301, 301, 301, 301, 301),
    "comment-report-form": (302, 404, 404, 404, 404),
    "metrics": (200, 200, 200, 200, 200),
    "perspective:analyze": (403, 403, 403, 403, 403),
    "perspective:suggestscore": (403, 403, 403, 403, 403),
    "v1alpha1/^(?P<rest>.*)$": (404, 404, 404, 404, 404),
    "signup": (400, 400, 400, 400, 400),
    "login": (200, 200, 200, 200, 200),
    "logout": (302, 302, 302, 302, 302),
    "api-token": (400, 400, 400, 400, 400),
    "api-article-list": (403, 405, 405, 405, 405),
    "api-article-detail": (403, 405, 405, 405, 405),
    "api-thread": (403, 400, 400, 400, 400),
    "api-comment": (403, 405, 405, 405, 405),
    "api-comment-withdraw": (403, 200, 403, 403, 403),
    "api-comment-report": (403, 404, 404, 404, 404),
    "api-moderation-approve": (403, 403, 403, 403, 403),
    "api-moderation-reject": (403, 403, 403, 403, 403),
    "api-moderation-suspend": (403, 403, 403, 403, 403),
    "api-moderation-ban": (403, 403, 403, 403, 403),
    "api-moderation-premoderate": (403, 403, 403, 200, 200),
    "api-moderation-unpremoderate": (403, 403, 403, 200, 200),
    "api-moderation-lift": (403, 403, 403, 200, 200),
    "api-moderation-feature": (403, 403, 403, 403, 403),
    "api-moderation-unfeature": (403, 403, 403, 403, 403),
    "api-problem-report": (400, 400, 400, 400, 400),
    "api-my-comments": (403, 405, 405, 405, 405),
    "api-appeal": (403, 400, 400, 400, 400),
    "api-notifications": (403, 405, 405, 405, 405),
    "api-notification-settings": (403, 405, 405, 405, 405),
    "api-my-data": (403, 405, 405, 405, 405),
    "api-account-delete": (403, 400, 400, 400, 400),
    "schema": (405, 405, 405, 405, 405),
    "docs": (405, 405, 405, 405, 405),
    "readers:report": (400, 400, 400, 400, 400),
    "readers:report_thanks": (200, 200, 200, 200, 200),
    "readers:my_comments": (302, 200, 200, 200, 200),
    "readers:appeal": (302, 400, 403, 403, 403),
    "readers:notifications": (302, 302, 302, 302, 302),
    "readers:notification_settings": (302, 302, 302, 302, 302),
    "readers:my_data": (302, 200, 200, 200, 200),
    "readers:my_data_download": (302, 200, 200, 200, 200),
    "readers:account_delete": (302, 200, 200, 200, 200),
    "articles:list": (200, 200, 200, 200, 200),
    "articles:detail": (200, 200, 200, 200, 200),
    "articles:comment_post": (302, 400, 400, 400, 400),
    "articles:comment": (404, 404, 404, 404, 404),
    "articles:comment_edit": (302, 400, 403, 403, 403),
    "articles:comment_withdraw": (302, 302, 403, 403, 403),
}


def _is_admin(name: str) -> bool:
    return name.startswith("admin")


def _report(seen: dict[str, tuple[int, ...]], table: dict[str, tuple[int, ...]]):
    rows = [
        f"    {name!r}: {statuses},  # was {table.get(name)}"
        for name, statuses in seen.items()
        if table.get(name) != statuses
    ]
    return f"columns {ROLES}; rows that differ:\n" + "\n".join(rows)


def test_every_route_has_a_row() -> None:
    """A URL without a decided row fails, and so does a row for a URL now gone."""
    # given
    names = {route.name for route in all_routes()}
    public = {name for name in names if not _is_admin(name)}
    # then
    assert sorted(names - set(GET)) == [], "routes with no GET row"
    assert sorted(set(GET) - names) == [], "GET rows for routes that are gone"
    assert sorted(public - set(POST)) == [], "routes with no POST row"
    assert sorted(set(POST) - public) == [], "POST rows for routes that are gone"


@pytest.mark.django_db
def test_who_gets_what_on_every_route() -> None:
    """Each role gets exactly the status its row says, for GET and for POST."""
    # given
    world = build_world()
    routes = all_routes()
    # when
    seen_get = observe(routes, world, "get", lambda r: True)
    seen_post = observe(routes, world, "post", lambda r: not _is_admin(r.name))
    # then
    assert seen_get == GET, _report(seen_get, GET)
    assert seen_post == POST, _report(seen_post, POST)
