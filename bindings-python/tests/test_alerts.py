"""The monitoring renderings through Python, checked with real parsers: prometheus_client's
text-format and OpenMetrics parsers, and the Nagios exit codes; and the notifiers (notify,
notify_async) against real HTTP receivers on loopback."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import pickle
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
import urllib.request

import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_prometheus

from intune_apple.errors import InvalidInputError
from intune_apple.testing import Simulator
from intune_apple.workflows import HealthReport, NotifyRun, notify, notify_async, scan_tenants


def test_prometheus_text_parses_with_prometheus_client(demo: Simulator) -> None:
    report = demo.client().health_report()
    families = {f.name: f for f in parse_prometheus(report.to_prometheus())}
    expiry = families["intune_apple_credential_expiry_timestamp_seconds"]
    assert expiry.type == "gauge"
    assert len(expiry.samples) == len(report.items)
    state = families["intune_apple_credential_state"]
    # One-hot: exactly one state is 1 per credential.
    assert sum(s.value for s in state.samples) == len(report.items)
    expired = [s for s in state.samples if s.labels["state"] == "expired" and s.value == 1]
    assert expired and all(s.labels["kind"] == "vpp_token" for s in expired)
    read = families["intune_apple_section_read_success"]
    assert {s.labels["section"]: s.value for s in read.samples} == {
        "pushCertificate": 1.0, "enrollmentProgramTokens": 1.0, "vppTokens": 1.0,
    }
    for f in families.values():
        for s in f.samples:
            assert s.timestamp is None, "the textfile collector rejects timestamps"
            assert not any("@" in v for v in s.labels.values()), "no e-mail address as a label"


def test_openmetrics_parses_with_the_openmetrics_parser(demo: Simulator) -> None:
    report = demo.client().health_report()
    text = report.to_openmetrics()
    families = {f.name: f for f in parse_openmetrics(text)}  # type: ignore[no-untyped-call]
    assert families["intune_apple_credential"].type == "info"
    assert families["intune_apple_credential_expiry_timestamp_seconds"].unit == "seconds"
    # The 0.0.4 text is not OpenMetrics: the parser insists on `# EOF`.
    with pytest.raises(ValueError):
        list(parse_openmetrics(report.to_prometheus()))  # type: ignore[no-untyped-call]


def test_nagios_checkmk_and_html(demo: Simulator) -> None:
    report = demo.client().health_report()
    assert report.nagios_exit_code == 2
    assert report.to_nagios().startswith("APPLE CREDENTIALS CRITICAL - ")
    assert report.to_checkmk().splitlines()[0].startswith('0 "Apple credentials read"')
    assert report.to_html().count('<tr class="credential"') == len(report.items)
    assert "<svg" not in report.to_html_email()
    assert report.render("openmetrics").endswith("# EOF\n")
    assert HealthReport.from_json(report.to_json()).render("json") == report.to_json() + "\n"
    with pytest.raises(InvalidInputError, match="unknown format"):
        report.render("yaml")


class Receiver:
    """An HTTP receiver on 127.0.0.1 answering ``status``; ``seen`` holds each request as
    ``(path, headers, body)``."""

    def __init__(self, status: int) -> None:
        self.seen: list[tuple[str, dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the http.server name)
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/abc?sig=SECRET-SIG-123"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Receiver]:
    r = Receiver(204)
    yield r
    r.close()


@pytest.fixture
def slack() -> Iterator[Receiver]:
    r = Receiver(200)
    yield r
    r.close()


def refused_url() -> tuple[str, int]:
    """A loopback URL with nothing listening, and its port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    return f"http://127.0.0.1:{port}/hook?sig=SECRET-SIG-123", port


SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


def verifies(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The Standard Webhooks check: HMAC-SHA256 of ``{id}.{timestamp}.{body}``, keyed with the
    base64 after ``whsec_``."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(sig.removeprefix("v1,"), expected)
        for sig in headers["webhook-signature"].split(" ") if sig.startswith("v1,")
    )


def test_notify_a_signed_webhook_and_slack_then_nothing_with_the_same_state(
    demo: Simulator, hook: Receiver, slack: Receiver, tmp_path: Path,
) -> None:
    report = demo.client().health_report()
    state = tmp_path / "state.json"
    channels = [f"webhook={hook.url}", f"slack={slack.url}"]
    run = notify(report, channels=channels, state_path=state, webhook_secret=SECRET)
    assert isinstance(run, NotifyRun)
    assert run.due and run.sent and run.delivered and run.succeeded and run.state_saved
    assert run.notice is None and run.state_error is None
    assert [(o.channel, o.delivered, o.error) for o in run.outcomes] == [
        ("webhook (signed)", True, None), ("slack", True, None)]
    assert any(c["what"]["type"] == "expired" for c in run.changes)
    assert state.exists()

    (path, headers, body), = hook.seen
    assert headers["content-type"].startswith("application/json")
    assert headers["webhook-id"].startswith("msg_")
    assert verifies(SECRET, headers, body)
    assert not verifies(SECRET, headers, body.replace(b"changed", b"digest"))
    event = json.loads(body)
    assert event["type"] == "apple_credentials.changed"
    assert event["data"]["severity"] == "expired"
    assert len(event["data"]["changes"]) == len(run.changes)
    assert len(event["data"]["reports"][0]["report"]["items"]) == len(report.items)
    (_, _, slack_body), = slack.seen
    message = json.loads(slack_body)
    assert message["text"].startswith("Apple credentials: ")
    assert message["blocks"][0]["type"] == "header"

    # Same report, same state: nothing due, nothing sent, the state unchanged.
    before = state.read_bytes()
    again = notify(report, channels=channels, state_path=state, webhook_secret=SECRET)
    assert not again.due and not again.sent and again.succeeded and again.outcomes == []
    assert len(hook.seen) == 1 and len(slack.seen) == 1
    assert state.read_bytes() == before
    # always: a digest every run.
    digest = notify(report, channels=channels, state_path=state, always=True)
    assert digest.due
    assert json.loads(hook.seen[1][2])["type"] == "apple_credentials.digest"
    # The result is plain data: it pickles and compares equal.
    assert pickle.loads(pickle.dumps(run)) == run


