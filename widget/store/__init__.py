"""All SQL of the service, one module per subject. Connection in, models out.

Write functions take a plain sqlite3 connection and run inside the writer's transaction (see
db.py); read functions take an aiosqlite connection. Nothing here knows about HTTP.
"""

from widget.store.audit import (
    AuditEntry,
    create_site,
    list_audit,
    record_audit,
    reset_post,
    update_site,
)
from widget.store.authors import (
    Author,
    author_by_id,
    author_by_name,
    delete_author,
    list_authors,
    set_author_access,
    set_password,
)
from widget.store.dashboard import (
    SORTS,
    DayCount,
    PostRow,
    SiteStats,
    daily_trend,
    new_feedback_by_post,
    post_row,
    ranked_posts,
    recent_votes,
    site_stats,
)
from widget.store.embed import read_post_title, read_voter_rating
from widget.store.exports import FEEDBACK_FIELDS, VOTE_FIELDS, export_feedback, export_votes
from widget.store.feedback import add_feedback
from widget.store.inbox import (
    InboxFilter,
    InboxItem,
    feedback_item,
    list_feedback,
    status_counts,
    triage_feedback,
    unread_count,
)
from widget.store.maintenance import data_version, export_rows, import_rows, recompute
from widget.store.privacy import (
    CapCheck,
    Forgotten,
    Purged,
    count_new_vote,
    forget_voter,
    prune_salts,
    purge_before,
    salt_seed,
)
from widget.store.sites import (
    count_authors,
    create_author,
    load_sites,
    save_site,
    secret_key,
    site_exists,
)
from widget.store.tally import day_of
from widget.store.vote_batch import VoteWrite, record_votes
from widget.store.votes import read_summaries, record_vote, withdraw_vote

__all__ = [
    "FEEDBACK_FIELDS",
    "SORTS",
    "VOTE_FIELDS",
    "AuditEntry",
    "Author",
    "CapCheck",
    "DayCount",
    "Forgotten",
    "InboxFilter",
    "InboxItem",
    "PostRow",
    "Purged",
    "SiteStats",
    "VoteWrite",
    "add_feedback",
    "author_by_id",
    "author_by_name",
    "count_authors",
    "count_new_vote",
    "create_author",
    "create_site",
    "daily_trend",
    "data_version",
    "day_of",
    "delete_author",
    "export_feedback",
    "export_rows",
    "export_votes",
    "feedback_item",
    "forget_voter",
    "import_rows",
    "list_audit",
    "list_authors",
    "list_feedback",
    "load_sites",
    "new_feedback_by_post",
    "post_row",
    "prune_salts",
    "purge_before",
    "ranked_posts",
    "read_post_title",
    "read_summaries",
    "read_voter_rating",
    "recent_votes",
    "recompute",
    "record_audit",
    "record_vote",
    "record_votes",
    "reset_post",
    "salt_seed",
    "save_site",
    "secret_key",
    "set_author_access",
    "set_password",
    "site_exists",
    "site_stats",
    "status_counts",
    "triage_feedback",
    "unread_count",
    "update_site",
    "withdraw_vote",
]
