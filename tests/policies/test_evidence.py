"""The report folder as evidence: sealed and verifiable, signed, ids that last, who ran it, what changed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import subprocess

import jsonschema
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tap.audit import bundle
from tap.audit.binding import bind
from tap.audit.changes import compare
from tap.audit.command import DEFAULT_WAIVERS, load_waivers
from tap.audit.mapping import Mapping
from tap.audit.provenance import run_context
from tap.audit.reports import SCHEMA_FILE, to_json, write_all
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


def test_verify_of_an_unsigned_folder_establishes_no_integrity_unless_allowed(sealed, capsys):
    """Whoever edits a report can rehash the manifest: a match alone is not evidence."""
    assert main(["verify", str(sealed)]) == 1
    assert "unsigned: integrity not established" in capsys.readouterr().out
    assert main(["verify", str(sealed), "--allow-unsigned"]) == 0
    said = capsys.readouterr().out
    assert "unsigned: integrity not established" in said and "rests on the manifest alone" in said


@pytest.fixture
def signed(policy_run, tmp_path):
    private, public = write_keys(tmp_path)
    out = tmp_path / "signed"
    write_all(audit_of(policy_run), out, sign_key=bundle.load_private_key(private))
    return out, public


def key_fingerprint(public) -> str:
    return bundle.fingerprint(bundle.load_public_key(public))


def test_a_signed_folder_verifies_only_against_a_pinned_key(signed, capsys):
    out, public = signed
    fingerprint = key_fingerprint(public)
    assert main(["verify", str(out)]) == 1
    said = capsys.readouterr().out
    assert "not verified: integrity not established" in said and fingerprint in said
    assert main(["verify", str(out), "--allow-unsigned"]) == 0
    assert main(["verify", str(out), "--public-key", str(public)]) == 0
    assert f"signed by key {fingerprint}" in capsys.readouterr().out
    assert main(["verify", str(out), "--fingerprint", fingerprint]) == 0


def test_the_fingerprint_is_the_sha256_of_the_raw_key_as_openssl_recomputes_it(tmp_path):
    _, public = write_keys(tmp_path)
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-in", str(public), "-outform", "DER"], capture_output=True, check=True
    ).stdout
    assert key_fingerprint(public) == "SHA256:" + hashlib.sha256(der[-32:]).hexdigest()


def test_the_reports_show_the_signing_key_fingerprint(signed):
    out, public = signed
    document = json.loads((out / "compliance.json").read_text())
    jsonschema.validate(document, json.loads(SCHEMA_FILE.read_text()))
    assert document["provenance"]["signing_key"] == key_fingerprint(public)
    assert key_fingerprint(public) in (out / "compliance.html").read_text()
    recorded = json.loads((out / bundle.MANIFEST).read_text())["signing_key"]
    assert recorded["fingerprint"] == key_fingerprint(public)


def test_a_manifest_resigned_by_another_key_names_both_keys(signed, tmp_path, capsys):
    """Any key verifies its own signature: an edited report, resealed with the forger's key, must not pass
    against the key the assessor holds, however it is pinned."""
    out, public = signed
    forger = Ed25519PrivateKey.generate()
    (out / "compliance.html").write_text("all passed")
    bundle.seal(out, {}, {}, forger)
    expected = (
        f"changed: {bundle.MANIFEST} (signed by key {bundle.fingerprint(forger.public_key())}, "
        f"not by the given key {key_fingerprint(public)})"
    )
    for pin in (["--public-key", str(public)], ["--fingerprint", key_fingerprint(public)]):
        assert main(["verify", str(out), *pin]) == 1
        assert expected in capsys.readouterr().out


def test_a_fingerprint_that_is_none_is_bad_input(signed, capsys):
    assert main(["verify", str(signed[0]), "--fingerprint", "SHA256:abc"]) == 2
    assert "is not a key fingerprint" in capsys.readouterr().err


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


def test_signed_manifest_verifies_with_the_public_key_and_a_rewritten_one_does_not(signed, capsys):
    out, public = signed
    assert main(["verify", str(out), "--public-key", str(public)]) == 0
    # Someone edits a report and rewrites the manifest to match: only the signature catches it.
    (out / "compliance.html").write_text("all passed")
    bundle.seal(out, {}, {}, None)
    assert main(["verify", str(out), "--allow-unsigned"]) == 0
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


def test_baseline_sorts_waivers_added_renewed_shortened_expired_and_expiring(policy_run):
    audit = audit_of(policy_run)
    first, second, third, fourth = audit.waivers[:4]
    previous = to_json(audit)
    previous["waivers"] = [w for w in previous["waivers"] if (w["check_id"], w["address"]) != first.key]
    for waiver in previous["waivers"]:  # the baseline let the fourth run longer than it does now
        if (waiver["check_id"], waiver["address"]) == fourth.key:
            waiver["expires"] = "2099-12-31"
    renewed = dataclasses.replace(second, expires=TODAY + dt.timedelta(days=400))
    expiring = dataclasses.replace(third, expires=TODAY + dt.timedelta(days=10))
    current = to_json(dataclasses.replace(audit, waivers=[first, renewed, expiring, fourth]))
    waivers = compare(previous, current, TODAY)["waivers"]
    assert [w["address"] for w in waivers["added"]] == [first.address]
    assert [w["address"] for w in waivers["renewed"]] == [second.address]
    assert [w["address"] for w in waivers["expiring"]] == [third.address]
    # The expiring one now ends sooner than it did: shortened too.
    assert [w["address"] for w in waivers["shortened"]] == [third.address, fourth.address]
    assert len(waivers["removed"]) == len(audit.waivers) - 4


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
    assert main(["verify", str(out), "--allow-unsigned"]) == 0


@pytest.mark.parametrize(
    ("entry", "what"),
    [
        (lambda path, tmp: path.symlink_to(tmp), "added: evidence (a symbolic link)"),
        (lambda path, tmp: path.symlink_to("/proc/self/mem"), "added: evidence (a symbolic link)"),
        (lambda path, tmp: os.mkfifo(path), "added: evidence (not a regular file)"),
        (lambda path, tmp: path.mkdir(), "added: evidence (a directory)"),
        (lambda path, tmp: (path / "deeper").mkdir(parents=True), "added: evidence/deeper (a directory)"),
        (lambda path, tmp: path.symlink_to("."), "added: evidence (a symbolic link)"),
    ],
    ids=["link to a folder", "link to a device", "fifo", "empty folder", "nested folders", "link to itself"],
)
def test_an_entry_that_is_no_regular_file_is_named_and_the_folder_tampered(sealed, tmp_path, capsys, entry, what):
    """Never followed, never read (a FIFO would wait forever, /proc/self/mem fails to read): named."""
    entry(sealed / "evidence", tmp_path)
    assert main(["verify", str(sealed), "--allow-unsigned"]) == 1
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


def _audit_with_baseline(policy_run, out, baseline, *options):
    plan = str(policy_run.real["dev"])
    return main(["audit", "--plan", plan, "--out", str(out), "--baseline", str(baseline), *options])


def extend_every_waiver(folder):
    report = json.loads((folder / "compliance.json").read_text())
    for waiver in report["waivers"]:
        waiver["expires"] = "2099-12-31"
    (folder / "compliance.json").write_text(json.dumps(report))


def test_a_baseline_that_does_not_verify_is_refused(policy_run, sealed, tmp_path, capsys):
    extend_every_waiver(sealed)
    assert _audit_with_baseline(policy_run, tmp_path / "out", sealed) == 2
    err = capsys.readouterr().err
    assert "is not a sealed report that verifies (changed: compliance.json)" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_rehashed_forged_baseline_shows_every_waiver_it_extended_as_shortened(policy_run, sealed, tmp_path):
    """Unsigned, a rehashed manifest verifies: what the forgery gains is shown, never hidden as renewals."""
    extend_every_waiver(sealed)
    bundle.seal(sealed, {}, {}, None)
    out = tmp_path / "out"
    assert _audit_with_baseline(policy_run, out, sealed) == 0
    document = json.loads((out / "compliance.json").read_text())
    assert len(document["changes"]["waivers"]["shortened"]) == len(document["waivers"]) > 0
    assert "Waivers shortened" in (out / "compliance.html").read_text()
    jsonschema.validate(document, json.loads(SCHEMA_FILE.read_text()))


def test_a_baseline_of_another_environment_is_refused(policy_run, tmp_path, capsys):
    prod = tmp_path / "prod"
    write_all(audit_of(policy_run, "prod"), prod)
    assert _audit_with_baseline(policy_run, tmp_path / "out", prod) == 2
    assert capsys.readouterr().err == (
        f"tap: the baseline {prod} is a report of TapStackprod (environment prod), not of TapStackdev "
        "(environment dev): pass a previous report of the same deployment\n"
    )


def test_a_bare_compliance_json_is_a_baseline_only_in_the_folder_that_seals_it(policy_run, sealed, tmp_path, capsys):
    loose = tmp_path / "loose" / "compliance.json"
    loose.parent.mkdir()
    loose.write_bytes((sealed / "compliance.json").read_bytes())
    assert _audit_with_baseline(policy_run, tmp_path / "out", loose) == 2
    assert f"holds no {bundle.MANIFEST}" in capsys.readouterr().err
    renamed = tmp_path / "loose" / "previous.json"
    loose.rename(renamed)
    assert _audit_with_baseline(policy_run, tmp_path / "out", renamed) == 2
    assert "is not a report's compliance.json" in capsys.readouterr().err
    assert _audit_with_baseline(policy_run, tmp_path / "out", sealed / "compliance.json") == 0


def test_a_signed_audit_takes_only_a_baseline_signed_by_the_same_key(policy_run, sealed, signed, tmp_path, capsys):
    out, public = signed
    key = tmp_path / "sign.pem"  # the key that signed `signed`
    assert _audit_with_baseline(policy_run, tmp_path / "a", sealed, "--sign-key", str(key)) == 2
    assert f"missing: {bundle.SIGNATURE} (the manifest is not signed)" in capsys.readouterr().err
    other = tmp_path / "other"
    other.mkdir()
    other_key, _ = write_keys(other)
    assert _audit_with_baseline(policy_run, tmp_path / "b", out, "--sign-key", str(other_key)) == 2
    assert f"signed by key {key_fingerprint(public)}, not by the given key" in capsys.readouterr().err
    assert _audit_with_baseline(policy_run, tmp_path / "c", out, "--sign-key", str(key)) == 0
    assert main(["verify", str(tmp_path / "c"), "--public-key", str(public)]) == 0


def test_an_audit_as_of_another_day_is_an_unsealed_preview_in_every_report(policy_run, tmp_path, capsys):
    out = tmp_path / "preview"
    last_month = TODAY - dt.timedelta(days=30)
    assert main(["audit", "--plan", str(policy_run.real["dev"]), "--out", str(out), "--as-of", str(last_month)]) == 0
    assert f"PREVIEW: a preview as of {last_month}, not evidence" in capsys.readouterr().out
    assert not (out / bundle.MANIFEST).exists() and not (out / bundle.SIGNATURE).exists()
    document = json.loads((out / "compliance.json").read_text())
    jsonschema.validate(document, json.loads(SCHEMA_FILE.read_text()))
    assert document["sealing"] == "preview" and document["provenance"]["waivers_as_of"] == str(last_month)
    said = f"preview as of {last_month}"
    assert f"PREVIEW as of {last_month}" in (out / "compliance.html").read_text()
    assert said in (out / "compliance.junit.xml").read_text()
    assert said in json.loads((out / "compliance.sarif").read_text())["runs"][0]["properties"]["sealing"]
    assert main(["verify", str(out), "--allow-unsigned"]) == 1
    assert f"a preview as of {last_month}, not evidence" in capsys.readouterr().out


def test_an_audit_as_of_a_later_day_is_a_preview_too(policy_run, tmp_path):
    out = tmp_path / "forecast"
    write_all(audit_of(policy_run, as_of=TODAY + dt.timedelta(days=90)), out)
    assert json.loads((out / "compliance.json").read_text())["sealing"] == "preview"
    assert not (out / bundle.MANIFEST).exists()


def test_a_preview_is_never_signed(policy_run, tmp_path, capsys):
    key, _ = write_keys(tmp_path)
    arguments = ["audit", "--plan", str(policy_run.real["dev"]), "--out", str(tmp_path / "r"), "--sign-key", str(key)]
    assert main([*arguments, "--as-of", str(TODAY - dt.timedelta(days=1))]) == 2
    assert "makes a preview" in capsys.readouterr().err and not (tmp_path / "r").exists()
    with pytest.raises(UsageError, match="is never signed"):
        write_all(
            audit_of(policy_run, as_of=TODAY - dt.timedelta(days=1)),
            tmp_path / "r",
            sign_key=bundle.load_private_key(key),
        )
    assert not (tmp_path / "r").exists()
