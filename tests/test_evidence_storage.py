"""Where evidence bytes live: the local folder (the default) and an S3-compatible bucket on a local
server spoken to over real HTTP. Both keep a file under its SHA-256 only, once, and privately."""

import hashlib

import boto3
import pytest
import requests

from tests import sample_files
from workflow.answering.evidence_files import check_upload
from workflow.answering.evidence_storage import FolderStore, MissingEvidence, S3Store, StoreUnreachable, store_from_settings
from workflow.settings import load_settings

PDF = sample_files.pdf()  # a real PDF: uploads are parsed, not just sniffed


@pytest.fixture(params=["folder", "s3"])
def store(request, tmp_path):
    """Each kind of store, made from settings as the web and the command line make it."""
    if request.param == "folder":
        settings = load_settings({"S11_EVIDENCE_FOLDER": str(tmp_path / "evidence"), "S11_INSTANCE": str(tmp_path)})
    else:
        settings = load_settings({"S11_INSTANCE": str(tmp_path), **request.getfixturevalue("s3_settings")})
    return store_from_settings(settings.evidence, tmp_path / "unused")


def test_a_file_is_kept_under_its_sha256_once_and_read_back(store):
    checked = check_upload("policy.pdf", PDF)
    store.save(checked)
    store.save(check_upload("a-copy-with-another-name.pdf", PDF))

    with store.open(checked.sha256) as stream:
        assert stream.read() == PDF
    assert checked.sha256 == hashlib.sha256(PDF).hexdigest()
    assert list(store.hashes()) == [checked.sha256]
    assert store.exists(checked.sha256)
    store.check()


def test_a_file_the_store_does_not_hold_is_missing(store):
    with pytest.raises(MissingEvidence):
        store.open("0" * 64)
    assert not store.exists("0" * 64)


@pytest.mark.parametrize("name", ["../../etc/passwd", "policy.pdf", "A" * 64, ""])
def test_only_a_sha256_names_a_stored_file(store, name):
    with pytest.raises(ValueError):
        store.open(name)


def test_in_a_bucket_the_object_is_keyed_by_sha256_and_never_public(s3_settings):
    store = S3Store(s3_settings["S11_S3_BUCKET"], endpoint_url=s3_settings["S11_S3_ENDPOINT_URL"])
    checked = check_upload("policy.pdf", PDF)
    store.save(checked)

    key = f"evidence/{checked.sha256}"
    client = boto3.client("s3", endpoint_url=s3_settings["S11_S3_ENDPOINT_URL"])
    assert client.get_object(Bucket=s3_settings["S11_S3_BUCKET"], Key=key)["Body"].read() == PDF
    grants = client.get_object_acl(Bucket=s3_settings["S11_S3_BUCKET"], Key=key)["Grants"]
    assert [g["Grantee"].get("URI") for g in grants] == [None]  # the owner alone, no group such as AllUsers
    anonymous = requests.get(f"{s3_settings['S11_S3_ENDPOINT_URL']}/{s3_settings['S11_S3_BUCKET']}/{key}", timeout=10)
    assert anonymous.status_code == 403


def test_a_bucket_that_does_not_answer_is_reported_in_words(s3_settings):
    missing_bucket = S3Store("no-such-bucket-here", endpoint_url=s3_settings["S11_S3_ENDPOINT_URL"])
    with pytest.raises(StoreUnreachable, match="no-such-bucket-here"):
        missing_bucket.check()
    nowhere = S3Store("s11-evidence", endpoint_url="http://127.0.0.1:9")  # the discard port: nothing listens
    with pytest.raises(StoreUnreachable, match="cannot be reached"):
        nowhere.check()


def test_a_folder_that_cannot_be_written_is_reported_in_words(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnreachable, match="cannot be made"):
        FolderStore(blocker / "evidence").check()
