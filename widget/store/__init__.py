"""The storage seam: `Store` (base.py), the records it speaks in, and its SQLite backend.

Callers hold a Store and use its methods, records (records.py) in and out. The SQL lives in
the backends' packages (sqlite/, postgres/); the SQLite functions re-exported below take a
connection and serve the SQLite backend and its tests, not callers outside the store.
"""

from collections.abc import Callable

from widget.store.base import ChangedElsewhere, OnCommit, Store
from widget.store.records import (
    AuditEntry,
    Author,
    DayCount,
    Forgotten,
    InboxFilter,
    InboxItem,
    NewSession,
    PostRow,
    Purged,
    SessionRecord,
    SiteStats,
)
from widget.store.sqlite.audit import create_site, list_audit, record_audit, reset_post, update_site
from widget.store.sqlite.authors import (
    author_by_id,
    author_by_name,
    delete_author,
    list_authors,
    session_author,
    set_author_access,
    set_password,
)
from widget.store.sqlite.dashboard import (
    SORTS,
    daily_trend,
    new_feedback_by_post,
    post_row,
    ranked_posts,
    recent_votes,
    site_stats,
)
from widget.store.sqlite.embed import read_post_title, read_voter_rating
from widget.store.sqlite.exports import FEEDBACK_FIELDS, VOTE_FIELDS, export_feedback, export_votes
from widget.store.sqlite.feedback import add_feedback
from widget.store.sqlite.inbox import (
    feedback_item,
    list_feedback,
    status_counts,
    triage_feedback,
    unread_count,
)
from widget.store.sqlite.maintenance import data_version, export_rows, import_rows, recompute
from widget.store.sqlite.privacy import (
    CapCheck,
    count_new_vote,
    forget_voter,
    prune_salts,
    purge_before,
    salt_seed,
)
from widget.store.sqlite.sessions import (
    end_session,
    end_sessions,
    prune_sessions,
    sessions_of,
    start_session,
    touch_session,
)
from widget.store.sqlite.sites import (
    count_authors,
    create_author,
    load_sites,
    save_site,
    secret_key,
    site_exists,
)
from widget.store.sqlite.vote_batch import VoteWrite, record_votes
from widget.store.sqlite.votes import read_summaries, record_vote, withdraw_vote
from widget.store.tally import day_of

__all__ = [
    "FEEDBACK_FIELDS",
    "SORTS",
    "VOTE_FIELDS",
    "AuditEntry",
    "Author",
    "CapCheck",
    "ChangedElsewhere",
    "DayCount",
    "Forgotten",
    "InboxFilter",
    "InboxItem",
    "NewSession",
    "OnCommit",
    "PostRow",
    "Purged",
    "SessionRecord",
    "SiteStats",
    "Store",
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
    "end_session",
    "end_sessions",
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
    "prune_sessions",
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
    "session_author",
    "sessions_of",
    "set_author_access",
    "set_password",
    "shown",
    "site_exists",
    "site_stats",
    "start_session",
    "status_counts",
    "touch_session",
    "triage_feedback",
    "unread_count",
    "update_site",
    "withdraw_vote",
]


def shown(setting: str) -> str:
    """The database setting as logs and messages may show it: a URL's password hidden."""
    from urllib.parse import urlsplit

    if not setting.startswith(("postgresql://", "postgres://")):
        return setting
    parts = urlsplit(setting)
    if parts.password is None:
        return setting
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"{parts.username}:***@{host}").geturl()


async def open_store(
    path: str,
    sync: str = "full",
    max_batch: int = 512,
    on_batch: Callable[[int], None] | None = None,
) -> Store:
    """The store for a database setting, migrated and ready; close() it when done.

    A `postgresql://` (or `postgres://`) URL opens PostgreSQL; anything else is the path of a
    SQLite file. `sync` is SQLite's; PostgreSQL always commits with synchronous_commit on.
    """
    if path.startswith(("postgresql://", "postgres://")):
        from widget.store.postgres import PostgresStore  # asyncpg only when asked for

        return await PostgresStore.open(path, max_batch, on_batch)
    from widget.store.sqlite.backend import SqliteStore  # the backend imports this package

    return await SqliteStore.open(path, sync, max_batch, on_batch)
