"""The installation a council's IT team would run, done for real on this machine.

Build the wheel (page assets inside), install it into a fresh virtual environment outside the
checkout, migrate a fresh PostgreSQL database as a role that owns nothing else, start two
`s11 serve` behind nginx (Debian's, with the site file from deploy/) and one `s11 scheduler`,
keep evidence in a bucket on a local S3-compatible server, then walk a journey over https through
nginx: sign in, upload evidence on one web process, download it from the other, submit, and find
the e-mail in the outbox folder. README's "Running in production" describes the same steps.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests import sample_files
from tests.conftest import POSTGRES_URL
from tests.fakes.s3_server import CREDENTIALS, free_port
from web import MAX_UPLOAD_BYTES
from workflow.clock import today

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
PDF = sample_files.pdf()  # a real PDF: uploads are parsed, not just sniffed
PASSWORD = "a long enough password 2026"
AGENCY_USER = "sam@council.example.org"
# One standard, one yes/no question: enough to answer, upload evidence for and submit.
TEMPLATE = """
key: deployment-check
name: Deployment check
version: 1
scale:
  name: Yes / No
  not_applicable: false
  values:
    - {value: "no", label: "No", score: 0, needs_evidence: false, needs_action: true}
    - {value: "yes", label: "Yes", score: 1, needs_evidence: true, needs_action: false}
standards:
  - number: "1"
    title: Leadership
    questions:
      - ref: "1.1"
        text: Does your organisation have a named lead for safeguarding children?
"""

pytestmark = pytest.mark.deployment


def test_the_nginx_site_refuses_requests_the_product_would_refuse():
    site = (DEPLOY / "nginx" / "s11.conf").read_text()
    [limit] = re.findall(r"client_max_body_size (\d+)m;", site)
    assert int(limit) * 1024 * 1024 == MAX_UPLOAD_BYTES


@dataclass
class Installation:
    """The installed product, its processes and where each one writes."""

    folder: Path
    venv: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def s11(self, *args: str, expect: int = 0) -> str:
        """Run the installed `s11` the way an operator would, from a folder outside the checkout."""
        done = subprocess.run([str(self.venv / "bin" / "s11"), *args], cwd=self.folder, env=self.env,
                              capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == expect, f"s11 {' '.join(args)}: {done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self, name: str, command: list[str]) -> None:
        with (self.folder / f"{name}.log").open("w") as log:
            self.processes[name] = subprocess.Popen(
                command, cwd=self.folder, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text()

    def stop(self) -> None:
        """Stop every process this test started (each in a session of its own, so its workers too)."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _need(program: str) -> str:
    found = shutil.which(program) or (f"/usr/sbin/{program}" if Path(f"/usr/sbin/{program}").exists() else None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{program} is not installed; in CI the deployment test must run (.ci/run installs it).")
        pytest.skip(f"{program} is not installed")
    return found


def _build_wheel(into: Path) -> Path:
    """Build from a copy of the checkout with its built page assets, as a release job would."""
    assert (ROOT / "web" / "static" / "app.css").exists(), "build the page assets first (make assets)"
    source = into / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "instance", "artifacts", "__pycache__", "build", "dist", "*.egg-info", ".pytest_cache",
    ))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(into / "dist"), str(source)],
                   check=True, timeout=600)
    [wheel] = (into / "dist").glob("s11-*.whl")
    return wheel


def _fresh_database(admin_url: str) -> tuple[str, str, str]:
    """A role that may log in and owns one new database and nothing else; returns (url, role, database)."""
    role, database = f"s11_app_{uuid.uuid4().hex[:8]}", f"s11_deploy_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'role-password-{role}' NOSUPERUSER NOCREATEDB NOCREATEROLE"))
        connection.execute(text(f'CREATE DATABASE "{database}" OWNER {role}'))
    admin.dispose()
    url = make_url(admin_url).set(drivername="postgresql", username=role, password=f"role-password-{role}", database=database)
    return url.render_as_string(hide_password=False), role, database


