"""The pages of a return (agency, QA, lead person, executive, evidence), registered on the app at once."""

from flask import Flask

from workflow.answering.return_view import state_title, trigger_title


def register(app: Flask) -> None:
    from web.agency.carry_forward import bp as carry_forward_bp
    from web.agency.feedback import bp as feedback_bp
    from web.agency.pages import bp as returns_bp
    from web.agency.peer_review import bp as agency_peer_bp
    from web.agency.replies import bp as replies_bp
    from web.agency.reuse import bp as reuse_bp
    from web.executive.pages import bp as statement_bp
    from web.lead.pages import bp as actions_bp
    from web.peer.pages import bp as peer_bp
    from web.qa.pages import bp as qa_bp
    from web.returns.evidence import bp as evidence_bp
    from web.returns.record import bp as record_bp

    blueprints = (
        returns_bp, replies_bp, record_bp, qa_bp, actions_bp, statement_bp, evidence_bp, agency_peer_bp, peer_bp, feedback_bp
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    app.register_blueprint(carry_forward_bp)  # the next full audit starts from the last return
    app.register_blueprint(reuse_bp)  # answers reused from a return to another cycle running now
    app.add_template_global(state_title)
    app.add_template_global(trigger_title)
