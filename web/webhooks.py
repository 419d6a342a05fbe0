"""SendGrid's Event Webhook: `POST /webhooks/sendgrid` records what happened to our e-mails.

How create_app wires it in (SendGrid cannot send a CSRF token, so this view is exempt; its
ECDSA signature is checked instead):

    from web import webhooks
    app.register_blueprint(webhooks.bp)
    csrf.exempt(webhooks.sendgrid_events)   # or csrf.exempt(webhooks.bp): it holds this view only

Settings: `SENDGRID_WEBHOOK_PUBLIC_KEY`, the verification key from SendGrid's Mail Settings. The
database is the app's engine (`web.common.db.init_app`).
"""

import logging

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from models.db import transaction
from notifications.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, parse_events, verify_signature
from web.common.db import engine
from workflow.mail.bounces import record_events

logger = logging.getLogger(__name__)

bp = Blueprint("webhooks", __name__)


@bp.post("/webhooks/sendgrid")
def sendgrid_events() -> ResponseReturnValue:
    """Verify the batch came from SendGrid, then record its events once each. A refusal with 5xx
    makes SendGrid retry (for 24 hours); 4xx tells it the batch is bad."""
    public_key = current_app.config.get("SENDGRID_WEBHOOK_PUBLIC_KEY", "")
    if not public_key:
        logger.error("a SendGrid webhook arrived but SENDGRID_WEBHOOK_PUBLIC_KEY is not set")
        return jsonify(error="The webhook is not configured."), 503
    payload = request.get_data(cache=False)
    try:
        genuine = verify_signature(
            public_key, payload, request.headers.get(SIGNATURE_HEADER, ""), request.headers.get(TIMESTAMP_HEADER, "")
        )
    except ValueError:
        logger.exception("SENDGRID_WEBHOOK_PUBLIC_KEY cannot be read")
        return jsonify(error="The webhook is not configured."), 503
    if not genuine:
        return jsonify(error="The signature does not match."), 403
    try:
        events = parse_events(payload)
    except ValueError as error:
        return jsonify(error=str(error)), 400
    with transaction(engine()) as session:
        batch = record_events(session, events)
    return jsonify(recorded=batch.recorded, duplicates=batch.duplicates, ignored=batch.ignored), 200
