"""Command-line tools: flask --app wsgi db|users|content …"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from methodbook import accounts, migrate
from methodbook.content_io import export_directory as export_content
from methodbook.content_io import find_content_files, iter_import
from methodbook.db import for_writing
from methodbook.errors import ValidationError
from methodbook.models import ROLES, Entry, User
from methodbook.search.indexing import check, drain, reindex

from .config import ROOT
from .db import get_db, search_context

db_cli = AppGroup("db", help="Database schema migrations.")
users_cli = AppGroup("users", help="Create and manage accounts.")
content_cli = AppGroup("content", help="Import and export the method book as Markdown files.")
COMMIT_EVERY = 200


def _fail(exc: ValidationError) -> None:
    raise click.ClickException("; ".join(m.render() for msgs in exc.errors.values() for m in msgs))


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    migrate.upgrade(get_db().engine, revision)
    click.echo(f"Database at {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Take the schema back to REVISION."""
    migrate.downgrade(get_db().engine, revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a new migration from the models (developers)."""
    migrate.make_revision(get_db().engine, message)


@users_cli.command("create")
@click.argument("email")
@click.option("--name", default="", help="Display name (default: the part of the e-mail before @).")
@click.option("--role", type=click.Choice(ROLES), default="member", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Create an account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    session = get_db().sessionmaker()
    try:
        user = accounts.create_user(
            session, email, name or email.split("@")[0], password, role=role,
            hash_method=current_app.config["PASSWORD_HASH_METHOD"],
        )  # fmt: skip
        session.commit()
    except ValidationError as exc:
        _fail(exc)
    finally:
        session.close()
    click.echo(f"Created {user.email} ({user.role}).")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def users_set_role(email: str, role: str) -> None:
    """Give an account the role member, facilitator or admin."""
    with get_db().sessionmaker() as session:
        user = accounts.get_user_by_email(session, email)
        if user is None:
            raise click.ClickException(f"No account with the e-mail address {email}.")
        accounts.set_role(user, role)
        session.commit()
    click.echo(f"{email} is now {role}.")


@users_cli.command("list")
def users_list() -> None:
    """List accounts with their roles."""
    with get_db().sessionmaker() as session:
        for user in session.scalars(select(User).order_by(User.email)):
            click.echo(f"{user.email}\t{user.role}\t{'active' if user.active else 'inactive'}\t{user.display_name}")


@content_cli.command("import")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "content")
@click.option("--if-empty", is_flag=True, help="Import only when the method book has no entries yet.")
def content_import(directory: Path, if_empty: bool) -> None:
    """Upsert every entry file below DIRECTORY (default content/) by slug."""
    db = get_db()
    if migrate.ensure_schema(db.engine):
        click.echo("Created the database tables.")
    counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    with for_writing(db.sessionmaker()) as session:
        if if_empty and session.scalar(select(func.count(Entry.id))):
            click.echo("The method book already has entries; nothing imported.")
            return
        total = len(find_content_files(directory))
        upload_dir = Path(current_app.config["UPLOAD_DIR"])
        steps = iter_import(session, directory, upload_dir, current_app.config["ATTACHMENT_MAX_BYTES"])
        with click.progressbar(length=total, label="Importing", file=sys.stderr) as bar:
            for done, (_path, outcome, error) in enumerate(steps, start=1):
                counts[outcome] += 1
                if error is not None:
                    click.echo(f"\n{error}", err=True)
                if done % COMMIT_EVERY == 0:
                    session.commit()
                bar.update(1)
        session.commit()
    click.echo(", ".join(f"{n} {name}" for name, n in counts.items()))
    if counts["failed"]:
        sys.exit(1)


@content_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--published-only", is_flag=True, help="Leave drafts out.")
def content_export(directory: Path, published_only: bool) -> None:
    """Write every entry (not in the trash) to DIRECTORY in the content/ format."""
    with get_db().sessionmaker() as session:
        n = export_content(session, directory, Path(current_app.config["UPLOAD_DIR"]), published_only)
    click.echo(f"Exported {n} entries to {directory}.")


search_cli = AppGroup("search", help="Build, check and update the search index.")


def _make_session():
    return get_db().sessionmaker()


@search_cli.command("reindex")
@click.option(
    "--if-needed", is_flag=True, help="Only rebuild when the index is missing or damaged; else apply queued changes."
)
def search_reindex(if_needed: bool) -> None:
    """Rebuild the index from the database and swap it in; searches keep answering meanwhile."""
    context = search_context()
    if if_needed and context.backend.status()["state"] == "ok":
        n = drain(_make_session, context, blocking=True)
        click.echo(f"The index is in place; {n} queued changes applied.")
        return
    bar_holder = {}

    def on_total(total: int) -> None:
        bar_holder["bar"] = click.progressbar(length=total, label="Indexing", file=sys.stderr)
        bar_holder["bar"].__enter__()

    try:
        count = reindex(_make_session, context, progress=lambda n: bar_holder["bar"].update(n), on_total=on_total)
    finally:
        if "bar" in bar_holder:
            bar_holder["bar"].__exit__(None, None, None)
    click.echo(f"Indexed {count} published entries ({context.backend.name}).")


@search_cli.command("check")
def search_check() -> None:
    """Compare the index with the database; exit 1 and name the entries that differ."""
    context = search_context()
    with _make_session() as session:
        drift = check(session, context.backend)
        names = {entry_id: slug for entry_id, slug in session.execute(select(Entry.id, Entry.slug))}
    for label, ids in (
        ("missing from the index", drift.missing),
        ("indexed at an old revision", drift.stale),
        ("in the index but not published", drift.extra),
    ):
        for entry_id in ids:
            click.echo(f"{label}: {names.get(entry_id, f'entry {entry_id}')}")
    click.echo(f"{drift.pending} changes queued.")
    if not drift.ok:
        click.echo("The index differs from the database; run `flask --app wsgi search reindex`.")
        sys.exit(1)
    click.echo(f"The index matches the database ({context.backend.status()['documents']} entries).")


@search_cli.command("drain")
def search_drain() -> None:
    """Apply queued index changes now (normally done after each commit)."""
    click.echo(f"{drain(_make_session, search_context(), blocking=True)} queued changes applied.")


digest_cli = AppGroup("digest", help="E-mail digests of what members follow.")


@digest_cli.command("send")
@click.option("--period", type=click.Choice(["daily", "weekly"]), required=True)
def digest_send(period: str) -> None:
    """Send the period's digest to members who chose it; run it from cron once a day or a week."""
    from methodbook.db import utcnow
    from methodbook.following import send_digests

    from .digest import sender

    now = utcnow()
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]), _make_session() as session:
        sent, skipped, failed = send_digests(session, period, now, sender(period, now))
    where = (
        ""
        if current_app.config.get("MAIL_SERVER") or current_app.config.get("MAIL_OUTBOX_DIR")
        else (f" (no mail server: written to {current_app.config['DIGEST_OUTBOX_DIR']})")
    )
    click.echo(f"{sent} {period} digests sent{where}; {skipped} members had nothing new or had theirs already.")
    if failed:
        click.echo(f"{failed} could not be sent (see the mail server); the next run tries them again.", err=True)
        sys.exit(1)


def register_commands(app: Flask) -> None:
    """Attach the command groups to the app."""
    for group in (db_cli, users_cli, content_cli, search_cli, digest_cli):
        app.cli.add_command(group)
