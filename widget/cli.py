"""The command line: serve, migrate, create-author, export, import, recompute, purge."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TextIO, TypeVar

import click

from widget import __version__
from widget.actions import accounts
from widget.errors import ConfigError, InvalidField, NotFound, WidgetError
from widget.guard.auth import MIN_PASSWORD
from widget.importers import FORMATS, read_foreign
from widget.settings import Settings
from widget.store import Purged, Store, open_store, shown

T = TypeVar("T")

db_option = click.option(
    "--db",
    default=None,
    help="SQLite file, or a postgresql://user:password@host:port/dbname URL"
    " (default: WIDGET_DB or ./widget.db).",
)


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings.from_env(**overrides)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
@click.version_option(__version__, prog_name="rating-widget")
def cli() -> None:
    """Rating Widget: article ratings and reader feedback, self-hosted."""


@cli.command()
@click.option("--host", default=None, help="Address to listen on (WIDGET_HOST).")
@click.option("--port", type=int, default=None, help="Port to listen on (WIDGET_PORT).")
@db_option
@click.option("--demo", is_flag=True, default=None, help="Also serve the demo article at /demo.")
@click.option(
    "--server", type=click.Choice(["uvicorn", "granian"]), default=None, help="ASGI server."
)
def serve(
    host: str | None, port: int | None, db: str | None, demo: bool | None, server: str | None
) -> None:
    """Start the service."""
    from widget.runtime.serve import run

    run(load_settings(host=host, port=port, db=db, demo=demo, server=server))


def with_store(settings: Settings, work: Callable[[Store], Awaitable[T]]) -> T:
    """Run `work` on the settings' store, as the service would: every write goes through the
    store's one writer, in its own transaction, and waits for the service's writes."""

    async def run() -> T:
        data = await open_store(settings.db, settings.sync)
        try:
            return await work(data)
        finally:
            await data.close()

    try:
        return asyncio.run(run())
    except WidgetError as exc:
        raise click.ClickException(exc.message) from exc


@cli.command()
@db_option
def migrate(db: str | None) -> None:
    """Create or upgrade the database schema."""
    settings = load_settings(db=db)

    async def schema(data: Store) -> tuple[int, list[int]]:
        return data.schema  # opening the store migrates it

    version, applied = with_store(settings, schema)
    click.echo(
        f"{shown(settings.db)}: schema version {version}"
        + (f" (applied {applied})" if applied else "")
    )


@cli.command("create-author")
@click.argument("username")
@click.option("--admin", is_flag=True, help="May manage every site and author.")
@click.option("--site", "sites", multiple=True, help="Site the author may see (repeatable).")
@db_option
def create_author(username: str, admin: bool, sites: tuple[str, ...], db: str | None) -> None:
    """Create an author; the password is read from stdin (or prompted for)."""
    settings = load_settings(db=db)
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"the password needs at least {MIN_PASSWORD} characters")
    chosen = sites or ("default",)
    with_store(
        settings,
        lambda data: accounts.create_author(data, None, username, password, admin, chosen),
    )
    click.echo(f"created {'admin' if admin else 'author'} {username}")


@cli.command()
@db_option
@click.option("--output", "-o", type=click.File("w"), default="-", help="File (default stdout).")
def export(db: str | None, output: TextIO) -> None:
    """Write sites, posts, votes, daily counts and feedback as JSON lines."""

    async def write_all(data: Store) -> int:
        count = 0
        async for row in data.export_rows():  # one consistent snapshot
            output.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count

    count = with_store(load_settings(db=db), write_all)
    click.echo(f"exported {count} records", err=True)


@cli.command("import")
@db_option
@click.argument("source", type=click.File("r", encoding="utf-8-sig"), default="-")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", *FORMATS]),
    default="jsonl",
    help="jsonl (our export) or another tool's CSV export.",
)
@click.option("--site", default="default", help="Site that receives a foreign tool's votes.")
def import_(db: str | None, source: TextIO, fmt: str, site: str) -> None:
    """Read `export` output or another tool's CSV in one transaction; rebuild aggregates."""
    settings = load_settings(db=db)

    def jsonl_rows() -> Iterator[dict[str, Any]]:
        for number, line in enumerate(source, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    raise InvalidField("file", f"line {number} is not JSON: {exc}") from exc

    async def load(data: Store) -> dict[str, int]:
        if fmt == "jsonl":
            return await data.import_rows(jsonl_rows())
        if not await data.site_exists(site):
            raise NotFound(f"site {site!r} does not exist", field="site")
        secret = settings.secret_key or await data.secret_key()
        return await data.import_rows(read_foreign(fmt, source, site, secret))

    counts = with_store(settings, load)
    click.echo("imported " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))


