"""The report folder as sealed evidence: a copy of the audited plan, a manifest of SHA-256 digests
(every file in the folder, and the inputs that judged it), and optionally an Ed25519 signature.

`tap verify` recomputes the digests: any file changed, added or missing is named, and anything in the
folder that is no regular file the manifest records (a folder, a link, a FIFO). The manifest alone
proves nothing against someone who rewrites it too; the signature does, once it is pinned to a key
the assessor holds (`--public-key`, or its fingerprint): the manifest records the signing key, and
any key verifies its own signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from stack.contract import ENGINE_RECORD, below_project
from tap import documents
from tap.audit.mapping import MAPPING_FILE
from tap.audit.scan import POLICIES
from tap.documents import Kind, MiB
from tap.errors import UsageError

PLAN_COPY = "audited-plan.tf.json"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
BUNDLE_FILES = (PLAN_COPY, ENGINE_RECORD, MANIFEST, SIGNATURE)
MANIFEST_VERSION = "1"
MANIFEST_KIND = Kind(
    f"the {MANIFEST}", "json", "manifest", max_bytes=16 * MiB, remedy=": it was not written by tap audit"
)
# An Ed25519 signature is 64 bytes (128 hex digits); a PEM key well under a kilobyte.
SIGNATURE_KIND = Kind(f"the {SIGNATURE}", "bytes", max_bytes=1024)
SIGNING_KEY = Kind("the signing key", "bytes", max_bytes=16 * 1024, remedy=": pass an Ed25519 private key (PEM)")
PUBLIC_KEY = Kind("the public key", "bytes", max_bytes=16 * 1024, remedy=": pass an Ed25519 public key (PEM)")
PASSPHRASE_VARIABLE = "TAP_SIGN_KEY_PASSPHRASE"
HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
DIRECTORY = "a directory"  # what a folder is, where a file's digest would be
# SHA256: and the hex SHA-256 of the raw 32-byte public key, which openssl alone recomputes from the PEM:
# openssl pkey -pubin -in public.pem -outform DER | tail -c 32 | sha256sum
FINGERPRINT = re.compile(r"SHA256:[0-9a-f]{64}")


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def folder_digests(folder: Path, *, folders: bool = False) -> dict[str, str]:
    """Every entry below `folder` (but the manifest and its signature): relative path -> its SHA-256, or,
    for what is no regular file (a link, a FIFO, a device), what it is: never followed, never read, and
    never the digest the manifest records, so `tap verify` names it. Folders are listed too (as
    "a directory") when `folders` is set."""
    digests = {}
    for path in sorted(Path(folder).rglob("*")):
        name = path.relative_to(folder).as_posix()
        if name in (MANIFEST, SIGNATURE):
            continue
        if path.is_dir() and not path.is_symlink():
            if folders:
                digests[name] = DIRECTORY
            continue
        digests[name] = _entry_digest(path)
    return digests


def _entry_digest(path: Path) -> str:
    if path.is_symlink():
        return "a symbolic link"
    try:
        # Not followed (O_NOFOLLOW), and a FIFO is not waited on (O_NONBLOCK): checked before it is read.
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW), "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return "not a regular file"
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError as error:
        return f"unreadable ({error.strerror})"


def input_digests(waivers_file: Path | None, shown_waivers: Path | None = None) -> dict[str, Any]:
    """What judged the plan: the policies (the mapping among them) and the waivers file (read from
    `waivers_file`, named as `shown_waivers` when that is a private copy of it)."""
    policies = {
        name: digest for name, digest in folder_digests(POLICIES).items() if "__pycache__" not in name.split("/")
    }
    return {
        "policies": policies,
        "mapping": {_shown_path(MAPPING_FILE): sha256_file(MAPPING_FILE)},
        "waivers": {_shown_path(shown_waivers or waivers_file): sha256_file(waivers_file)} if waivers_file else {},
    }


def _shown_path(path: Path) -> str:
    relative = below_project(path)
    return relative.as_posix() if relative else str(Path(path).resolve())


def seal(folder: Path, inputs: dict[str, Any], tools: dict[str, Any], key: Ed25519PrivateKey | None) -> None:
    """Write the manifest of `folder` (and its signature when a key is given, naming that key)."""
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "files": folder_digests(folder),
        "inputs": inputs,
        "tools": tools,
        "signed": key is not None,
        "signing_key": signing_key_record(key.public_key()) if key is not None else None,
    }
    text = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    (folder / MANIFEST).write_bytes(text)
    if key is not None:
        (folder / SIGNATURE).write_bytes(key.sign(text).hex().encode() + b"\n")


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """SHA256: and the hex SHA-256 of the key's raw 32 bytes (the last 32 bytes of its DER encoding)."""
    return "SHA256:" + hashlib.sha256(_raw(public_key)).hexdigest()


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def signing_key_record(public_key: Ed25519PublicKey) -> dict[str, str]:
    encoded = base64.b64encode(_raw(public_key)).decode()
    return {"algorithm": "ed25519", "public_key": encoded, "fingerprint": fingerprint(public_key)}


