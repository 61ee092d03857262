"""All SQL of the service, one module per subject. Connection in, models out.

Write functions take a plain sqlite3 connection and run inside the writer's transaction (see
db.py); read functions take an aiosqlite connection. Nothing here knows about HTTP.
"""

from widget.store.feedback import add_feedback
from widget.store.maintenance import export_rows, import_rows, recompute
from widget.store.sites import (
    count_authors,
    create_author,
    load_sites,
    save_site,
    secret_key,
    site_exists,
)
from widget.store.votes import (
    day_of,
    read_summaries,
    record_vote,
    voter_rating,
    withdraw_vote,
)

__all__ = [
    "add_feedback",
    "count_authors",
    "create_author",
    "day_of",
    "export_rows",
    "import_rows",
    "load_sites",
    "read_summaries",
    "recompute",
    "record_vote",
    "save_site",
    "secret_key",
    "site_exists",
    "voter_rating",
    "withdraw_vote",
]
