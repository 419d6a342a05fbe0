"""E-mail delivery: to a folder, to the console, and to SendGrid (a local fake of its HTTP API that
checks bodies against SendGrid's published OpenAPI description), plus the Event Webhook."""

import base64
import io
import json
import socket
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.error import HTTPError

import pytest

from notifications.backends import (
    Attachment,
    ConsoleBackend,
    EmailMessage,
    FolderBackend,
    PermanentDeliveryError,
    SendGridBackend,
    TemporaryDeliveryError,
    backend_from_config,
    retry_after,
    summarise_errors,
)
from notifications.webhook import parse_events, verify_signature
from tests.fakes.sendgrid_api import FakeSendGrid, WebhookSigner

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
SENDER = ("section11@partnership.example", "Northshire Safeguarding Children Partnership")


def invitation(**changes) -> EmailMessage:
    fields = dict(
        to_email="dsl@school.example",
        to_name="Priya Shah",
        subject="Section 11 audit 2025/26: your agency's return is open",
        text_body="Your agency's Section 11 return is open until 31 March.\n",
        html_body="<p>Your agency's Section 11 return is open until <strong>31 March</strong>.</p>",
        attachments=(Attachment("standards.pdf", "application/pdf", PDF),),
        message_id="42",
    )
    fields.update(changes)
    return EmailMessage(**fields)


@pytest.fixture
def fake():
    with FakeSendGrid() as running:
        yield running


def sendgrid_backend(fake: FakeSendGrid, **options) -> SendGridBackend:
    return SendGridBackend(fake.api_key, *SENDER, host=fake.host, **{"timeout": 2.0, **options})


# Offline delivery


def test_folder_backend_writes_an_eml_a_mail_client_can_open(tmp_path):
    folder = tmp_path / "outbox-mail"
    name = FolderBackend(folder, *SENDER).send(invitation())

    assert name.endswith("-42.eml")
    assert [p.name for p in folder.iterdir()] == [name]  # no temporary file left behind
    parsed = BytesParser(policy=policy.default).parsebytes((folder / name).read_bytes())
    assert parsed["To"] == "Priya Shah <dsl@school.example>"
    assert parsed["From"].addresses[0].addr_spec == "section11@partnership.example"
    assert parsed["Subject"] == "Section 11 audit 2025/26: your agency's return is open"
    assert parsed["X-S11-Message-Id"] == "42"
    assert parsed["Message-ID"] and parsed["Date"]
    assert parsed.get_body(("plain",)).get_content().startswith("Your agency's Section 11 return")
    assert "<strong>31 March</strong>" in parsed.get_body(("html",)).get_content()
    [attachment] = parsed.iter_attachments()
    assert attachment.get_filename() == "standards.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF


def test_folder_backend_refuses_an_address_no_mail_client_could_use(tmp_path):
    with pytest.raises(PermanentDeliveryError, match="not an e-mail address"):
        FolderBackend(tmp_path, *SENDER).send(invitation(to_email="priya at school"))


def test_console_backend_prints_a_summary_and_the_text():
    stream = io.StringIO()
    assert ConsoleBackend(stream).send(invitation()) is None
    printed = stream.getvalue()
    assert "To: Priya Shah <dsl@school.example>" in printed
    assert "Subject: Section 11 audit 2025/26" in printed
    assert "Attachment: standards.pdf (application/pdf" in printed
    assert "open until 31 March." in printed


def test_a_line_break_in_a_header_field_is_refused_before_any_backend_sees_it():
    with pytest.raises(ValueError, match="subject"):
        invitation(subject="Hello\r\nBcc: everyone@example.org")


def test_configuration_chooses_the_backend():
    assert isinstance(backend_from_config({}), FolderBackend)
    assert backend_from_config({}).folder == Path("instance/outbox-mail")
    assert isinstance(backend_from_config({"S11_EMAIL_BACKEND": "console"}), ConsoleBackend)
    chosen = backend_from_config({"S11_EMAIL_BACKEND": "sendgrid", "SENDGRID_API_KEY": "SG.x"})
    assert isinstance(chosen, SendGridBackend)
    with pytest.raises(ValueError, match="SENDGRID_API_KEY"):
        backend_from_config({"S11_EMAIL_BACKEND": "sendgrid"})
    with pytest.raises(ValueError, match="S11_EMAIL_BACKEND"):
        backend_from_config({"S11_EMAIL_BACKEND": "carrier-pigeon"})


