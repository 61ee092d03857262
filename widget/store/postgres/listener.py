"""Other instances' news: LISTEN on one connection of its own, and a catch-up after a gap.

Every write that changes what an instance caches sends a NOTIFY in its own transaction
(writer.py for votes, writes.py for the rest): PostgreSQL delivers it at the commit, to every
connection listening. The payload names the posts (or says "sites", or "everything"); the
listener reads those posts' rows, whose `seq` lets the cache keep the newest whatever the
order of arrival. Notifications sent while no connection listened are gone, so each new
listening connection starts with "everything": the caches are dropped and refilled from the
database. A quiet connection is checked every `every` seconds, so a lost one is noticed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any

import asyncpg

from widget.errors import Unavailable
from widget.models import Summary
from widget.store import ChangedElsewhere
from widget.store.postgres.connection import LOST, connect
from widget.store.postgres.writes import CHANNEL

log = logging.getLogger("widget.store.postgres")
RECONNECT_SECONDS = 0.5
ReadPosts = Callable[[list[tuple[str, str]]], Awaitable[list[Summary]]]


async def follow(
    url: str, sender: str, read_posts: ReadPosts, every: float, closed: Callable[[], bool]
) -> AsyncIterator[ChangedElsewhere]:
    """What other processes commit, until cancelled (or the store is closed)."""
    listening = True  # one warning per outage, not one per attempt
    while not closed():
        conn: asyncpg.Connection | None = None
        try:
            conn = await connect(url, "rating-widget listener")
            if not listening:
                log.warning("listening to the database's notifications again; reloading")
            listening = True
            heard: asyncio.Queue[str] = asyncio.Queue()
            await conn.add_listener(CHANNEL, partial(_hear, heard))
            # Whatever was committed while no one listened here is caught up this way.
            yield ChangedElsewhere(everything=True)
            while True:
                try:
                    first = await asyncio.wait_for(heard.get(), every)
                except TimeoutError:
                    # Quiet: make sure the connection still listens (a lost one says so).
                    await conn.fetchval("SELECT 1", timeout=max(every, 1.0) * 2)
                    continue
                payloads = [first]
                while not heard.empty():
                    payloads.append(heard.get_nowait())
                change = await _news(payloads, sender, read_posts)
                if change is not None:
                    yield change
        except (Unavailable, *LOST):
            if listening:
                log.warning("lost the database's notifications; reconnecting")
            listening = False
            await asyncio.sleep(RECONNECT_SECONDS)
        finally:
            if conn is not None:
                conn.terminate()


async def _news(payloads: list[str], sender: str, read_posts: ReadPosts) -> ChangedElsewhere | None:
    posts: list[tuple[str, str]] = []
    sites = everything = False
    for payload in payloads:
        try:
            note = json.loads(payload)
        except ValueError:
            continue
        if not isinstance(note, dict) or note.get("from") == sender:
            continue  # our own writes reached our caches at their commit
        posts += [(str(key[0]), str(key[1])) for key in note.get("posts", ())]
        sites = sites or bool(note.get("sites"))
        everything = everything or bool(note.get("everything"))
    if everything:
        return ChangedElsewhere(everything=True)
    if not posts and not sites:
        return None
    keys = list(dict.fromkeys(posts))
    summaries = await read_posts(keys) if keys else []
    return ChangedElsewhere(tuple(summaries), sites)


def _hear(heard: asyncio.Queue[str], _conn: Any, _pid: int, _channel: str, payload: str) -> None:
    heard.put_nowait(payload)
