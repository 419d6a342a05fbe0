"""The web interface: an app factory that binds the extensions and registers the blueprints.

Configuration comes from the environment, read and checked once by `workflow.settings` (a
malformed setting stops the app with every problem listed), and can be overridden by the dict
given to `create_app` (tests do).
"""

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response
from jinja2 import FileSystemBytecodeCache
from werkzeug.middleware.proxy_fix import ProxyFix

from models.migrate import script_heads
from web.common import caching, health, request_checks, request_log, templating
from web.common import db as web_db
from web.common.extensions import CONTENT_SECURITY_POLICY, csrf, login_manager, talisman, wtforms_helpers
from workflow.answering.evidence_files import MAX_BYTES as MAX_EVIDENCE_BYTES
from workflow.answering.evidence_storage import store_from_settings
from workflow.lifecycle import sealing
from workflow.reporting import figures_cache
from workflow.settings import Settings, load_settings

SETTINGS_KEY = "s11_settings"
EVIDENCE_KEY = "s11_evidence_store"

# A request may be a little larger than the largest file the engine accepts, so a file just over
# the engine's limit gets its clear message on the same page, with the typed answers kept.
MAX_UPLOAD_BYTES = MAX_EVIDENCE_BYTES + 5 * 1024 * 1024


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """A new app; `config` overrides what the environment says."""
    if not sealing.has_key():
        # The pages write history: without the key it could be neither sealed nor checked.
        raise sealing.MissingHistoryKey()
    app = Flask(__name__, instance_relative_config=True)
    settings = load_settings(os.environ)
    app.extensions[SETTINGS_KEY] = settings
    app.config.update(_config_from_settings(settings))
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    app.extensions[EVIDENCE_KEY] = store_from_settings(settings.evidence, Path(app.instance_path) / "evidence")
    app.extensions[health.HEADS_KEY] = script_heads()
    if settings.proxies:
        # Behind nginx: the scheme and client address come from its X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxies, x_proto=settings.proxies, x_host=settings.proxies)
    https = bool(app.config["S11_HTTPS"])
    app.config.update(
        SESSION_COOKIE_SECURE=https,
        REMEMBER_COOKIE_SECURE=https,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )

    request_log.register(app)
    request_checks.register(app)  # before any route is added: ids beyond the database's range are 404
    templating.register(app)
    if not app.testing:
        # Each page's templates compiled once per release for the machine's web processes, not once
        # per process; and the report pages' figures and charts read or drawn once per change
        # between them (tests build many worlds under the same ids and leave no files behind).
        app.jinja_env.bytecode_cache = app.jinja_env.bytecode_cache or FileSystemBytecodeCache(_folder(app, "jinja"))
    figures_cache.share_in(None if app.testing else Path(app.instance_path) / "figures")
    caching.register(app)
    web_db.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    talisman.init_app(
        app,
        force_https=https and not app.config["TESTING"],
        strict_transport_security=https,
        session_cookie_secure=https,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        referrer_policy="same-origin",
    )
    wtforms_helpers.init_app(app)
    # Browsers ask for /favicon.ico whatever the page says: the same icon, no crown.
    icon = (Path(app.static_folder) / "favicon.svg").read_bytes()
    app.add_url_rule("/favicon.ico", "favicon", lambda: Response(icon, mimetype="image/svg+xml"))

    from web.accounts.auth import bp as auth_bp
    from web.accounts.home import bp as home_bp
    from web.common import errors, navigation
    from web.coordinator.cycle_changes import bp as cycle_changes_bp
    from web.coordinator.pages import bp as coordinator_bp

    errors.register(app)
    navigation.register(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    from web.accounts.agency_switch import bp as agency_switch_bp

    app.register_blueprint(agency_switch_bp)  # a person acting for several agencies chooses which
    from web.accounts.partnership_switch import bp as partnership_switch_bp

    app.register_blueprint(partnership_switch_bp)  # staff in several partnerships choose which to work in
    app.register_blueprint(coordinator_bp)
    app.register_blueprint(cycle_changes_bp)  # drafts corrected, dates moved, agencies added, reopening
    from web.agency.colleagues import bp as colleagues_bp

    app.register_blueprint(colleagues_bp)  # an agency user invites colleagues of their own agency

    # --- Blueprints from other parts of the product: register them here when they exist. -----
    _register_webhooks(app)
    from web.returns import blueprints as return_blueprints

    return_blueprints.register(app)  # the agency's, QA's, lead person's and executive's pages
    from web.reports.pages import bp as reports_bp

    app.register_blueprint(reports_bp)  # what the Board gets: report pages and downloads
    from web.coordinator.delivery import bp as delivery_bp

    app.register_blueprint(delivery_bp)  # failed e-mails and bouncing addresses
    from web.coordinator.partnerships import bp as partnerships_bp

    app.register_blueprint(partnerships_bp)  # the coordinator's partnerships, and an agency added to another
    from web.coordinator.peer_reviews import bp as peer_arrange_bp

    app.register_blueprint(peer_arrange_bp)  # pairing returns with peer reviewers
    from web.coordinator.qa_picks import bp as qa_picks_bp

    app.register_blueprint(qa_picks_bp)  # picking returns for QA by sector or statutory status
    from web.qa.meetings import bp as qa_meetings_bp

    app.register_blueprint(qa_meetings_bp)  # the QA sub-group's meetings and agenda packs
    from web.qa.plan_samples import bp as plan_samples_bp

    app.register_blueprint(plan_samples_bp)  # the yearly dip sample of live action plans
    from web.qa.intelligence import bp as intelligence_bp

    app.register_blueprint(intelligence_bp)  # the intelligence log
    from web.qa.good_practice import bp as good_practice_bp

    app.register_blueprint(good_practice_bp)  # the good-practice library
    from web.coordinator.plan_review import bp as plan_review_bp

    app.register_blueprint(plan_review_bp)  # the action-plan review page
    from web.coordinator.key_themes import bp as key_themes_bp

    app.register_blueprint(key_themes_bp)  # the year's findings for the annual report

    from web.commissioner.pages import bp as commissioner_bp

    app.register_blueprint(commissioner_bp)  # a commissioning agency reads its providers' returns and comments
    from web.survey import blueprints as survey_blueprints

    survey_blueprints.register(app)  # the staff survey: anonymous answering, set-up, counts, report
    # --------------------------------------------------------------------------------------------
    return app


def _register_webhooks(app: Flask) -> None:
    """SendGrid's Event Webhook (web/webhooks.py, by the notifications work), exempt from CSRF."""
    try:
        from web.webhooks import bp as webhooks_bp
    except ImportError as missing:
        if missing.name != "web.webhooks":
            raise
        return
    csrf.exempt(webhooks_bp)
    app.register_blueprint(webhooks_bp)


def _config_from_settings(settings: Settings) -> dict[str, Any]:
    testing = os.environ.get("S11_TESTING", "") not in ("", "0", "false")
    return {
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.secret_key,
        "TESTING": testing,
        # Plain http on a laptop: S11_HTTPS=0 turns off Secure cookies and the https redirect.
        "S11_HTTPS": settings.https,
        "MAX_CONTENT_LENGTH": MAX_UPLOAD_BYTES,
        # A return's long forms stay open for hours: a one-hour token would lose the typing.
        "WTF_CSRF_TIME_LIMIT": 8 * 60 * 60,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The staff survey's guard against flooding: responses one agency's link takes a minute.
        "S11_SURVEY_PER_MINUTE": int(os.environ.get("S11_SURVEY_PER_MINUTE") or 60),
    }


def _folder(app: Flask, name: str) -> str:
    folder = Path(app.instance_path) / name
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder)


def _instance_secret_key(instance: Path) -> str:
    """A random key kept in the instance folder, so sessions survive a restart without setup."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
