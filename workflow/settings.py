"""The product's settings, read from the environment once per process and checked before anything starts.

Every problem is found at once and said in a sentence that names the variable and what to put in
it, so an operator fixes the whole environment file in one go. In production (`S11_ENV=production`,
which `s11 serve` and `s11 scheduler` assume unless told otherwise) the defaults meant for the
demo are refused: SQLite, a generated secret key, plain http, e-mail from localhost, evidence in
the package's own folder.

The history key (S11_HISTORY_KEY) is only named here and shown masked; reading and using it
belongs to the history itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from models.db import database_url
from models.field_limits import is_whole_number

ENVIRONMENTS = ("development", "production")
EMAIL_BACKENDS = ("folder", "console", "sendgrid")
EVIDENCE_STORES = ("folder", "s3")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
MIN_SECRET_LENGTH = 32
# Values from examples and tests, refused in production however long they are.
EXAMPLE_SECRETS = frozenset({"test-secret-key", "change-me", "replace-with-a-long-random-string", "secret", "dev"})
HISTORY_KEY_NAME = "S11_HISTORY_KEY"
SECRET_NAMES = ("SECRET_KEY", "SENDGRID_API_KEY", HISTORY_KEY_NAME, "AWS_SECRET_ACCESS_KEY")


class SettingsError(ValueError):
    """The environment cannot be used as it is; `problems` holds one sentence per setting."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class EmailSettings:
    backend: str
    folder: str
    from_email: str
    from_name: str
    sendgrid_api_key: str
    sendgrid_host: str
    webhook_public_key: str


@dataclass(frozen=True)
class EvidenceSettings:
    kind: str
    folder: str
    bucket: str
    prefix: str
    endpoint_url: str
    region: str


@dataclass(frozen=True)
class Settings:
    """Everything the web, the scheduler and the command line take from the environment."""

    environment: str
    database_url: str
    secret_key: str
    https: bool
    base_url: str
    proxies: int
    email: EmailSettings
    evidence: EvidenceSettings
    history_key_set: bool
    aws_access_key_id: str

    @property
    def production(self) -> bool:
        return self.environment == "production"

    def described(self) -> list[tuple[str, str]]:
        """(setting, what the product will use) for `s11 check-config`, secrets masked."""
        email, evidence = self.email, self.evidence
        rows = [
            ("S11_ENV", self.environment),
            ("DATABASE_URL", make_url(self.database_url).render_as_string(hide_password=True)),
            ("SECRET_KEY", masked(self.secret_key) if self.secret_key else "not set: a random key kept in the instance folder"),
            ("S11_HTTPS", "on" if self.https else "off (plain http)"),
            ("S11_BASE_URL", self.base_url),
            ("S11_PROXIES", str(self.proxies)),
            (HISTORY_KEY_NAME, "set (hidden)" if self.history_key_set else "not set"),
            ("S11_EMAIL_BACKEND", email.backend),
        ]
        if email.backend == "folder":
            rows.append(("S11_EMAIL_FOLDER", email.folder))
        if email.backend == "sendgrid":
            rows += [("SENDGRID_API_KEY", masked(email.sendgrid_api_key)), ("SENDGRID_HOST", email.sendgrid_host)]
        rows += [
            ("S11_EMAIL_FROM", f"{email.from_name} <{email.from_email}>"),
            ("SENDGRID_WEBHOOK_PUBLIC_KEY", "set" if email.webhook_public_key else "not set (the webhook refuses events)"),
            ("S11_EVIDENCE_STORE", evidence.kind),
        ]
        if evidence.kind == "folder":
            rows.append(("S11_EVIDENCE_FOLDER", evidence.folder or "not set: the instance folder's evidence/"))
        else:
            rows += [
                ("S11_S3_BUCKET", evidence.bucket),
                ("S11_S3_PREFIX", evidence.prefix),
                ("S11_S3_ENDPOINT_URL", evidence.endpoint_url or "AWS S3"),
                ("S11_S3_REGION", evidence.region or "boto3's default"),
                ("AWS_ACCESS_KEY_ID", self.aws_access_key_id or "not set: boto3's own chain (shared file, machine role)"),
            ]
        return rows


