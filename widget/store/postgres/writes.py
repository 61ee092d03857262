"""Writes on PostgreSQL other than votes: feedback, sites, authors, triage, privacy, resets.

Each function runs inside the caller's transaction (connection.in_transaction) and does what
its SQLite twin does. Where a write changes what another instance caches (a post's numbers,
the sites), it sends a NOTIFY in the same transaction: PostgreSQL delivers it at the commit.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Sequence
from typing import Any

import asyncpg

from widget.errors import InvalidField, NotFound
from widget.models import FeedbackInput, Site, Summary
from widget.store import Forgotten, Purged
from widget.store.postgres.reads import POST_COLUMNS, summary_of

CHANNEL = "rw_changes"


async def notify(conn: asyncpg.Connection, sender: str, **what: Any) -> None:
    payload = json.dumps({"from": sender, **what}, ensure_ascii=False)
    await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)


async def site_exists(conn: asyncpg.Connection, slug: str) -> bool:
    return bool(await conn.fetchval("SELECT EXISTS (SELECT 1 FROM sites WHERE slug = $1)", slug))


# --- feedback -------------------------------------------------------------------------------


async def add_feedback(
    conn: asyncpg.Connection,
    item: FeedbackInput,
    voter_key: str,
    status: str,
    spam_score: float,
    now: float,
) -> int:
    if not await site_exists(conn, item.site):
        raise NotFound(f"site {item.site!r} does not exist", field="site")
    found = await conn.fetchval(
        "INSERT INTO feedback (site, post, voter_key, rating, reason, text, lang, status,"
        " spam_score, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
        " $10) RETURNING id",
        item.site,
        item.post,
        voter_key,
        item.rating,
        item.reason,
        item.text,
        item.lang,
        status,
        spam_score,
        now,
    )
    return int(found)


async def triage_feedback(
    conn: asyncpg.Connection,
    ids: Sequence[int],
    sites: Sequence[str],
    now: float,
    status: str | None,
    note: str | None,
) -> int:
    if not ids or not sites or (status is None and note is None):
        return 0
    done = await conn.execute(
        "UPDATE feedback SET updated_at = $1, status = coalesce($2, status),"
        " note = coalesce($3, note) WHERE id = ANY($4::bigint[]) AND site = ANY($5::text[])",
        now,
        status,
        note,
        list(ids),
        list(sites),
    )
    return _count(done)


def _count(status: str) -> int:
    """The row count of a command tag such as "UPDATE 3"."""
    return int(status.rsplit(" ", 1)[-1])


# --- sites, the secret, authors, the audit log ----------------------------------------------


def site_of(row: Any) -> Site:
    origins = tuple(o.rstrip("/").lower() for o in json.loads(row["origins"]))
    return Site(row["slug"], row["name"], origins, json.loads(row["settings"]))


async def load_sites(conn: asyncpg.Connection) -> dict[str, Site]:
    rows = await conn.fetch(
        "SELECT slug, name, origins::text AS origins, settings::text AS settings"
        " FROM sites ORDER BY slug"
    )
    return {row["slug"]: site_of(row) for row in rows}


async def save_site(conn: asyncpg.Connection, site: Site) -> None:
    await conn.execute(
        "INSERT INTO sites (slug, name, origins, settings, created_at)"
        " VALUES ($1, $2, $3::jsonb, $4::jsonb, $5)"
        " ON CONFLICT (slug) DO UPDATE SET name = excluded.name, origins = excluded.origins,"
        " settings = excluded.settings",
        site.slug,
        site.name,
        json.dumps(list(site.origins)),
        json.dumps(site.settings),
        time.time(),
    )


async def record_audit(
    conn: asyncpg.Connection,
    author: str,
    action: str,
    target: str,
    detail: dict[str, Any] | None = None,
    now: float | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO audit_log (at, author, action, target, detail) VALUES ($1, $2, $3, $4,"
        " $5::jsonb)",
        time.time() if now is None else now,
        author,
        action,
        target,
        json.dumps(detail or {}, ensure_ascii=False),
    )


async def create_site(conn: asyncpg.Connection, site: Site, author: str, sender: str) -> Site:
    if await site_exists(conn, site.slug):
        raise InvalidField("slug", f"a site called {site.slug!r} already exists")
    await save_site(conn, site)
    await record_audit(conn, author, "create_site", site.slug, {"name": site.name})
    await notify(conn, sender, sites=True)
    return site


async def update_site(conn: asyncpg.Connection, site: Site, author: str, sender: str) -> Site:
    old = await conn.fetchrow(
        "SELECT name, origins::text AS origins, settings::text AS settings FROM sites"
        " WHERE slug = $1 FOR UPDATE",
        site.slug,
    )
    if old is None:
        raise NotFound(f"site {site.slug!r} does not exist", field="site")
    await save_site(conn, site)
    before = {
        "name": old["name"],
        "origins": json.loads(old["origins"]),
        "settings": json.loads(old["settings"]),
    }
    await record_audit(conn, author, "update_site", site.slug, {"before": before})
    await notify(conn, sender, sites=True)
    return site


async def secret_key(conn: asyncpg.Connection, fresh: str | None = None) -> str:
    """The kept secret; `fresh` (else a random one) when none is kept yet."""
    await conn.execute(
        "INSERT INTO meta (key, value) VALUES ('secret_key', $1) ON CONFLICT DO NOTHING",
        fresh or secrets.token_urlsafe(48),
    )
    return str(await conn.fetchval("SELECT value FROM meta WHERE key = 'secret_key'"))


async def count_authors(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM authors"))


async def create_author(
    conn: asyncpg.Connection,
    username: str,
    password_hash: str,
    is_admin: bool,
    sites: Sequence[str],
) -> int:
    author_id = await conn.fetchval(
        "INSERT INTO authors (username, password_hash, is_admin, created_at)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (username) DO NOTHING RETURNING id",
        username,
        password_hash,
        is_admin,
        time.time(),
    )
    if author_id is None:
        raise InvalidField("username", f"author {username!r} already exists")
    await _add_members(conn, int(author_id), sites, "site")
    return int(author_id)


async def _add_members(
    conn: asyncpg.Connection, author_id: int, sites: Sequence[str], field: str
) -> None:
    for site in sites:
        if not await site_exists(conn, site):
            raise NotFound(f"site {site!r} does not exist", field=field)
        await conn.execute(
            "INSERT INTO site_members (author_id, site) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            author_id,
            site,
        )


async def username_of(conn: asyncpg.Connection, author_id: int) -> str:
    name = await conn.fetchval("SELECT username FROM authors WHERE id = $1", author_id)
    if name is None:
        raise NotFound("no such author")
    return str(name)


async def _would_leave_no_admin(conn: asyncpg.Connection, author_id: int) -> bool:
    # The admins are locked first: two admins demoting each other at once keep one.
    rows = await conn.fetch("SELECT id FROM authors WHERE is_admin ORDER BY id FOR UPDATE")
    admins = {int(r["id"]) for r in rows}
    return author_id in admins and len(admins) == 1


async def set_author_access(
    conn: asyncpg.Connection, author_id: int, is_admin: bool, sites: Sequence[str]
) -> None:
    await username_of(conn, author_id)
    if not is_admin and await _would_leave_no_admin(conn, author_id):
        raise InvalidField("is_admin", "at least one admin must remain")
    await conn.execute("UPDATE authors SET is_admin = $1 WHERE id = $2", is_admin, author_id)
    await conn.execute("DELETE FROM site_members WHERE author_id = $1", author_id)
    await _add_members(conn, author_id, sites, "sites")


async def set_password(conn: asyncpg.Connection, author_id: int, password_hash: str) -> None:
    await conn.execute(
        "UPDATE authors SET password_hash = $1 WHERE id = $2", password_hash, author_id
    )


async def delete_author(conn: asyncpg.Connection, author_id: int) -> str:
    name = await username_of(conn, author_id)
    if await _would_leave_no_admin(conn, author_id):
        raise InvalidField("author", "the last admin cannot be removed")
    await conn.execute("DELETE FROM authors WHERE id = $1", author_id)
    return name


# --- posts: reset, forget, salts, retention -------------------------------------------------


async def move_post(
    conn: asyncpg.Connection, site: str, post: str, old: int, now: float, day: str
) -> Summary:
    """Take one reader's vote `old` out of the post's aggregates and its day's row."""
    buckets = [-(old == n) for n in range(1, 6)]
    row = await conn.fetchrow(
        "UPDATE posts SET votes = votes - 1, total = total - $3, r1 = r1 + $4, r2 = r2 + $5,"
        " r3 = r3 + $6, r4 = r4 + $7, r5 = r5 + $8, last_vote_at = $9, seq = seq + 1"
        f" WHERE site = $1 AND post = $2 RETURNING {POST_COLUMNS}",
        site,
        post,
        old,
        *buckets,
        now,
    )
    await conn.execute(
        "INSERT INTO daily AS d (site, post, day, votes, total) VALUES ($1, $2, $3, -1, -$4::int)"
        " ON CONFLICT (site, post, day) DO UPDATE SET votes = d.votes - 1,"
        " total = d.total - $4::int",
        site,
        post,
        day,
        old,
    )
    return summary_of(site, post, row)


