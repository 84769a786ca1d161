"""The monitoring renderings through Python, checked with real parsers: prometheus_client's
text-format and OpenMetrics parsers, and the Nagios exit codes."""

from __future__ import annotations

import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_prometheus

from intune_apple.errors import InvalidInputError
from intune_apple.testing import Simulator
from intune_apple.workflows import HealthReport


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