@cli.command()
@click.option("--from", "source", required=True, help="Database to read (path or URL).")
@click.option("--to", "target", required=True, help="Database to fill (path or URL).")
def copy(source: str, target: str) -> None:
    """Copy everything, authors and the secret key included, into another database."""
    from widget.actions.copying import copy_database

    settings = load_settings(db=source)

    async def run(data: Store) -> dict[str, int]:
        into = await open_store(target)
        try:
            return await copy_database(data, into)
        finally:
            await into.close()

    counts = with_store(settings, run)
    click.echo("copied " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))


@cli.command()
@db_option
def recompute(db: str | None) -> None:
    """Rebuild every post's count, sum and distribution from the votes; report any drift."""
    drifts = with_store(load_settings(db=db), lambda data: data.recompute())
    for drift in drifts:
        click.echo(
            f"corrected {drift['site']}/{drift['post']}: {drift['stored']} -> {drift['recomputed']}"
        )
    click.echo(f"{len(drifts)} posts drifted" if drifts else "no drift: every aggregate is exact")


@cli.command()
@db_option
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Keep this many days of per-reader detail (default: WIDGET_RETENTION_DAYS).",
)
def purge(db: str | None, days: int | None) -> None:
    """Delete per-reader detail past retention (aggregates kept) and address salts past 48 h."""
    from widget.guard.keys import day_label, day_number

    settings = load_settings(db=db)
    keep = days if days is not None else settings.retention_days
    now = time.time()
    today = day_number(now)

    async def clean(data: Store) -> tuple[int, Purged | None]:
        salts = await data.prune_salts(day_label(today), day_label(today - 1))
        return salts, (await data.purge_before(now - keep * 86400, now) if keep else None)

    salts, purged = with_store(settings, clean)
    click.echo(f"deleted {salts} address salts older than 48 hours")
    if purged is None:
        click.echo("retention is off (WIDGET_RETENTION_DAYS=0): votes and feedback kept")
        return
    click.echo(
        f"older than {keep} days: {purged.votes} votes folded into the counts of"
        f" {purged.posts} posts, {purged.feedback_unlinked} feedback items unlinked from"
        f" their reader, {purged.spam_deleted} spam items deleted; aggregates unchanged"
    )


@cli.command("seed-demo")
@db_option
@click.option("--posts", type=click.IntRange(1, 100_000), default=300, help="Posts to create.")
@click.option("--votes", type=click.IntRange(1, 10_000_000), default=8000, help="Votes to cast.")
def seed_demo(db: str | None, posts: int, votes: int) -> None:
    """Fill two demo sites with posts, votes and feedback, to try the dashboard."""
    from widget.actions.demo_data import seed_demo as seed

    report = with_store(load_settings(db=db), lambda data: seed(data, posts, votes))
    click.echo(
        f"seeded {report.sites} sites, {report.posts} posts, {report.votes} votes,"
        f" {report.feedback} feedback items"
    )


def main() -> None:
    cli(prog_name="rating-widget")


if __name__ == "__main__":  # pragma: no cover
    main()