def masked(secret: str) -> str:
    """Enough to tell two secrets apart, never enough to use one."""
    if len(secret) < 12:
        return "****"
    return f"{secret[:2]}…{secret[-2:]} ({len(secret)} characters)"


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Read and check every setting; raise SettingsError listing every problem found."""
    reader = _Reader(environ)
    environment = reader.choice("S11_ENV", ENVIRONMENTS, "development")
    production = environment == "production"
    settings = Settings(
        environment=environment,
        database_url=reader.database(production),
        secret_key=reader.secret_key(production),
        https=reader.flag("S11_HTTPS", True),
        base_url=reader.url("S11_BASE_URL", "http://127.0.0.1:5000"),
        proxies=reader.count("S11_PROXIES", 0),
        email=reader.email(),
        evidence=reader.evidence(),
        history_key_set=bool(environ.get(HISTORY_KEY_NAME, "").strip()),
        aws_access_key_id=environ.get("AWS_ACCESS_KEY_ID", ""),
    )
    if production:
        reader.refuse_demo_defaults(settings)
    if reader.problems:
        raise SettingsError(reader.problems)
    return settings


class _Reader:
    """Reads one variable at a time, noting a problem instead of stopping at the first."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.problems: list[str] = []

    def get(self, name: str, default: str = "") -> str:
        return self.environ.get(name, "").strip() or default

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.get(name, default).lower()
        if value not in allowed:
            self.problems.append(f"{name} must be {' or '.join(allowed)}, not “{value}”.")
            return default
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.get(name).lower()
        if not value:
            return default
        if value not in TRUE + FALSE:
            self.problems.append(f"{name} must be 1 or 0 (on or off), not “{value}”.")
            return default
        return value in TRUE

    def count(self, name: str, default: int) -> int:
        value = self.get(name)
        if not value:
            return default
        if not is_whole_number(value) or int(value) > 5:
            self.problems.append(f"{name} must be a whole number from 0 to 5 (how many proxies stand in front), not “{value}”.")
            return default
        return int(value)

    def url(self, name: str, default: str) -> str:
        value = self.get(name, default).rstrip("/")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.problems.append(f"{name} must be a web address such as https://section11.example.org, not “{value}”.")
        return value

    def database(self, production: bool) -> str:
        given = self.get("DATABASE_URL")
        if not given:
            if production:
                self.problems.append(
                    "DATABASE_URL is not set: production needs PostgreSQL (postgresql://user@host/database); "
                    "SQLite in ./instance is for the demo."
                )
            return database_url({k: v for k, v in self.environ.items() if k != "DATABASE_URL"})
        url = database_url({"DATABASE_URL": given})
        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError:
            self.problems.append("DATABASE_URL is not a database address: write it as postgresql://user:password@host:5432/database.")
            return url
        if backend not in ("postgresql", "sqlite"):
            self.problems.append(f"DATABASE_URL must name PostgreSQL (postgresql://…) or SQLite (sqlite:///…), not {backend}.")
        elif backend == "sqlite" and production:
            self.problems.append("DATABASE_URL names SQLite, which is for the demo: production needs PostgreSQL.")
        return url

    def secret_key(self, production: bool) -> str:
        value = self.get("SECRET_KEY")
        if not value:
            if production:
                self.problems.append(
                    f"SECRET_KEY is not set: give every web process the same random value of at least {MIN_SECRET_LENGTH} "
                    "characters (python3 -c 'import secrets; print(secrets.token_hex(32))')."
                )
            return ""
        if len(value) < MIN_SECRET_LENGTH:
            self.problems.append(f"SECRET_KEY is {len(value)} characters: it must be at least {MIN_SECRET_LENGTH}.")
        elif production and value.lower() in EXAMPLE_SECRETS:
            self.problems.append("SECRET_KEY is an example value: make a random one.")
        return value

    def email(self) -> EmailSettings:
        backend = self.choice("S11_EMAIL_BACKEND", EMAIL_BACKENDS, "folder")
        settings = EmailSettings(
            backend=backend,
            folder=self.get("S11_EMAIL_FOLDER", "instance/outbox-mail"),
            from_email=self.get("S11_EMAIL_FROM", "section11@localhost"),
            from_name=self.get("S11_EMAIL_FROM_NAME", "Section 11 audit"),
            sendgrid_api_key=self.get("SENDGRID_API_KEY"),
            sendgrid_host=self.get("SENDGRID_HOST", "https://api.sendgrid.com").rstrip("/"),
            webhook_public_key=self.get("SENDGRID_WEBHOOK_PUBLIC_KEY"),
        )
        if "@" not in settings.from_email:
            self.problems.append(f"S11_EMAIL_FROM must be an e-mail address, not “{settings.from_email}”.")
        if backend == "sendgrid":
            if not settings.sendgrid_api_key:
                self.problems.append(
                    "S11_EMAIL_BACKEND is sendgrid but SENDGRID_API_KEY is not set: give the API key SendGrid issued."
                )
            self.url("SENDGRID_HOST", "https://api.sendgrid.com")
        return settings

    def evidence(self) -> EvidenceSettings:
        kind = self.choice("S11_EVIDENCE_STORE", EVIDENCE_STORES, "folder")
        settings = EvidenceSettings(
            kind=kind,
            folder=self.get("S11_EVIDENCE_FOLDER"),
            bucket=self.get("S11_S3_BUCKET"),
            prefix=self.get("S11_S3_PREFIX", "evidence/"),
            endpoint_url=self.get("S11_S3_ENDPOINT_URL").rstrip("/"),
            region=self.get("S11_S3_REGION"),
        )
        if kind == "s3":
            if not settings.bucket:
                self.problems.append(
                    "S11_EVIDENCE_STORE is s3 but S11_S3_BUCKET is not set: name the (private) bucket for evidence."
                )
            if settings.endpoint_url:
                self.url("S11_S3_ENDPOINT_URL", "")
            if settings.prefix.startswith("/") or ".." in settings.prefix:
                self.problems.append(f"S11_S3_PREFIX must be a plain key prefix such as evidence/, not “{settings.prefix}”.")
        return settings

    def refuse_demo_defaults(self, settings: Settings) -> None:
        """Production runs on nothing that was only meant to make the demo work out of the box."""
        if not settings.https:
            self.problems.append("S11_HTTPS is off: production is served over https (set S11_HTTPS=1; nginx ends TLS).")
        if not self.get("S11_BASE_URL"):
            self.problems.append("S11_BASE_URL is not set: give the address people open, e.g. https://section11.example.org.")
        elif urlsplit(settings.base_url).scheme == "http":
            self.problems.append("S11_BASE_URL must start with https:// in production, so links in e-mails are safe.")
        if settings.email.backend == "console":
            self.problems.append(
                "S11_EMAIL_BACKEND is console, which prints e-mail instead of sending it: use sendgrid (or folder)."
            )
        if settings.email.from_email.endswith("@localhost"):
            self.problems.append("S11_EMAIL_FROM is the demo's sender address: give the partnership's own.")
        if settings.evidence.kind == "folder" and not settings.evidence.folder:
            self.problems.append(
                "S11_EVIDENCE_FOLDER is not set: name a folder every web process shares, or use S11_EVIDENCE_STORE=s3."
            )