async def withdraw_vote(
    conn: asyncpg.Connection, site: str, post: str, voter_key: str, now: float, day: str
) -> Summary:
    if not await site_exists(conn, site):
        raise NotFound(f"site {site!r} does not exist", field="site")
    # The post's row first, as every vote takes it (see rw_cast_vote): no deadlock.
    await conn.execute("SELECT 1 FROM posts WHERE site = $1 AND post = $2 FOR UPDATE", site, post)
    old = await conn.fetchval(
        "DELETE FROM votes WHERE site = $1 AND post = $2 AND voter_key = $3 RETURNING rating",
        site,
        post,
        voter_key,
    )
    if old is None:
        row = await conn.fetchrow(
            f"SELECT {POST_COLUMNS} FROM posts WHERE site = $1 AND post = $2", site, post
        )
        return summary_of(site, post, row)
    return await move_post(conn, site, post, int(old), now, day)


async def forget_voter(
    conn: asyncpg.Connection, voter_key: str, site: str | None, now: float, day: str
) -> Forgotten:
    where, params = "voter_key = $1", [voter_key]
    if site is not None:
        where += " AND site = $2"
        params.append(site)
    posts = await conn.fetch(
        f"SELECT DISTINCT site, post FROM votes WHERE {where} ORDER BY site, post", *params
    )
    for row in posts:  # in the votes' own order: see withdraw_vote
        await conn.execute(
            "SELECT 1 FROM posts WHERE site = $1 AND post = $2 FOR UPDATE",
            row["site"],
            row["post"],
        )
    rows = await conn.fetch(
        f"DELETE FROM votes WHERE {where} RETURNING site, post, rating", *params
    )
    result = Forgotten()
    for vote_site, post, rating in sorted((r[0], r[1], r[2]) for r in rows):
        result.summaries.append(await move_post(conn, vote_site, post, rating, now, day))
    result.votes = len(rows)
    result.feedback = _count(await conn.execute(f"DELETE FROM feedback WHERE {where}", *params))
    return result