def test_notify_a_refused_url_is_reported_and_the_state_kept(
    demo: Simulator, hook: Receiver, tmp_path: Path,
) -> None:
    report = demo.client().health_report()
    state = tmp_path / "state.json"
    url, port = refused_url()
    run = notify(report, channels=[f"webhook={hook.url}", f"teams={url}"], state_path=state, max_attempts=1)
    assert run.due and run.sent and not run.delivered and not run.succeeded and not run.state_saved
    bad = run.outcomes[1]
    assert bad.channel == "teams" and not bad.delivered
    assert bad.error is not None and "could not be reached" in bad.error
    assert "SECRET-SIG-123" not in repr(run) and str(port) not in repr(run)
    assert not state.exists(), "the state is kept as it was (none)"
    # Fixed: the next run sends the same alert again, with the same webhook-id.
    next_run = notify(report, channels=[f"webhook={hook.url}"], state_path=state)
    assert next_run.succeeded and next_run.state_saved
    assert len(hook.seen) == 2 and hook.seen[0][1]["webhook-id"] == hook.seen[1][1]["webhook-id"]
    assert "webhook-signature" not in hook.seen[1][1], "unsigned without a secret"


@pytest.mark.asyncio
async def test_notify_async_with_a_scan_and_a_damaged_state(
    demo: Simulator, hook: Receiver, tmp_path: Path,
) -> None:
    reports = scan_tenants({"contoso": demo.client()})
    state = tmp_path / "state.json"
    state.write_text('{"version": 1, "credentials": [tru')
    run = await notify_async(reports, channels=[f"webhook={hook.url}"], state_path=str(state),
                             thresholds_days=[60, 30, 7])
    assert run.notice is not None and "rebuilt" in run.notice
    assert run.succeeded and all(c["tenant"] == "contoso" for c in run.changes)
    event = json.loads(hook.seen[0][2])
    assert event["data"]["reports"][0]["tenant"] == "contoso"
    assert "(contoso)" in event["data"]["title"]


def test_notify_sends_email_through_the_client(demo: Simulator) -> None:
    client = demo.client()
    run = notify(client.health_report(), channels=["email=mdm-admins@contoso.com"],
                 mail_from="alerts@contoso.com", client=client)
    assert run.succeeded, run.outcomes
    assert run.outcomes[0].channel == "email to mdm-admins@contoso.com"
    with urllib.request.urlopen(f"{demo.base_url.rstrip('/')}/_sim/mail") as answer:
        assert any(m["sender"] == "alerts@contoso.com" for m in json.load(answer))


def test_notify_refuses_bad_input_without_showing_a_url_or_a_secret(demo: Simulator) -> None:
    report = demo.client().health_report()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"channels": ["teams=http://example.com/x?sig=SECRET-SIG-123"]}, "must use https"),
        ({"channels": ["pager=SECRET-SIG-123"]}, "unknown notification channel"),
        ({"thresholds_days": []}, "at least one threshold"),
        ({"thresholds_days": [0]}, "from 1 to 3650"),
        ({"max_attempts": 0}, "attempts per channel"),
        ({"timeout_seconds": 601}, "timeout"),
    ]
    for options, message in cases:
        with pytest.raises(InvalidInputError, match=message) as e:
            notify(report, **options)
        assert "SECRET-SIG-123" not in str(e.value)
    # An e-mail channel without a client is a failed channel, not an exception.
    run = notify(report, channels=["email=admins@contoso.com"], mail_from="a@contoso.com", webhook_secret=SECRET)
    assert not run.outcomes[0].delivered and "whsec_" not in repr(run)


def test_a_scan_renders_as_one_document(demo: Simulator) -> None:
    from intune_apple import workflows

    with Simulator("empty") as empty:
        scans = workflows.scan_tenants({"contoso": demo.client(), "fabrikam": empty.client()})
    metrics = workflows.render_scan("prometheus", scans)
    assert 'tenant="contoso"' in metrics and 'tenant="fabrikam"' in metrics
    assert "intune_apple_credential_state" in {f.name for f in parse_prometheus(metrics)}
    page = workflows.render_scan("html", scans)
    assert page.count("<html") == 1 and "fabrikam" in page
    with pytest.raises(InvalidInputError):
        workflows.render_scan("xml", scans)
    # The exit code of the scan is the worst tenant's, as the command's is.
    assert workflows.scan_exit_code(scans) == max(r.exit_code for _, r in scans)
    assert workflows.scan_exit_code(scans[0][1]) == scans[0][1].exit_code
    assert workflows.scan_exit_code([]) == 0
    assert workflows.scan_exit_code(scans, "nagios") in (0, 1, 2, 3)
    with pytest.raises(InvalidInputError):
        workflows.scan_exit_code(scans, "xml")