# SendGrid, through the real client, against the fake


def test_sendgrid_delivers_a_body_that_matches_sendgrids_published_spec(fake):
    provider_id = sendgrid_backend(fake).send(invitation())

    [request] = fake.requests
    assert request.status == 202 and request.schema_errors == ()
    assert provider_id == request.message_id
    assert request.headers["authorization"] == f"Bearer {fake.api_key}"
    [body] = fake.delivered
    assert body["from"] == {"email": SENDER[0], "name": SENDER[1]}
    [personalization] = body["personalizations"]
    assert personalization["to"] == [{"email": "dsl@school.example", "name": "Priya Shah"}]
    assert [c["type"] for c in body["content"]] == ["text/plain", "text/html"]
    assert body["headers"] == {"X-S11-Message-Id": "42"}


def test_sendgrid_carries_the_outbox_id_in_custom_args_and_nothing_personal(fake):
    sendgrid_backend(fake).send(invitation(message_id="123"))

    [request] = fake.requests
    assert request.status == 202 and request.schema_errors == ()  # where SendGrid's spec allows it
    [body] = fake.delivered
    [personalization] = body["personalizations"]
    # The Event Webhook echoes this back on every event, so a copy sent twice can be tied to its row.
    assert personalization["custom_args"] == {"outbox_id": "123"}
    assert "custom_args" not in body and "categories" not in body  # SendGrid keeps these indefinitely
    kept = json.dumps(personalization["custom_args"])
    for personal in ("dsl@school.example", "Priya", "Shah", "Section 11 audit", "31 March"):
        assert personal not in kept
    [attachment] = body["attachments"]
    assert attachment["filename"] == "standards.pdf" and attachment["disposition"] == "attachment"
    assert base64.b64decode(attachment["content"]) == PDF


def test_one_backend_can_send_from_several_threads_at_once(fake):
    backend = sendgrid_backend(fake)
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(lambda n: backend.send(invitation(message_id=str(n))), range(16)))
    assert len(set(ids)) == 16
    assert sorted(int(body["headers"]["X-S11-Message-Id"]) for body in fake.delivered) == list(range(16))


def test_rate_limited_is_temporary_and_says_when_to_retry(fake):
    fake.mode = "rate_limit"
    with pytest.raises(TemporaryDeliveryError) as caught:
        sendgrid_backend(fake).send(invitation())
    assert caught.value.status == 429
    assert caught.value.retry_after == 2.0


def test_without_retry_after_the_rate_limit_reset_time_is_used(fake):
    fake.mode, fake.retry_after = "rate_limit", None
    with pytest.raises(TemporaryDeliveryError) as caught:
        sendgrid_backend(fake).send(invitation())
    assert 55 <= caught.value.retry_after <= 60  # the fake resets its window a minute ahead


def test_server_errors_are_temporary_and_a_later_attempt_gets_through(fake):
    fake.script(["server_error"] * 3)
    backend = sendgrid_backend(fake)
    for _ in range(3):
        with pytest.raises(TemporaryDeliveryError) as caught:
            backend.send(invitation())
        assert caught.value.status == 500 and caught.value.retry_after is None
    assert backend.send(invitation())
    assert [r.status for r in fake.requests] == [500, 500, 500, 202]
    assert len(fake.delivered) == 1


def test_a_provider_that_hangs_times_out_as_temporary(fake):
    fake.mode = "hang"
    started = time.monotonic()
    with pytest.raises(TemporaryDeliveryError, match="unreachable"):
        sendgrid_backend(fake, timeout=0.5).send(invitation())
    assert time.monotonic() - started < 2


def test_a_provider_that_cannot_be_reached_is_temporary():
    with socket.socket() as probe:  # a port that was free a moment ago and has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = SendGridBackend("SG.x", *SENDER, host=f"http://127.0.0.1:{port}", timeout=0.5)
    with pytest.raises(TemporaryDeliveryError):
        backend.send(invitation())


