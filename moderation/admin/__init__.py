"""The moderators' workplace: queues, one page per comment, actions, rules, models.

One module per part: `queues` (the comment queues and their bulk actions),
`review` (the page for one comment), `filters`, `forms`, `audit` (decisions,
reports, standings: read-only), `rules` (word rules, thresholds, stories) and
`registry` (classifier versions). The actions themselves are the table in
`moderation.services.action_table`, shared with the moderation API.

Admin actions and the review page are thin: they read with `moderation.selectors`
and act through services, which write the audit rows. The page each moderator saw
travels with the request (`seen_<id>` = the newest decision shown), so two
moderators acting at once never silently overwrite each other.
"""

from django.contrib import admin

from . import audit, queues, registry, rules  # noqa: F401  (register the admins)

admin.site.index_template = "admin/moderation/index.html"
admin.site.site_header = "Parley moderation"
admin.site.index_title = "Moderators' workplace"
