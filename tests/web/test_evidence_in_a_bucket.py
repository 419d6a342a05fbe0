"""Two web processes sharing a bucket: evidence uploaded through one downloads through the other,
streamed through the product to the people allowed to see it, from a local S3-compatible server."""

import boto3
from sqlmodel import select

from models import EvidenceFile
from tests.web import return_world
from tests.web.conftest import Browser
from tests.web.return_world import PDF, pdf, signed_in
from web import create_app

world = return_world.world


def _app_on_the_bucket(sqlite_only_engine, monkeypatch, s3_settings):
    for name, value in s3_settings.items():
        monkeypatch.setenv(name, value)
    return create_app({
        "DATABASE_URL": sqlite_only_engine.url.render_as_string(hide_password=False),
        "TESTING": True, "SECRET_KEY": "test-secret-key", "S11_HTTPS": False,
    })


def test_evidence_uploaded_on_one_web_process_downloads_from_another(
    world, session, sqlite_only_engine, monkeypatch, s3_settings
):
    first = _app_on_the_bucket(sqlite_only_engine, monkeypatch, s3_settings)
    second = _app_on_the_bucket(sqlite_only_engine, monkeypatch, s3_settings)
    question = world.questions[0]
    uploader = signed_in(Browser(first.test_client()), world.agency_user)
    uploader.submit(f"/returns/{world.ret.id}/standards/{question.standard_id}", {
        f"q{question.id}-rating": "fully_met", f"q{question.id}-narrative": "Our policy.",
        f"q{question.id}-file": pdf("safeguarding-policy.pdf"),
    })
    record = session.exec(select(EvidenceFile)).one()
    bucket = boto3.client("s3", endpoint_url=s3_settings["S11_S3_ENDPOINT_URL"])
    listed = bucket.list_objects_v2(Bucket=s3_settings["S11_S3_BUCKET"])["Contents"]
    assert [item["Key"] for item in listed] == [f"evidence/{record.sha256}"]

    reader = signed_in(Browser(second.test_client()), world.agency_user)
    with reader.client.get(f"/evidence/{record.id}") as download:
        assert download.status_code == 200
        assert download.get_data() == PDF
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["X-Content-Type-Options"] == "nosniff"

    other_agency = signed_in(Browser(second.test_client()), world.youth_user)
    assert other_agency.client.get(f"/evidence/{record.id}").status_code == 404
    for app in (first, second):
        app.extensions["s11_engine"].dispose()


def test_readiness_says_when_the_bucket_is_gone(app, sqlite_only_engine, monkeypatch, s3_settings):
    on_bucket = _app_on_the_bucket(sqlite_only_engine, monkeypatch, s3_settings)
    client = on_bucket.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json["checks"]["evidence store"]["ok"] is True

    bucket = boto3.resource("s3", endpoint_url=s3_settings["S11_S3_ENDPOINT_URL"]).Bucket(s3_settings["S11_S3_BUCKET"])
    bucket.delete()
    gone = client.get("/readyz")
    assert gone.status_code == 503
    assert gone.json["checks"]["evidence store"]["ok"] is False
    assert s3_settings["S11_S3_BUCKET"] in gone.json["checks"]["evidence store"]["detail"]
    on_bucket.extensions["s11_engine"].dispose()
