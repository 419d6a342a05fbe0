"""The operator's settings: each missing or malformed one named with what to do, production refusing
what was only meant for the demo, and `s11 check-config` showing what will be used with secrets hidden."""

import pytest
from click.testing import CliRunner

from workflow.cli import main
from workflow.settings import SettingsError, load_settings

SECRET = "f" * 24 + "0123456789abcdef0123456789abcdef"
PRODUCTION = {
    "S11_ENV": "production",
    "DATABASE_URL": "postgresql://s11:db-password-123@db.example.org:5432/s11",
    "SECRET_KEY": SECRET,
    "S11_BASE_URL": "https://section11.example.org",
    "S11_EMAIL_BACKEND": "sendgrid",
    "SENDGRID_API_KEY": "SG.abcdefghijklmnopqrstuvwxyz",
    "S11_EMAIL_FROM": "section11@partnership.example.org",
    "S11_EVIDENCE_STORE": "s3",
    "S11_S3_BUCKET": "partnership-evidence",
    "S11_HISTORY_KEY": "a-history-key-that-is-long-enough-0123456789",
    "AWS_SECRET_ACCESS_KEY": "aws-secret-value-0123456789",
}


def problems(environ: dict[str, str]) -> list[str]:
    with pytest.raises(SettingsError) as refused:
        load_settings(environ)
    return refused.value.problems


def test_a_complete_production_environment_is_accepted():
    settings = load_settings(PRODUCTION)
    assert settings.production and settings.https
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.evidence.kind == "s3" and settings.evidence.bucket == "partnership-evidence"


def test_the_demo_defaults_are_refused_in_production_each_with_what_to_do(tmp_path):
    found = problems({"S11_ENV": "production", "S11_INSTANCE": str(tmp_path)})
    assert found == [
        "DATABASE_URL is not set: production needs PostgreSQL (postgresql://user@host/database); "
        "SQLite in ./instance is for the demo.",
        "SECRET_KEY is not set: give every web process the same random value of at least 32 characters "
        "(python3 -c 'import secrets; print(secrets.token_hex(32))').",
        "S11_BASE_URL is not set: give the address people open, e.g. https://section11.example.org.",
        "S11_EMAIL_FROM is the demo's sender address: give the partnership's own.",
        "S11_EVIDENCE_FOLDER is not set: name a folder every web process shares, or use S11_EVIDENCE_STORE=s3.",
    ]


def test_the_same_defaults_are_fine_for_the_demo(tmp_path):
    settings = load_settings({"S11_INSTANCE": str(tmp_path)})
    assert settings.environment == "development" and settings.database_url.startswith("sqlite:///")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"DATABASE_URL": "sqlite:///s11.sqlite"}, "DATABASE_URL names SQLite, which is for the demo"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL is not a database address"),
        ({"DATABASE_URL": "mysql://db/s11"}, "DATABASE_URL must name PostgreSQL (postgresql://…) or SQLite"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is 5 characters: it must be at least 32."),
        ({"S11_HTTPS": "0"}, "S11_HTTPS is off: production is served over https"),
        ({"S11_HTTPS": "maybe"}, "S11_HTTPS must be 1 or 0 (on or off), not “maybe”."),
        ({"S11_BASE_URL": "http://section11.example.org"}, "S11_BASE_URL must start with https:// in production"),
        ({"S11_BASE_URL": "section11.example.org"}, "S11_BASE_URL must be a web address such as https://"),
        ({"SENDGRID_API_KEY": ""}, "S11_EMAIL_BACKEND is sendgrid but SENDGRID_API_KEY is not set"),
        ({"S11_EMAIL_BACKEND": "pigeon"}, "S11_EMAIL_BACKEND must be folder or console or sendgrid, not “pigeon”."),
        ({"S11_EMAIL_BACKEND": "console"}, "S11_EMAIL_BACKEND is console, which prints e-mail instead of sending it"),
        ({"S11_S3_BUCKET": ""}, "S11_EVIDENCE_STORE is s3 but S11_S3_BUCKET is not set"),
        ({"S11_S3_ENDPOINT_URL": "minio:9000"}, "S11_S3_ENDPOINT_URL must be a web address"),
        ({"S11_EVIDENCE_STORE": "ftp", "S11_EVIDENCE_FOLDER": "/srv/evidence"}, "S11_EVIDENCE_STORE must be folder or s3"),
        ({"S11_PROXIES": "two"}, "S11_PROXIES must be a whole number from 0 to 5"),
        ({"S11_ENV": "staging"}, "S11_ENV must be development or production, not “staging”."),
    ],
)
def test_each_malformed_setting_is_named_with_what_to_put_in_it(change, message):
    found = problems({**PRODUCTION, **change})
    assert len(found) == 1 and found[0].startswith(message), found


def test_every_problem_is_listed_at_once():
    assert len(problems({**PRODUCTION, "SECRET_KEY": "short", "S11_HTTPS": "0", "S11_S3_BUCKET": ""})) == 3


def test_check_config_shows_what_will_be_used_with_secrets_masked():
    result = CliRunner().invoke(main, ["check-config", "--no-connect"], env=PRODUCTION, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = dict(line.split(None, 1) for line in result.output.splitlines() if line.strip())
    assert lines["DATABASE_URL"] == "postgresql+psycopg://s11:***@db.example.org:5432/s11"
    assert lines["S11_EVIDENCE_STORE"] == "s3" and lines["S11_S3_BUCKET"] == "partnership-evidence"
    assert lines["S11_HISTORY_KEY"] == "set (hidden)"
    for secret in ("db-password-123", SECRET, PRODUCTION["SENDGRID_API_KEY"], PRODUCTION["S11_HISTORY_KEY"],
                   PRODUCTION["AWS_SECRET_ACCESS_KEY"]):
        assert secret not in result.output and secret[4:-4] not in result.output


def test_check_config_lists_every_problem_and_fails():
    result = CliRunner().invoke(main, ["check-config"], env={**PRODUCTION, "SECRET_KEY": "", "S11_HTTPS": "no"})
    assert result.exit_code == 1
    assert "Error: SECRET_KEY is not set" in result.output and "Error: S11_HTTPS is off" in result.output


def test_check_config_says_whether_the_database_and_store_are_ready(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 's11.sqlite'}", "S11_EVIDENCE_FOLDER": str(tmp_path / "evidence")}
    behind = CliRunner().invoke(main, ["check-config"], env=env)
    assert behind.exit_code == 2 and "NOT  migrations: not at head: run `s11 db upgrade`" in behind.output
    CliRunner().invoke(main, ["db", "upgrade"], env=env, catch_exceptions=False)
    ready = CliRunner().invoke(main, ["check-config"], env=env, catch_exceptions=False)
    assert ready.exit_code == 0, ready.output
    assert "ok   database: reachable" in ready.output and "ok   evidence store: folder" in ready.output


@pytest.mark.parametrize("command", ["serve", "scheduler"])
def test_the_production_commands_refuse_to_start_on_the_demo_defaults(command, tmp_path):
    result = CliRunner().invoke(main, [command], env={"S11_INSTANCE": str(tmp_path), "SECRET_KEY": ""})
    assert result.exit_code == 1
    assert "Error: DATABASE_URL is not set" in result.output
    assert "setting(s) to fix" in result.output
