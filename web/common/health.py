"""/healthz and /readyz for the load balancer: plain JSON, no sign-in, no personal data.

/healthz answers 200 while the process can serve at all. /readyz answers 200 only when the
database answers, its migrations are at the heads this package ships, and the evidence store
answers; otherwise 503, so the load balancer sends people to another web process.
"""

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from web.common.db import engine
from web.common.extensions import talisman
from workflow import readiness

bp = Blueprint("health", __name__)
HEADS_KEY = "s11_migration_heads"


@bp.route("/healthz")
@talisman(force_https=False)  # the load balancer asks each web process directly, over http
def healthz() -> ResponseReturnValue:
    return _no_store(jsonify(status="ok"))


@bp.route("/readyz")
@talisman(force_https=False)
def readyz() -> ResponseReturnValue:
    from web.returns.page_helpers import evidence_store

    store = evidence_store()
    checks = readiness.check_database(engine(), current_app.extensions[HEADS_KEY])
    checks.append(readiness.check_store(store.check, store.describe()))
    ready = all(check.ok for check in checks)
    body = jsonify(status="ready" if ready else "not ready", checks={c.name: {"ok": c.ok, "detail": c.detail} for c in checks})
    return _no_store(body), 200 if ready else 503


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response
