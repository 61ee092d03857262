"""The command line: serve, migrate, create-author, export, import, recompute, purge."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from typing import Any, TextIO

import click

from widget import __version__, store
from widget.auth import MIN_PASSWORD, hash_password
from widget.db import open_database
from widget.errors import ConfigError, WidgetError
from widget.importers import FORMATS, read_foreign
from widget.settings import Settings

db_option = click.option(
    "--db", default=None, help="SQLite database file (default: WIDGET_DB or ./widget.db)."
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
    from widget.serve import run

    run(load_settings(host=host, port=port, db=db, demo=demo, server=server))


@cli.command()
@db_option
def migrate(db: str | None) -> None:
    """Create or upgrade the database schema."""
    settings = load_settings(db=db)
    from widget.migrations import current_version
    from widget.migrations import migrate as apply

    conn = open_database(settings.db, settings.sync)  # opening already migrates
    applied = apply(conn)
    click.echo(
        f"{settings.db}: schema version {current_version(conn)}"
        + (f" (applied {applied})" if applied else "")
    )
    conn.close()


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
    conn = open_database(settings.db, settings.sync)
    try:
        conn.execute("BEGIN IMMEDIATE")
        store.create_author(conn, username, hash_password(password), admin, sites or ("default",))
        conn.execute("COMMIT")
    except WidgetError as exc:
        conn.execute("ROLLBACK")
        raise click.ClickException(exc.message) from exc
    finally:
        conn.close()
    click.echo(f"created {'admin' if admin else 'author'} {username}")


@cli.command()
@db_option
@click.option("--output", "-o", type=click.File("w"), default="-", help="File (default stdout).")
def export(db: str | None, output: TextIO) -> None:
    """Write sites, posts, votes, daily counts and feedback as JSON lines."""
    settings = load_settings(db=db)
    conn = open_database(settings.db, settings.sync)
    conn.execute("BEGIN")  # one consistent snapshot
    count = 0
    for row in store.export_rows(conn):
        output.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    conn.execute("COMMIT")
    conn.close()
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
    conn = open_database(settings.db, settings.sync)

    def jsonl_rows() -> Iterator[dict[str, Any]]:
        for number, line in enumerate(source, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    raise click.ClickException(f"line {number} is not JSON: {exc}") from exc

    conn.execute("BEGIN IMMEDIATE")
    try:
        if fmt == "jsonl":
            rows = jsonl_rows()
        else:
            if not store.site_exists(conn, site):
                raise click.ClickException(f"site {site!r} does not exist")
            secret = settings.secret_key or store.secret_key(conn)
            rows = read_foreign(fmt, source, site, secret)
        counts = store.import_rows(conn, rows)
        conn.execute("COMMIT")
    except WidgetError as exc:
        conn.execute("ROLLBACK")
        raise click.ClickException(exc.message) from exc
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
    click.echo("imported " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))


@cli.command()
@db_option
def recompute(db: str | None) -> None:
    """Rebuild every post's count, sum and distribution from the votes; report any drift."""
    settings = load_settings(db=db)
    conn = open_database(settings.db, settings.sync)
    conn.execute("BEGIN IMMEDIATE")
    drifts = store.recompute(conn)
    conn.execute("COMMIT")
    conn.close()
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
    conn = open_database(settings.db, settings.sync)
    conn.execute("BEGIN IMMEDIATE")
    try:
        today = day_number(now)
        salts = store.prune_salts(conn, today=day_label(today), yesterday=day_label(today - 1))
        purged = store.purge_before(conn, cutoff=now - keep * 86400, now=now) if keep else None
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
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
    from widget.seed import seed_demo as seed

    settings = load_settings(db=db)
    conn = open_database(settings.db, settings.sync)
    conn.execute("BEGIN IMMEDIATE")
    try:
        report = seed(conn, posts, votes)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
    click.echo(
        f"seeded {report.sites} sites, {report.posts} posts, {report.votes} votes,"
        f" {report.feedback} feedback items"
    )


def main() -> None:
    cli(prog_name="rating-widget")


if __name__ == "__main__":  # pragma: no cover
    main()