def _drop_database(admin_url: str, role: str, database: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
    admin.dispose()


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "tls.pem", folder / "tls.key"
    subprocess.run(
        [_need("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=120,
    )
    return cert, key


def _nginx_config(folder: Path, *, https_port: int, http_port: int, web_ports: list[int], cert: Path, key: Path) -> Path:
    """deploy/nginx/s11.conf with this machine's ports, certificate and log folder, inside a minimal nginx.conf."""
    site = (DEPLOY / "nginx" / "s11.conf").read_text()
    for shipped, here in [
        ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{web_ports[0]} "),
        ("server 127.0.0.1:8002 ", f"server 127.0.0.1:{web_ports[1]} "),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("/etc/ssl/certs/section11.example.org.pem", str(cert)),
        ("/etc/ssl/private/section11.example.org.key", str(key)),
        ("/var/log/nginx/", f"{folder}/"),
    ]:
        assert shipped in site, f"deploy/nginx/s11.conf no longer has {shipped!r}: update this test with it"
        site = site.replace(shipped, here)
    (folder / "s11.conf").write_text(site)
    main = folder / "nginx.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""
    main.write_text(
        f"{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/nginx-error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n  client_body_temp_path {folder}/body;\n  proxy_temp_path {folder}/proxy;\n"
        f"  fastcgi_temp_path {folder}/fastcgi;\n  uwsgi_temp_path {folder}/uwsgi;\n  scgi_temp_path {folder}/scgi;\n"
        f"  access_log off;\n  include {folder}/s11.conf;\n}}\n"
    )
    return main


def _wait_until_ready(url: str, what: str, process: subprocess.Popen, log: str, *, within: float = 120) -> None:
    give_up = time.monotonic() + within
    while True:
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        assert process.poll() is None, f"{what} stopped: {log}"
        assert time.monotonic() < give_up, f"{what} was not ready at {url}"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def installed(tmp_path_factory, s3_endpoint) -> Iterator[dict]:
    """The product installed and running; yields the addresses and the installation."""
    _need("nginx")
    _need("openssl")
    started = time.monotonic()
    folder = tmp_path_factory.mktemp("deployment")
    wheel = _build_wheel(folder)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {"web/static/app.css", "web/static/govuk/govuk-frontend.min.js", "models/migrations/env.py",
            "workflow/templates/standard/section11-default.yaml"} <= names

    venv = folder / "venv"
    subprocess.run([shutil.which("python3") or sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(wheel)], check=True, timeout=900)

    import boto3

    bucket = f"s11-deploy-{uuid.uuid4().hex[:10]}"
    region = CREDENTIALS["AWS_DEFAULT_REGION"]
    boto3.client("s3", endpoint_url=s3_endpoint, aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                 aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"], region_name=region,
                 ).create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    database_url, role, database = _fresh_database(POSTGRES_URL)
    https_port, http_port, web_a, web_b = free_port(), free_port(), free_port(), free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder), "LANG": "C.UTF-8",
        "S11_ENV": "production", "DATABASE_URL": database_url, "SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
        "S11_HISTORY_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
        "S11_BASE_URL": f"https://127.0.0.1:{https_port}", "S11_HTTPS": "1", "S11_PROXIES": "1",
        "S11_EMAIL_BACKEND": "folder", "S11_EMAIL_FOLDER": str(folder / "outbox-mail"),
        "S11_EMAIL_FROM": "section11@partnership.example.org", "S11_INSTANCE": str(folder / "instance"),
        "S11_EVIDENCE_STORE": "s3", "S11_S3_BUCKET": bucket, "S11_S3_ENDPOINT_URL": s3_endpoint, **CREDENTIALS,
    }
    install = Installation(folder, venv, env)
    try:
        install.s11("db", "upgrade")
        _arrange_a_cycle(install)
        config = install.s11("check-config")
        cert, key = _certificate(folder)
        nginx_conf = _nginx_config(
            folder, https_port=https_port, http_port=http_port, web_ports=[web_a, web_b], cert=cert, key=key
        )
        s11 = str(venv / "bin" / "s11")
        install.start("web-a", [s11, "serve", "--bind", f"127.0.0.1:{web_a}", "--workers", "2"])
        install.start("web-b", [s11, "serve", "--bind", f"127.0.0.1:{web_b}", "--workers", "2"])
        install.start("scheduler", [s11, "scheduler"])
        install.start("nginx", [_need("nginx"), "-c", str(nginx_conf), "-p", str(folder), "-g", "daemon off;"])
        for name, port in (("web-a", web_a), ("web-b", web_b)):
            _wait_until_ready(f"http://127.0.0.1:{port}/readyz", name, install.processes[name], install.log(name))
        yield {
            "install": install, "nginx": f"https://127.0.0.1:{https_port}", "cert": str(cert), "config": config,
            "web": {"a": f"http://127.0.0.1:{web_a}", "b": f"http://127.0.0.1:{web_b}"}, "role": role, "database": database,
            "set_up_seconds": time.monotonic() - started,
        }
    finally:
        install.stop()
        _drop_database(POSTGRES_URL, role, database)


def _arrange_a_cycle(install: Installation) -> None:
    """What the partnership's administrator does once, with the installed command."""
    template = install.folder / "deployment-check.yaml"
    template.write_text(TEMPLATE)
    install.s11("template", "load", str(template))
    agencies = install.folder / "agencies.csv"
    agencies.write_text(f"name,sector,statutory,contact_email\nRiverside Council,Local authority,yes,{AGENCY_USER}\n")
    install.s11("agencies", "import", str(agencies))
    install.s11("users", "add", "--email", AGENCY_USER, "--name", "Sam Agency", "--role", "agency_user",
                "--agency", "Riverside Council", "--password", PASSWORD)
    opens = today()
    install.s11("cycle", "launch", "--name", "Section 11 audit 2026-27", "--template", "deployment-check",
                "--opens", f"{opens}", "--deadline", f"{opens + timedelta(days=40)}",
                "--qa-ends", f"{opens + timedelta(days=70)}",
                "--review", f"{opens + timedelta(days=180)}", "--statement-deadline", f"{opens + timedelta(days=200)}")


class Person:
    """Someone at a browser on the partnership's network: https through nginx, or (to show which
    web process answers) straight to one process with the headers nginx would have added."""

    def __init__(self, nginx: str, cert: str) -> None:
        self.nginx = nginx
        self.http = requests.Session()
        self.http.trust_env = False  # this machine's CA bundle settings would replace our certificate
        self.http.verify = cert

    def get(self, path: str, *, via: str | None = None, expect: int = 200) -> requests.Response:
        response = self.http.get(self._url(path, via), headers=self._headers(via), allow_redirects=via is None, timeout=60)
        assert response.status_code == expect, f"GET {path} via {via or 'nginx'}: {response.status_code} {response.text[:800]}"
        return response

    def post(self, path: str, data: dict, *, files: dict | None = None, via: str | None = None, expect: int = 302):
        form = self.get(path, via=via)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text)
        assert token, f"no CSRF token on {path}"
        headers = {**self._headers(via), "Referer": self.nginx + path}
        response = self.http.post(self._url(path, via), data={"csrf_token": token.group(1), **data}, files=files,
                                  headers=headers, allow_redirects=False, timeout=60)
        assert response.status_code == expect, f"POST {path}: {response.status_code} {response.text[:800]}"
        return response

    def _url(self, path: str, via: str | None) -> str:
        return (via or self.nginx) + path

    def _headers(self, via: str | None) -> dict[str, str]:
        if via is None:
            return {}
        # Straight to one web process: the session cookie (Secure, so requests would not send it
        # over http) and the forwarded headers, exactly as nginx passes them on.
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        return {"Cookie": cookies, "X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1",
                "X-Forwarded-Host": self.nginx.split("//", 1)[1], "Host": self.nginx.split("//", 1)[1]}


