"""The report folder as evidence: sealed and verifiable, signed, ids that last, who ran it, what changed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tap.audit import bundle
from tap.audit.binding import bind
from tap.audit.changes import compare
from tap.audit.command import DEFAULT_WAIVERS, load_waivers
from tap.audit.mapping import Mapping
from tap.audit.provenance import run_context
from tap.audit.reports import to_json, write_all
from tap.audit.scan import Finding, Scan
from tap.audit.verdict import evaluate
from tap.audit.waivers import Declared
from tap.cli import main
from tap.errors import UsageError
from tap.plan import Plan
from tests.policies.test_audit import TODAY, audit_of


@pytest.fixture
def sealed(policy_run, tmp_path):
    out = tmp_path / "reports"
    write_all(audit_of(policy_run), out)
    return out


def write_keys(folder):
    key = Ed25519PrivateKey.generate()
    private, public = folder / "sign.pem", folder / "public.pem"
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    public.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return private, public


def test_manifest_hashes_every_file_and_the_inputs(sealed):
    manifest = json.loads((sealed / bundle.MANIFEST).read_text())
    files = {path.name for path in sealed.iterdir()} - {bundle.MANIFEST}
    assert set(manifest["files"]) == files and bundle.PLAN_COPY in files
    assert (
        manifest["files"][bundle.PLAN_COPY]
        == json.loads((sealed / "compliance.json").read_text())["provenance"]["plan_sha256"]
    )
    assert "pci_dss_v4.toml" in manifest["inputs"]["policies"] and manifest["inputs"]["mapping"]
    assert manifest["tools"]["checkov"]


def test_verify_passes_an_intact_folder(sealed, capsys):
    assert main(["verify", str(sealed)]) == 0
    assert "intact" in capsys.readouterr().out


def test_verify_names_a_one_byte_change_a_missing_file_and_an_added_file(sealed, capsys):
    html = sealed / "compliance.html"
    text = html.read_bytes()
    html.write_bytes(text[:100] + bytes([text[100] ^ 1]) + text[101:])
    (sealed / "compliance.sarif").unlink()
    (sealed / "notes.txt").write_text("added later")
    assert main(["verify", str(sealed)]) == 1
    out = capsys.readouterr().out
    assert "changed: compliance.html" in out and "missing: compliance.sarif" in out and "added: notes.txt" in out


@pytest.mark.parametrize("damage", ["no folder", "no manifest", "not a manifest"])
def test_verify_of_what_is_no_report_folder_is_bad_input(damage, sealed, capsys):
    target = sealed
    if damage == "no folder":
        target = sealed / "absent"
    elif damage == "no manifest":
        (sealed / bundle.MANIFEST).unlink()
    else:
        (sealed / bundle.MANIFEST).write_text("[1, 2]")
    assert main(["verify", str(target)]) == 2
    assert capsys.readouterr().err.startswith("tap: ")


def test_signed_manifest_verifies_with_the_public_key_and_a_rewritten_one_does_not(policy_run, tmp_path, capsys):
    private, public = write_keys(tmp_path)
    out = tmp_path / "signed"
    write_all(audit_of(policy_run), out, sign_key=bundle.load_private_key(private))
    assert main(["verify", str(out), "--public-key", str(public)]) == 0
    # Someone edits a report and rewrites the manifest to match: only the signature catches it.
    (out / "compliance.html").write_text("all passed")
    bundle.seal(out, {}, {}, None)
    assert main(["verify", str(out)]) == 0
    assert main(["verify", str(out), "--public-key", str(public)]) == 1
    assert f"changed: {bundle.MANIFEST}" in capsys.readouterr().out


def test_a_key_that_is_not_an_ed25519_pem_is_bad_input(policy_run, tmp_path, capsys):
    key = tmp_path / "key.pem"
    key.write_text("not a key")
    code = main(["audit", "--plan", str(policy_run.real["dev"]), "--out", str(tmp_path / "r"), "--sign-key", str(key)])
    assert code == 2
    assert capsys.readouterr().err.startswith("tap: the signing key")


def _encrypted_key(folder, passphrase: bytes):
    path = folder / "encrypted.pem"
    encryption = serialization.BestAvailableEncryption(passphrase)
    path.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
    )
    return path


@pytest.mark.parametrize(
    ("passphrase", "message"),
    [
        (None, "is encrypted: give its passphrase in $TAP_SIGN_KEY_PASSPHRASE"),
        ("wrong", "the passphrase in $TAP_SIGN_KEY_PASSPHRASE does not open the signing key"),
    ],
)
def test_an_encrypted_signing_key_is_named_encrypted_not_malformed(tmp_path, monkeypatch, passphrase, message):
    key = _encrypted_key(tmp_path, b"correct horse")
    if passphrase:
        monkeypatch.setenv(bundle.PASSPHRASE_VARIABLE, passphrase)
    else:
        monkeypatch.delenv(bundle.PASSPHRASE_VARIABLE, raising=False)
    with pytest.raises(UsageError, match=re.escape(message)):
        bundle.load_private_key(key)


def test_an_encrypted_signing_key_opens_with_its_passphrase(tmp_path, monkeypatch):
    monkeypatch.setenv(bundle.PASSPHRASE_VARIABLE, "correct horse")
    assert isinstance(bundle.load_private_key(_encrypted_key(tmp_path, b"correct horse")), Ed25519PrivateKey)


def test_evidence_ids_are_stable_for_the_same_plan_and_shared_by_every_report(policy_run, sealed):
    first, second = to_json(audit_of(policy_run)), to_json(audit_of(policy_run))
    ids = [item["evidence_id"] for item in first["evidence"]]
    assert ids == [item["evidence_id"] for item in second["evidence"]] and len(set(ids)) == len(ids)
    sarif = json.loads((sealed / "compliance.sarif").read_text())
    fingerprints = {result["partialFingerprints"]["evidenceId/v1"] for result in sarif["runs"][0]["results"]}
    html = (sealed / "compliance.html").read_text()
    assert fingerprints == set(ids) and all(f'id="{evidence_id}"' in html for evidence_id in ids)


def test_evidence_ids_differ_between_two_plans(policy_run):
    dev, prod = to_json(audit_of(policy_run, "dev")), to_json(audit_of(policy_run, "prod"))
    assert not {item["evidence_id"] for item in dev["evidence"]} & {item["evidence_id"] for item in prod["evidence"]}


def test_the_run_is_recorded_from_the_ci_environment():
    environment = {"GITHUB_ACTOR": "octo", "GITHUB_RUN_ID": "42", "GITHUB_REPOSITORY": "pay/stack"}
    run = run_context(environment)
    assert run["actor"] == "octo"
    assert run["ci"]["run_id"] == "42" and run["ci"]["url"] == "https://github.com/pay/stack/actions/runs/42"
    assert run_context({})["ci"] is None


def failing_again(policy_run, check_id, address):
    """The dev audit with one more failure: `check_id` on `address`, as if the plan had changed."""
    path = policy_run.real["dev"]
    findings = [*policy_run.scan.findings[path.resolve()], Finding(check_id, check_id, "FAILED", address, ())]
    scan = Scan(policy_run.scan.checkov_version, policy_run.scan.checks, {path.resolve(): findings})
    plan = Plan.load(path)
    return evaluate(
        plan, path, scan, load_waivers(plan, None), Mapping.load(), TODAY, binding=bind(path, DEFAULT_WAIVERS)
    )


def test_baseline_lists_a_newly_failing_resource_and_the_requirement_it_changed(policy_run, sealed, tmp_path, capsys):
    previous = json.loads((sealed / "compliance.json").read_text())
    address = next(item["resource"] for item in previous["evidence"] if item["check_id"] == "CKV_PAY_7")
    changes = compare(previous, to_json(failing_again(policy_run, "CKV_PAY_7", address)), TODAY)
    assert [(item["check_id"], item["resource"]) for item in changes["new_failures"]] == [("CKV_PAY_7", address)]
    before = next(item["result"] for item in previous["requirements"] if item["id"] == "1.4.4")
    assert before.startswith("configured") and before != "configured_with_exception"
    assert {"id": "1.4.4", "previous": before, "current": "not_configured"} in changes["requirements"]
    assert changes["fixed"] == []


def test_baseline_sorts_waivers_added_renewed_expired_and_expiring(policy_run):
    audit = audit_of(policy_run)
    first, second, third = audit.waivers[:3]
    previous = to_json(audit)
    previous["waivers"] = [w for w in previous["waivers"] if (w["check_id"], w["address"]) != first.key]
    renewed = dataclasses.replace(second, expires=TODAY + dt.timedelta(days=400))
    expiring = dataclasses.replace(third, expires=TODAY + dt.timedelta(days=10))
    current = to_json(dataclasses.replace(audit, waivers=[first, renewed, expiring]))
    waivers = compare(previous, current, TODAY)["waivers"]
    assert [w["address"] for w in waivers["added"]] == [first.address]
    assert [w["address"] for w in waivers["renewed"]] == [second.address]
    assert [w["address"] for w in waivers["expiring"]] == [third.address]
    assert len(waivers["removed"]) == len(audit.waivers) - 3


def test_audit_with_a_baseline_writes_changes_and_a_bad_baseline_is_bad_input(policy_run, sealed, tmp_path, capsys):
    out = tmp_path / "again"
    plan = str(policy_run.real["dev"])
    assert main(["audit", "--plan", plan, "--out", str(out), "--baseline", str(sealed), "--as-of", "2026-11-29"]) == 0
    document = json.loads((out / "compliance.json").read_text())
    assert document["changes"]["new_failures"] == [] and 'id="changes"' in (out / "compliance.html").read_text()
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert main(["audit", "--plan", plan, "--out", str(out), "--baseline", str(bad)]) == 2
    assert "is not a tap audit compliance.json" in capsys.readouterr().err


def test_a_waiver_expiring_within_30_days_is_a_warning(policy_run, capsys):
    audit = audit_of(policy_run)
    soon = dataclasses.replace(audit.waivers[0], expires=TODAY + dt.timedelta(days=29))
    warned = audit_of(policy_run, waivers=Declared([soon, *audit.waivers[1:]], audit.not_applicable))
    assert len(warned.warnings) == 1 and "within 30 days" in warned.warnings[0]
    assert warned.exit_code == 0 and audit.warnings == []


def test_copy_of_a_plan_holding_a_secret_is_never_written(policy_run, tmp_path):
    audit = dataclasses.replace(audit_of(policy_run), plan_has_secrets=True)
    out = tmp_path / "reports"
    write_all(audit, out)
    assert not (out / bundle.PLAN_COPY).exists()
    assert main(["verify", str(out)]) == 0


@pytest.mark.parametrize(
    ("entry", "what"),
    [
        (lambda path, tmp: path.symlink_to(tmp), "added: evidence (a symbolic link)"),
        (lambda path, tmp: path.symlink_to("/proc/self/mem"), "added: evidence (a symbolic link)"),
        (lambda path, tmp: os.mkfifo(path), "added: evidence (not a regular file)"),
    ],
    ids=["link to a folder", "link to a device", "fifo"],
)
def test_an_entry_that_is_no_regular_file_is_named_and_the_folder_tampered(sealed, tmp_path, capsys, entry, what):
    """Never followed, never read (a FIFO would wait forever, /proc/self/mem fails to read): named."""
    entry(sealed / "evidence", tmp_path)
    assert main(["verify", str(sealed)]) == 1
    out = capsys.readouterr().out
    assert what in out and "TAMPERED" in out


@pytest.mark.parametrize("name", [bundle.MANIFEST, bundle.SIGNATURE])
def test_a_fifo_in_place_of_the_manifest_or_its_signature_is_never_waited_on(sealed, tmp_path, capsys, name):
    _, public = write_keys(tmp_path)
    (sealed / name).unlink(missing_ok=True)
    os.mkfifo(sealed / name)
    code = main(["verify", str(sealed), "--public-key", str(public)])
    said = capsys.readouterr()
    assert (
        (code, name) == (2, bundle.MANIFEST)
        and "is not a regular file" in said.err
        or (code == 1 and f"changed: {bundle.SIGNATURE} (not a signature)" in said.out)
    )