async def reset_post(
    conn: asyncpg.Connection, site: str, post: str, author: str, now: float
) -> Summary:
    row = await conn.fetchrow(
        f"SELECT {POST_COLUMNS} FROM posts WHERE site = $1 AND post = $2 FOR UPDATE", site, post
    )
    if row is None:
        raise NotFound(f"post {post!r} has no votes on site {site!r}", field="post")
    for table in ("votes", "daily", "vote_baseline"):
        await conn.execute(f"DELETE FROM {table} WHERE site = $1 AND post = $2", site, post)
    after = await conn.fetchrow(
        "UPDATE posts SET votes = 0, total = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0,"
        f" seq = seq + 1 WHERE site = $1 AND post = $2 RETURNING {POST_COLUMNS}",
        site,
        post,
    )
    before = {
        "votes": row["votes"],
        "total": row["total"],
        "distribution": [row["r1"], row["r2"], row["r3"], row["r4"], row["r5"]],
    }
    await record_audit(conn, author, "reset_post", f"{site}/{post}", before, now)
    return summary_of(site, post, after)


async def salt_seed(conn: asyncpg.Connection, day: str, fresh_seed: str, now: float) -> str:
    await conn.execute(
        "INSERT INTO ip_salts (day, seed, created_at) VALUES ($1, $2, $3)"
        " ON CONFLICT (day) DO NOTHING",
        day,
        fresh_seed,
        now,
    )
    return str(await conn.fetchval("SELECT seed FROM ip_salts WHERE day = $1", day))


async def prune_salts(conn: asyncpg.Connection, today: str, yesterday: str) -> int:
    removed = _count(await conn.execute("DELETE FROM ip_salts WHERE day < $1", yesterday))
    await conn.execute("DELETE FROM vote_caps WHERE day < $1", today)
    return removed


async def purge_before(conn: asyncpg.Connection, cutoff: float, now: float) -> Purged:
    posts = _count(
        await conn.execute(
            "INSERT INTO vote_baseline AS b (site, post, votes, total, r1, r2, r3, r4, r5,"
            " purged_at) SELECT site, post, count(*), sum(rating),"
            " count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2),"
            " count(*) FILTER (WHERE rating = 3), count(*) FILTER (WHERE rating = 4),"
            " count(*) FILTER (WHERE rating = 5), $2 FROM votes WHERE updated_at < $1"
            " GROUP BY site, post ON CONFLICT (site, post) DO UPDATE SET"
            " votes = b.votes + excluded.votes, total = b.total + excluded.total,"
            " r1 = b.r1 + excluded.r1, r2 = b.r2 + excluded.r2, r3 = b.r3 + excluded.r3,"
            " r4 = b.r4 + excluded.r4, r5 = b.r5 + excluded.r5, purged_at = excluded.purged_at",
            cutoff,
            now,
        )
    )
    votes = _count(await conn.execute("DELETE FROM votes WHERE updated_at < $1", cutoff))
    spam = _count(
        await conn.execute("DELETE FROM feedback WHERE status = 'spam' AND created_at < $1", cutoff)
    )
    unlinked = _count(
        await conn.execute(
            "UPDATE feedback SET voter_key = '' WHERE created_at < $1 AND voter_key <> ''",
            cutoff,
        )
    )
    return Purged(votes, posts, unlinked, spam)