def test_a_refused_message_is_permanent_with_sendgrids_reason(fake):
    fake.mode = "bad_request"
    with pytest.raises(PermanentDeliveryError) as caught:
        sendgrid_backend(fake).send(invitation())
    assert caught.value.status == 400
    assert caught.value.summary == "from: The from address does not match a verified Sender Identity."


def test_an_invalid_from_address_fails_the_spec_and_is_permanent(fake):
    backend = SendGridBackend(fake.api_key, "section11-at-partnership", "Partnership", host=fake.host)
    with pytest.raises(PermanentDeliveryError, match="from.email") as caught:
        backend.send(invitation())
    assert caught.value.status == 400
    assert fake.validation_errors == [
        {"message": "'section11-at-partnership' is not a 'email'", "field": "from.email"}
    ]
    assert fake.delivered == []


def test_a_wrong_api_key_is_permanent(fake):
    backend = SendGridBackend("SG.revoked", *SENDER, host=fake.host, timeout=2)
    with pytest.raises(PermanentDeliveryError) as caught:
        backend.send(invitation())
    assert caught.value.status == 401


def test_a_body_that_looks_like_it_holds_an_api_key_is_never_sent(fake):
    # The SendGrid library refuses such bodies; retrying would never help.
    with pytest.raises(PermanentDeliveryError, match="API key"):
        sendgrid_backend(fake).send(invitation(text_body="SG.abc123.def456 was pasted here"))
    assert fake.requests == []


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "120"}, 120.0),
        ({"Retry-After": "Tue, 14 Nov 2023 22:13:50 GMT"}, 30.0),  # an HTTP date, 30 s after "now"
        ({"Retry-After": "soon", "X-RateLimit-Reset": "1700000000"}, 0.0),  # reset already passed
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_reads_either_header(headers, expected):
    assert retry_after(headers, now=1700000000.0) == expected


def test_error_summaries_are_short_and_survive_bodies_that_are_not_sendgrids():
    sendgrids = b'{"errors": [{"field": null, "message": "too many requests"}]}'
    assert summarise_errors(sendgrids) == "too many requests"
    assert summarise_errors(b"<html>Bad gateway</html>") == "<html>Bad gateway</html>"
    assert summarise_errors(b"") == "(empty response)"
    assert len(summarise_errors(b"x" * 10_000)) == 500


