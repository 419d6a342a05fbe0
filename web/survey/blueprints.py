"""The survey's blueprints, registered together by the app factory."""

from flask import Flask

from web.survey import agency, answering, report, setup


def register(app: Flask) -> None:
    app.register_blueprint(answering.bp)
    app.register_blueprint(setup.bp)
    app.register_blueprint(agency.bp)
    app.register_blueprint(report.bp)
