"""The interpretation rule: a public policy needs a public interpretation within 3 working days."""

import datetime as dt

from portal_factory import INTERPRETATION, POLICY, check, codes, write_portal


def test_interpretation_on_time_passes(tmp_path):
    _, findings = check(write_portal(tmp_path, {"p.yml": POLICY, "i.yml": INTERPRETATION}))
    assert not {"GK-INTERP-MISSING", "GK-INTERP-LATE"} & codes(findings)


def test_missing_interpretation_is_an_error_naming_the_deadline(tmp_path):
    _, findings = check(write_portal(tmp_path, {"p.yml": POLICY}))
    hit = next(f for f in findings if f.code == "GK-INTERP-MISSING")
    assert hit.severity == "error" and hit.file == "catalog/p.yml"
    assert "2024年3月6日" in hit.message and "113799000000000011/2024-00001" in hit.message


def test_late_interpretation_names_both_entries_and_deadline(tmp_path):
    late = INTERPRETATION.replace("published: 2024-03-04", "published: 2024-03-07")
    _, findings = check(write_portal(tmp_path, {"p.yml": POLICY, "i.yml": late}))
    hit = next(f for f in findings if f.code == "GK-INTERP-LATE")
    assert hit.file == "catalog/i.yml"
    assert "113799000000000011/2024-00001" in hit.message and "113799000000000011/2024-00002" in hit.message
    assert "2024年3月6日" in hit.message


def test_deadline_across_national_day(tmp_path):
    policy = POLICY.replace("published: 2024-03-01", "published: 2020-09-30")
    on_time = INTERPRETATION.replace("published: 2024-03-04", "published: 2020-10-12")
    _, findings = check(write_portal(tmp_path, {"p.yml": policy, "i.yml": on_time}))
    assert "GK-INTERP-LATE" not in codes(findings)
    late = on_time.replace("2020-10-12", "2020-10-13")
    _, findings = check(write_portal(tmp_path, {"p.yml": policy, "i.yml": late}))
    assert "GK-INTERP-LATE" in codes(findings)


def test_non_public_interpretation_does_not_count(tmp_path):
    hidden = INTERPRETATION + "disclosure: on_request\n"
    _, findings = check(write_portal(tmp_path, {"p.yml": POLICY, "i.yml": hidden}))
    assert "GK-INTERP-MISSING" in codes(findings)


def test_exempt_policy_needs_no_interpretation(tmp_path):
    exempt = POLICY + "interpretation_required: false\ninterpretation_exempt_reason: 仅涉及内部工作安排\n"
    _, findings = check(write_portal(tmp_path, {"p.yml": exempt}))
    assert not {"GK-INTERP-MISSING", "GK-INTERP-PENDING"} & codes(findings)


def test_recent_policy_is_pending_not_missing(tmp_path):
    _, findings = check(write_portal(tmp_path, {"p.yml": POLICY}), as_of=dt.date(2024, 3, 4))
    assert "GK-INTERP-PENDING" in codes(findings) and not findings.errors


def test_severity_is_an_option(tmp_path):
    _, findings = check(write_portal(tmp_path, {"p.yml": POLICY}, interpretation_severity="warning"))
    hit = next(f for f in findings if f.code == "GK-INTERP-MISSING")
    assert hit.severity == "warning" and not findings.errors


def test_calendar_range_warning_outside_known_years(tmp_path):
    policy = POLICY.replace("published: 2024-03-01", "published: 2099-03-02")
    interp = INTERPRETATION.replace("published: 2024-03-04", "published: 2099-03-03")
    _, findings = check(write_portal(tmp_path, {"p.yml": policy, "i.yml": interp}), as_of=dt.date(2099, 6, 1))
    hit = next(f for f in findings if f.code == "GK-CALENDAR-RANGE")
    assert hit.severity == "warning" and "2099" in hit.message and not findings.errors
