"""A comment's life: the one place its status changes, and how others hear of it.

`lifecycle.transitions` changes statuses (one comment or many), writes the Decision
rows and keeps the denormalised counters; `lifecycle.events` is the after-commit
hook other apps subscribe to. See docs/architecture.md.
"""
