"""The web interface: an app factory that binds the extensions and registers the blueprints.

Configuration comes from the environment (DATABASE_URL, SECRET_KEY, S11_TESTING, S11_HTTPS) and
can be overridden by the dict given to `create_app` (tests do).
"""

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from models.db import database_url
from web.common import db as web_db
from web.common import templating
from web.common.extensions import CONTENT_SECURITY_POLICY, csrf, login_manager, talisman, wtforms_helpers
from workflow.answering.evidence_files import MAX_BYTES as MAX_EVIDENCE_BYTES

# A request may be a little larger than the largest file the engine accepts, so a file just over
# the engine's limit gets its clear message on the same page, with the typed answers kept.
MAX_UPLOAD_BYTES = MAX_EVIDENCE_BYTES + 5 * 1024 * 1024


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """A new app; `config` overrides what the environment says."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(_config_from_environment(app))
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    https = bool(app.config["S11_HTTPS"])
    app.config.update(
        SESSION_COOKIE_SECURE=https,
        REMEMBER_COOKIE_SECURE=https,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )

    templating.register(app)
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

    from web.accounts.auth import bp as auth_bp
    from web.accounts.home import bp as home_bp
    from web.common import errors, navigation
    from web.coordinator.pages import bp as coordinator_bp

    errors.register(app)
    navigation.register(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(coordinator_bp)

    # --- Blueprints from other parts of the product: register them here when they exist. -----
    _register_webhooks(app)
    from web.returns import blueprints as return_blueprints

    return_blueprints.register(app)  # the agency's, QA's, lead person's and executive's pages
    from web.reports.pages import bp as reports_bp

    app.register_blueprint(reports_bp)  # what the Board gets: report pages and downloads
    from web.coordinator.delivery import bp as delivery_bp

    app.register_blueprint(delivery_bp)  # failed e-mails and bouncing addresses
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


def _config_from_environment(app: Flask) -> dict[str, Any]:
    testing = os.environ.get("S11_TESTING", "") not in ("", "0", "false")
    return {
        "DATABASE_URL": database_url(),
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "TESTING": testing,
        # Plain http on a laptop: S11_HTTPS=0 turns off Secure cookies and the https redirect.
        "S11_HTTPS": os.environ.get("S11_HTTPS", "1") not in ("0", "false", "no"),
        "MAX_CONTENT_LENGTH": MAX_UPLOAD_BYTES,
        # A return's long forms stay open for hours: a one-hour token would lose the typing.
        "WTF_CSRF_TIME_LIMIT": 8 * 60 * 60,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The staff survey's guard against flooding: responses one agency's link takes a minute.
        "S11_SURVEY_PER_MINUTE": int(os.environ.get("S11_SURVEY_PER_MINUTE") or 60),
    }


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