def test_an_agency_completes_its_return_through_nginx_across_two_web_processes(installed):
    install: Installation = installed["install"]
    sam = Person(installed["nginx"], installed["cert"])

    sam.post("/sign-in", {"email": AGENCY_USER, "password": PASSWORD})
    home = sam.get("/")
    assert "Signed in as Sam Agency" in home.text
    for process in installed["web"].values():  # one cookie, signed once, good on either process
        assert "Signed in as Sam Agency" in sam.get("/", via=process).text

    [return_id] = set(re.findall(r"/returns/(\d+)", sam.get("/returns").text))
    [standard_id] = set(re.findall(rf"/returns/{return_id}/standards/(\d+)", sam.get(f"/returns/{return_id}").text))
    standard_page = f"/returns/{return_id}/standards/{standard_id}"
    [question_id] = set(re.findall(r'name="q(\d+)-rating"', sam.get(standard_page).text))

    sam.post(standard_page, {f"q{question_id}-rating": "yes", f"q{question_id}-narrative": "Our lead is named in the policy."},
             files={f"q{question_id}-file": ("safeguarding-policy.pdf", PDF, "application/pdf")}, via=installed["web"]["a"])
    [file_id] = set(re.findall(r"/evidence/(\d+)", sam.get(standard_page).text))
    download = sam.get(f"/evidence/{file_id}", via=installed["web"]["b"])
    assert download.content == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert sam.get(f"/evidence/{file_id}").content == PDF  # and through nginx, whichever process it picks

    sam.post(f"/returns/{return_id}/submit", {"confirm": "y"})
    assert "submitted" in sam.get(f"/returns/{return_id}/submitted").text

    receipt = _wait_for_email(install.folder / "outbox-mail", "return was submitted", to=AGENCY_USER)
    assert "Riverside Council" in receipt["Subject"]

    # nginx takes turns: of a few requests through it, each web process served some, and each
    # process logged one JSON line per request with nginx's request id.
    ids = [sam.get("/healthz").headers["X-Request-Id"] for _ in range(6)]
    served = {name: {line["request_id"] for line in _request_lines(install.log(name))} & set(ids) for name in ("web-a", "web-b")}
    assert served["web-a"] and served["web-b"], served
    assert served["web-a"] | served["web-b"] == set(ids) and not served["web-a"] & served["web-b"]
    assert AGENCY_USER not in install.log("web-a") + install.log("web-b")
    print(f"\ndeployment set up in {installed['set_up_seconds']:.0f} s")