def check_fingerprint(text: str) -> str:
    if not FINGERPRINT.fullmatch(text):
        raise UsageError(f"{text!r} is not a key fingerprint: pass it as tap verify prints it (SHA256:<64 hex digits>)")
    return text


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The signing key; an encrypted one is opened with the passphrase in $TAP_SIGN_KEY_PASSPHRASE."""
    data = documents.read_bytes(path, SIGNING_KEY)
    passphrase = os.environ.get(PASSPHRASE_VARIABLE)
    try:
        key = serialization.load_pem_private_key(data, password=passphrase.encode() if passphrase else None)
    except TypeError:  # encrypted without a passphrase given, or a passphrase for a key that has none
        state = "is encrypted: give its passphrase in" if not passphrase else "is not encrypted: unset"
        raise UsageError(f"the signing key {path} {state} ${PASSPHRASE_VARIABLE}") from None
    except ValueError:
        if passphrase and b"ENCRYPTED" in data:
            raise UsageError(f"the passphrase in ${PASSPHRASE_VARIABLE} does not open the signing key {path}") from None
        raise UsageError(f"the signing key {path} is not a PEM private key (an Ed25519 key in PKCS#8)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError(f"the signing key {path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(documents.read_bytes(path, PUBLIC_KEY))
    except ValueError:
        raise UsageError(f"the public key {path} is not a PEM public key (Ed25519, SubjectPublicKeyInfo)") from None
    if not isinstance(key, Ed25519PublicKey):
        raise UsageError(f"the public key {path} is not an Ed25519 public key")
    return key


@dataclass(frozen=True)
class Verification:
    """What `tap verify` found: every difference from the manifest, the key the manifest names as its
    signer, and whether that signature was verified against a key the caller pinned."""

    differences: list[str]
    files: dict[str, str]  # what the manifest records: relative path -> SHA-256
    signer: str | None  # the fingerprint of the key verified, else of the key the manifest names (if any)
    verified: bool  # the signature checks out with the pinned key (--public-key or --fingerprint)

    @property
    def intact(self) -> bool:
        return not self.differences


def verify(folder: Path, public_key: Ed25519PublicKey | None = None, pinned: str | None = None) -> Verification:
    """The folder against its manifest, and the manifest's signature against `public_key`, or against the
    key it names if that key's fingerprint is `pinned`. Neither given: the signature is not verified."""
    manifest_text = _manifest_text(folder)
    manifest = documents.parse(manifest_text, MANIFEST_KIND, Path(folder) / MANIFEST)
    recorded = manifest["files"]
    actual = folder_digests(folder, folders=True)
    # A folder is expected only where a recorded file lies below it; any other is something added.
    expected_folders = {parent.as_posix() for name in recorded for parent in Path(name).parents} - {"."}
    actual = {name: digest for name, digest in actual.items() if name not in expected_folders or digest != DIRECTORY}
    changed = [name for name in sorted(recorded.keys() & actual.keys()) if recorded[name] != actual[name]]
    differences = [
        *(f"changed: {name}{_what_it_is(actual[name])}" for name in changed),
        *(f"missing: {name}" for name in sorted(recorded.keys() - actual.keys())),
        *(f"added: {name}{_what_it_is(actual[name])}" for name in sorted(actual.keys() - recorded.keys())),
    ]
    signer = _recorded_key(manifest, folder)
    expected = fingerprint(public_key) if public_key is not None else pinned
    problems = _signature_problems(folder, manifest_text, signer, public_key, expected) if expected else []
    verified = expected is not None and not problems
    named = fingerprint(signer) if signer is not None else None
    return Verification(differences + problems, recorded, expected if verified else named, verified)


def _recorded_key(manifest: dict[str, Any], folder: Path) -> Ed25519PublicKey | None:
    record = manifest.get("signing_key")
    if not record:
        return None
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(record["public_key"], validate=True))
    except ValueError:  # not base64, or not 32 bytes
        raise UsageError(f"the {MANIFEST} in {folder} names a signing key that is not an Ed25519 key") from None


def _what_it_is(digest: str) -> str:
    """Nothing for a file's digest; for an entry that is no regular file, what it is."""
    return "" if HEX_DIGEST.fullmatch(digest) else f" ({digest})"


def _manifest_text(folder: Path) -> bytes:
    if not Path(folder).is_dir():
        raise UsageError(f"{folder} is not a report folder: pass the folder tap audit wrote")
    if not (Path(folder) / MANIFEST).exists():
        raise UsageError(f"{folder} holds no {MANIFEST}: it was not written by tap audit, so it cannot be verified")
    return documents.read_bytes(Path(folder) / MANIFEST, MANIFEST_KIND)


def _signature_problems(
    folder: Path,
    manifest_text: bytes,
    signer: Ed25519PublicKey | None,
    public_key: Ed25519PublicKey | None,
    expected: str,
) -> list[str]:
    """Why the manifest is not signed by the key whose fingerprint is `expected`: the given public key, or
    else the manifest's own record of its key, which must hash to that fingerprint."""
    if signer is not None and fingerprint(signer) != expected:
        return [f"changed: {MANIFEST} (signed by key {fingerprint(signer)}, not by the given key {expected})"]
    if not (Path(folder) / SIGNATURE).exists():
        return [f"missing: {SIGNATURE} (the manifest is not signed)"]
    if public_key is None and signer is None:
        return [f"changed: {MANIFEST} (it names no signing key, so none matches {expected})"]
    try:
        signature = bytes.fromhex(documents.read_bytes(Path(folder) / SIGNATURE, SIGNATURE_KIND).decode().strip())
    except (UsageError, ValueError):  # too large, not a file, not hex: no signature of ours
        return [f"changed: {SIGNATURE} (not a signature)"]
    try:
        (public_key or signer).verify(signature, manifest_text)
    except InvalidSignature:
        return [f"changed: {MANIFEST} (its signature does not match the key {expected})"]
    return []
