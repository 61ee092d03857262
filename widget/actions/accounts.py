"""Dashboard accounts: the first admin, authors created, changed and deleted, passwords.

They need only the store, so the command line calls them as the dashboard does.

The store words its refusals in English for the command line; the dashboard re-words them in
the author's language (widget/http/dashboard/admin.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.concurrency import run_in_threadpool

from widget.errors import Forbidden
from widget.guard.auth import hash_password
from widget.store import NewSession, Store


async def create_first_admin(store: Store, username: str, password: str, refusal: str) -> int:
    """The setup link's admin; Forbidden(refusal) when an account exists already."""
    password_hash = await run_in_threadpool(hash_password, password)  # argon2: off the loop
    author_id = await store.create_first_admin(username, password_hash)
    if author_id is None:
        raise Forbidden(refusal)
    return author_id


async def create_author(
    store: Store,
    by: str | None,
    username: str,
    password: str,
    is_admin: bool,
    sites: Sequence[str],
) -> int:
    """A new account, audited as created `by` an admin (None: from the command line)."""
    password_hash = await run_in_threadpool(hash_password, password)
    return await store.create_author(username, password_hash, is_admin, sites, by)


async def update_author(
    store: Store,
    by: str,
    author_id: int,
    is_admin: bool,
    sites: Sequence[str],
    new_password: str | None,
    reopen: NewSession | None = None,
) -> None:
    """An admin's change of an author's role and sites; a new password replaces a forgotten
    one. The author's sessions end with a right taken away or a new password (`reopen`: the
    admin's own, when they gave themselves a new one)."""
    password_hash = await run_in_threadpool(hash_password, new_password) if new_password else None
    await store.update_author(author_id, is_admin, sites, password_hash, by, reopen)


async def sign_out_everywhere(store: Store, by: str, author_id: int) -> int:
    """End every session of an author (an admin's or their own doing); audited."""
    return await store.end_sessions(author_id, by)


async def delete_author(store: Store, by: str, author_id: int) -> str:
    return await store.delete_author(author_id, by)


async def change_password(
    store: Store, author_id: int, username: str, new: str, reopen: NewSession | None = None
) -> None:
    """An author's own new password (the current one was checked by the caller): every
    session of theirs ends, and `reopen` (this browser's) starts in the same transaction."""
    password_hash = await run_in_threadpool(hash_password, new)
    await store.set_password(author_id, password_hash, username, reopen)
