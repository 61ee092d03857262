"""Moving a database: everything of one store into another (SQLite to PostgreSQL, or back).

`export` then `import` carries the data (sites, posts, votes, daily counts, feedback); `copy`
also brings the authors (with their password hashes and sites) and the kept secret key, so
readers keep changing their own votes and authors log in as before.
"""

from __future__ import annotations

from typing import Any

from widget.errors import InvalidField
from widget.store import Store


async def copy_database(source: Store, target: Store) -> dict[str, int]:
    """Copy source into target in the order that keeps every reader's key valid; the counts."""
    secret = await source.secret_key()
    if await target.keep_secret_key(secret) != secret:
        # Readers' keys there were made with another secret: merging would split them.
        raise InvalidField(
            "to", "the target database keeps another secret key: copy into a new database"
        )
    rows: list[dict[str, Any]] = [row async for row in source.export_rows()]
    counts = await target.import_rows(rows)
    counts["author"] = 0
    for author in await source.list_authors():
        if await target.author_by_name(author.username) is None:
            await target.create_author(
                author.username, author.password_hash, author.is_admin, author.sites, None
            )
            counts["author"] += 1
    return counts
