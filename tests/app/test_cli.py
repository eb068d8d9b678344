"""The command line: users, content import/export, migrations, and settings from the environment."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from app import create_app
from app.config import from_environment
from methodbook import accounts
from methodbook.db import make_engine
from methodbook.models import Entry, Revision, User
from tests.conftest import FAST_HASH, ROOT, make_config

CONTENT = ROOT / "content"


def test_users_create_and_set_role(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "admin@example.org", "--role", "admin", "--password-stdin"],
        input="lång-och-säker-fras\n",
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "admin@example.org"))
    assert user.role == "admin"
    assert runner.invoke(args=["users", "set-role", "admin@example.org", "facilitator"]).exit_code == 0
    db_session.refresh(user)
    assert user.role == "facilitator"


def test_users_create_refuses_weak_password(app, db_session):
    result = app.test_cli_runner().invoke(args=["users", "create", "x@example.org", "--password-stdin"], input="kort\n")
    assert result.exit_code != 0 and "at least 10" in result.output
    assert db_session.scalar(select(func.count(User.id))) == 0


def test_set_role_unknown_user(app):
    result = app.test_cli_runner().invoke(args=["users", "set-role", "nobody@example.org", "admin"])
    assert result.exit_code != 0 and "No account" in result.output


def test_content_import_is_idempotent(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["content", "import", str(CONTENT)])
    assert first.exit_code == 0, first.output
    n = len(list(CONTENT.glob("*.md")))
    assert f"{n} created" in first.output
    revisions = db_session.scalar(select(func.count(Revision.id)))
    second = runner.invoke(args=["content", "import", str(CONTENT)])
    assert "0 created, 0 updated" in second.output and f"{n} unchanged" in second.output
    assert db_session.scalar(select(func.count(Revision.id))) == revisions


def test_content_import_if_empty_keeps_user_changes(app, db_session):
    runner = app.test_cli_runner()
    runner.invoke(args=["content", "import", str(CONTENT)])
    entry = db_session.scalar(select(Entry).where(Entry.slug == "walkshop"))
    entry.title = "Ändrad av en användare"
    db_session.commit()
    result = runner.invoke(args=["content", "import", "--if-empty", str(CONTENT)])
    assert "nothing imported" in result.output
    db_session.refresh(entry)
    assert entry.title == "Ändrad av en användare"


def test_content_import_reports_broken_file_and_exits_nonzero(app, tmp_path, db_session):
    (tmp_path / "bra.md").write_text("---\ntitle: Bra metod\nkind: method\nlanguage: sv\n---\nText\n", encoding="utf-8")
    (tmp_path / "trasig.md").write_text(
        "---\ntitle: Trasig\nkind: method\ntags: [ofärdig\n---\nText\n", encoding="utf-8"
    )
    result = app.test_cli_runner().invoke(args=["content", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert "trasig.md:" in result.output and "invalid YAML" in result.output
    assert "1 created" in result.output and "1 failed" in result.output
    assert db_session.scalar(select(Entry).where(Entry.slug == "bra")) is not None


def test_content_export_round_trip_is_byte_identical(app, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["content", "import", str(CONTENT)])
    out = tmp_path / "export"
    result = runner.invoke(args=["content", "export", str(out)])
    assert result.exit_code == 0, result.output
    shipped = sorted(p.relative_to(CONTENT) for p in CONTENT.rglob("*") if p.is_file())
    exported = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert exported == shipped
    for rel in shipped:
        assert (out / rel).read_bytes() == (CONTENT / rel).read_bytes(), rel


def test_import_into_fresh_database_creates_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = create_app(make_config(tmp_path, url))
    result = app.test_cli_runner().invoke(args=["content", "import", str(CONTENT)])
    assert result.exit_code == 0, result.output
    assert "Created the database tables" in result.output
    engine = make_engine(url)
    assert inspect(engine).has_table("entry") and inspect(engine).has_table("alembic_version")
    engine.dispose()
    app.extensions["dela_db"].engine.dispose()


def test_db_upgrade_then_import(tmp_path):
    url = f"sqlite:///{tmp_path / 'up.db'}"
    app = create_app(make_config(tmp_path, url))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["content", "import", str(CONTENT)])
    assert result.exit_code == 0 and "Created the database tables" not in result.output
    app.extensions["dela_db"].engine.dispose()


def test_secret_key_generated_once_with_mode_600(tmp_path):
    first = from_environment(tmp_path, env={})["SECRET_KEY"]
    second = from_environment(tmp_path, env={})["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_environment_settings(tmp_path):
    env = {
        "SECRET_KEY": "k" * 32,
        "DATABASE_URL": "sqlite:////x.db",
        "DELA_REGISTRATION": "invite",
        "ATTACHMENT_MAX_MB": "5",
        "UPLOAD_DIR": "/u",
    }
    config = from_environment(tmp_path, env=env)
    assert config["DATABASE_URL"] == "sqlite:////x.db" and config["DELA_REGISTRATION"] == "invite"
    assert config["ATTACHMENT_MAX_BYTES"] == 5 * 1024 * 1024 and config["UPLOAD_DIR"] == "/u"
    assert not (tmp_path / "secret_key").exists(), "no key file when SECRET_KEY is given"


def test_defaults_put_data_in_instance(tmp_path):
    config = from_environment(tmp_path, env={})
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'dela.db'}"
    assert config["UPLOAD_DIR"] == str(tmp_path / "uploads")


@pytest.mark.slow
def test_flask_cli_runs_from_a_shell(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "SECRET_KEY": "s" * 32,
        "UPLOAD_DIR": str(tmp_path / "up"),
        "PASSWORD_HASH_METHOD": FAST_HASH,
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    done = subprocess.run(
        [*flask, "users", "create", "a@example.org", "--password-stdin"],
        cwd=ROOT,
        env=env,
        input="lång-och-säker-fras\n",
        text=True,
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr
    engine = make_engine(env["DATABASE_URL"])
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        assert accounts.authenticate(session, "a@example.org", "lång-och-säker-fras") is not None
    engine.dispose()
    assert Path(tmp_path / "cli.db").exists()
