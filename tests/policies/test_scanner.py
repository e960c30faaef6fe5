"""The scanner takes plans as they come (the pre-commit suite hands each over as the synth writes it):
each is judged on the bytes it had when handed over, reported as soon as its findings are cached,
and a scan that cannot finish says so."""

from __future__ import annotations

import pytest

from tap.audit import findings_cache
from tap.audit.scan import Scanner, scan
from tap.errors import UsageError
from tests.policies.conftest import FIXTURES
from tests.policies.test_policies import named

ENCRYPTION = FIXTURES / "CKV_PAY_1.tf.json"  # good_* pass CKV_PAY_1, bad_* fail it
NETWORK = FIXTURES / "CKV_PAY_8.tf.json"


@pytest.fixture(autouse=True)
def own_findings_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(findings_cache.CACHE_VARIABLE, str(tmp_path / "findings"))


def failing(entry: dict, check_id: str) -> set[str]:
    found = entry["findings"]
    return {item["address"] for item in found if item["check_id"] == check_id and item["result"] == "FAILED"}


def key_of(plan, scanner: Scanner) -> str:
    return findings_cache.plan_key(plan.read_bytes(), scanner.inputs)


def test_plans_handed_over_one_by_one_get_the_findings_one_scan_of_all_gets(tmp_path, monkeypatch):
    scanned = []
    with Scanner(scanned=scanned.append) as scanner:
        scanner.start()
        for plan in (ENCRYPTION, NETWORK):
            scanner.submit(plan)
        registry = scanner.finish()
    assert scanned == [ENCRYPTION, NETWORK]  # each reported once its findings are cached
    streamed = {plan: findings_cache.read(key_of(plan, scanner)) for plan in scanned}
    assert "CKV_PAY_1" in registry["checks"]
    assert failing(streamed[ENCRYPTION], "CKV_PAY_1")  # a scan that found something
    monkeypatch.setenv(findings_cache.CACHE_VARIABLE, str(tmp_path / "again"))
    scan([ENCRYPTION, NETWORK], shards=2)  # the way `tap audit` scans: all at once
    assert {plan: findings_cache.read(key_of(plan, scanner)) for plan in scanned} == streamed


def test_a_plan_rewritten_after_it_was_handed_over_is_judged_as_handed_over(tmp_path):
    plan = tmp_path / "cdk.tf.json"
    plan.write_bytes(ENCRYPTION.read_bytes())
    with Scanner() as scanner:
        key = key_of(plan, scanner)
        scanner.submit(plan)
        plan.write_text('{"resource": {}}')  # before checkov reads it
        scanner.finish()
    assert failing(scanner.entries[key], "CKV_PAY_1") == named(ENCRYPTION, "bad_")


def test_a_plan_already_in_the_findings_cache_is_not_scanned_again():
    scan([ENCRYPTION])
    with Scanner() as scanner:
        scanner.submit(ENCRYPTION)
        assert scanner.finish() is None  # no process was needed
    assert scanner.entries == {}


def test_a_plan_checkov_cannot_read_fails_the_scan_in_one_sentence(tmp_path):
    broken = tmp_path / "cdk.tf.json"
    broken.write_text('{"resource": ')
    with Scanner() as scanner:
        scanner.submit(ENCRYPTION)
        scanner.submit(broken)
        unread = r"^checkov could not scan .*cdk\.tf\.json: checkov read no Terraform JSON"
        with pytest.raises(UsageError, match=unread):
            scanner.finish()


def test_a_closed_scanner_takes_no_plan():
    scanner = Scanner()
    scanner.close()
    scanner.submit(ENCRYPTION)
    assert scanner.finish() is None