def test_the_installed_product_checks_its_own_configuration_and_readiness(installed):
    config = installed["config"]
    assert "S11_ENV            production" in config or re.search(r"S11_ENV\s+production", config)
    assert "role-password" not in config
    assert re.search(r"ok\s+migrations: at head", config) and re.search(r"ok\s+evidence store: bucket", config)
    for process in installed["web"].values():
        ready = requests.get(f"{process}/readyz", timeout=10).json()
        assert ready["status"] == "ready" and all(check["ok"] for check in ready["checks"].values())


def test_the_database_role_owns_that_database_and_nothing_else(installed):
    admin = create_engine(POSTGRES_URL)
    with admin.connect() as connection:
        owned = connection.execute(text(
            "SELECT datname FROM pg_database WHERE datdba = (SELECT oid FROM pg_roles WHERE rolname = :role)"
        ), {"role": installed["role"]}).scalars().all()
        powers = connection.execute(text(
            "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = :role"), {"role": installed["role"]}).one()
    admin.dispose()
    assert owned == [installed["database"]]
    assert tuple(powers) == (False, False, False)


def _wait_for_email(folder: Path, subject_words: str, *, to: str, within: float = 120) -> EmailMessage:
    """The scheduler sends the outbox every 30 seconds; the .eml appears in the folder."""
    give_up = time.monotonic() + within
    while time.monotonic() < give_up:
        for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            if subject_words in str(message["Subject"]) and to in str(message["To"]):
                return message
        time.sleep(1)
    raise AssertionError(f"no e-mail with “{subject_words}” in {folder} after {within} s")


def _request_lines(log: str) -> list[dict]:
    lines = []
    for line in log.splitlines():
        if line.startswith("{") and '"event":"request"' in line:
            lines.append(json.loads(line))
    return lines