def post_to_fake(fake: FakeSendGrid, body: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(
        f"{fake.host}/v3/mail/send",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {fake.api_key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status, response.read()
    except HTTPError as error:
        with error:
            return error.code, error.read()


def test_the_fake_really_applies_the_spec(fake):
    minimal = {
        "personalizations": [{"to": [{"email": "dsl@school.example"}]}],
        "from": {"email": "section11@partnership.example"},
        "subject": "Hello",
        "content": [{"type": "text/plain", "value": "Hello"}],
    }
    assert post_to_fake(fake, minimal)[0] == 202

    broken = {
        **minimal,
        "personalizations": [{"cc": [{"email": "x@y.example"}]}],
        "content": [{"type": "text/plain"}],
    }
    status, body = post_to_fake(fake, broken)

    assert status == 400
    fields = {error["field"] for error in json.loads(body)["errors"]}
    assert fields == {"personalizations.0", "content.0"}  # no "to"; content without a value
    assert len(fake.validation_errors) == 2
    assert len(fake.delivered) == 1


# Event Webhook

# Shaped like the sample batch in SendGrid's Event Webhook reference: older ids contain dots,
# newer ones do not, and an asynchronous bounce carries no sg_message_id.
SMTP_ID = "<14c5d75ce93.dfd.64b469@ismtpd-555>"
SG_ID = "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0"
SAMPLE_EVENTS = [
    {"email": "dsl@school.example", "timestamp": 1513299569, "smtp-id": SMTP_ID,
     "event": "processed", "sg_event_id": "rbtnWrG1DVDGGGFHFyun0A==", "sg_message_id": SG_ID},
    {"email": "dsl@school.example", "timestamp": 1513299570, "smtp-id": SMTP_ID,
     "event": "deferred", "sg_event_id": "t7LEShmowp86DTdUW8M-GQ==", "sg_message_id": SG_ID,
     "response": "400 try again later", "attempt": "5"},
    {"email": "dsl@school.example", "timestamp": 1513299600, "smtp-id": SMTP_ID,
     "event": "delivered", "sg_event_id": "rWVYmVk90MjZJ9iohOBa3w==", "sg_message_id": SG_ID,
     "response": "250 OK"},
    {"email": "head@nursery.example", "timestamp": 1513299601, "event": "bounce", "type": "bounce",
     "sg_event_id": "6g4ZI7SA-xmRDv57GoPIPw==", "reason": "500 unknown recipient", "status": "5.0.0"},
    {"email": "gone@clinic.example", "timestamp": 1513299602, "event": "dropped",
     "sg_event_id": "zmzJhfJgAfUSOW80yEbPyw==", "reason": "Bounced Address",
     "sg_message_id": "W86EgYT6SQKk0lRflfLRsA.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0"},
]


def test_a_batch_signed_by_sendgrid_verifies():
    signer = WebhookSigner()
    payload = json.dumps(SAMPLE_EVENTS).encode()
    headers = signer.headers(payload, timestamp="1700000000")
    signature = headers["X-Twilio-Email-Event-Webhook-Signature"]

    assert verify_signature(signer.public_key, payload, signature, "1700000000")
    tampered = payload.replace(b"bounce", b"delivered")
    assert not verify_signature(signer.public_key, tampered, signature, "1700000000")
    assert not verify_signature(signer.public_key, payload, signature, "1700000001")
    assert not verify_signature(WebhookSigner().public_key, payload, signature, "1700000000")
    assert not verify_signature(signer.public_key, payload, "not base64!", "1700000000")
    assert not verify_signature(signer.public_key, payload, "", "1700000000")


def test_an_unreadable_verification_key_is_a_configuration_error():
    with pytest.raises(ValueError, match="verification key"):
        verify_signature("not a key", b"[]", "c2ln", "1700000000")


def test_parse_events_reads_sendgrids_sample_batch():
    events = parse_events(json.dumps(SAMPLE_EVENTS).encode())

    assert [e.event for e in events] == ["processed", "deferred", "delivered", "bounce", "dropped"]
    bounce = events[3]
    assert bounce.sg_event_id == "6g4ZI7SA-xmRDv57GoPIPw=="
    assert bounce.email == "head@nursery.example" and bounce.timestamp == 1513299601
    assert bounce.reason == "500 unknown recipient" and bounce.sg_message_id is None
    assert bounce.raw["status"] == "5.0.0"
    assert events[0].matches("14c5d75ce93.dfd.64b469")
    assert events[4].matches("W86EgYT6SQKk0lRflfLRsA") and not events[4].matches("W86EgYT6")
    assert not bounce.matches("14c5d75ce93.dfd.64b469")


@pytest.mark.parametrize(
    ("payload", "complaint"),
    [
        (b"[{\"event\": ", "not valid JSON"),
        (b"{\"event\": \"delivered\"}", "JSON array"),
        (b"[\"delivered\"]", "event 0 is not a JSON object"),
        (b"[{\"event\": \"open\", \"timestamp\": 1, \"email\": \"a@b.example\"}]", "sg_event_id"),
        (b"[{\"event\": \"open\", \"sg_event_id\": \"x\", \"timestamp\": \"yesterday\"}]", "timestamp"),
    ],
)
def test_parse_events_refuses_what_sendgrid_would_not_send(payload, complaint):
    with pytest.raises(ValueError, match=complaint):
        parse_events(payload)


@pytest.mark.parametrize(
    ("echoed", "outbox_id"),
    [({"outbox_id": "123"}, 123), ({}, None), ({"outbox_id": "12a"}, None), ({"outbox_id": 123}, None),
     ({"outbox_id": "0"}, None), ({"outbox_id": "9" * 40}, None)],
)
def test_parse_events_reads_the_outbox_id_sendgrid_echoes_from_custom_args(echoed, outbox_id):
    [parsed] = parse_events(json.dumps([{**SAMPLE_EVENTS[2], **echoed}]).encode())
    assert parsed.outbox_id == outbox_id
    assert parsed.event == "delivered"  # an unusable id never costs the event itself
