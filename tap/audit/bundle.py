"""The report folder as sealed evidence: a copy of the audited plan, a manifest of SHA-256 digests
(every file in the folder, and the inputs that judged it), and optionally an Ed25519 signature.

`tap verify` recomputes the digests: any file changed, added or missing is named. The manifest
alone proves nothing against someone who rewrites it too; the signature, checked with a public
key the assessor holds (`--public-key`), does.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
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


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def folder_digests(folder: Path) -> dict[str, str]:
    """Every entry below `folder` (but the manifest and its signature): relative path -> its SHA-256, or,
    for what is no regular file (a link, a FIFO, a device), what it is: never followed, never read, and
    never the digest the manifest records, so `tap verify` names it."""
    digests = {}
    for path in sorted(Path(folder).rglob("*")):
        name = path.relative_to(folder).as_posix()
        if name in (MANIFEST, SIGNATURE) or (path.is_dir() and not path.is_symlink()):
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
    """Write the manifest of `folder` (and its signature when a key is given)."""
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "files": folder_digests(folder),
        "inputs": inputs,
        "tools": tools,
        "signed": key is not None,
    }
    text = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    (folder / MANIFEST).write_bytes(text)
    if key is not None:
        (folder / SIGNATURE).write_bytes(key.sign(text).hex().encode() + b"\n")


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


def verify(folder: Path, public_key: Ed25519PublicKey | None = None) -> list[str]:
    """What differs from the manifest, one sentence each; empty when the folder is intact."""
    manifest_text = _manifest_text(folder)
    recorded = _recorded_files(manifest_text, folder)
    actual = folder_digests(folder)
    changed = [name for name in sorted(recorded.keys() & actual.keys()) if recorded[name] != actual[name]]
    differences = [
        *(f"changed: {name}{_what_it_is(actual[name])}" for name in changed),
        *(f"missing: {name}" for name in sorted(recorded.keys() - actual.keys())),
        *(f"added: {name}{_what_it_is(actual[name])}" for name in sorted(actual.keys() - recorded.keys())),
    ]
    if public_key is not None:
        differences += _signature_problems(folder, manifest_text, public_key)
    return differences


def _what_it_is(digest: str) -> str:
    """Nothing for a file's digest; for an entry that is no regular file, what it is."""
    return "" if HEX_DIGEST.fullmatch(digest) else f" ({digest})"


def _manifest_text(folder: Path) -> bytes:
    if not Path(folder).is_dir():
        raise UsageError(f"{folder} is not a report folder: pass the folder tap audit wrote")
    if not (Path(folder) / MANIFEST).exists():
        raise UsageError(f"{folder} holds no {MANIFEST}: it was not written by tap audit, so it cannot be verified")
    return documents.read_bytes(Path(folder) / MANIFEST, MANIFEST_KIND)


def _recorded_files(text: bytes, folder: Path) -> dict[str, str]:
    return documents.parse(text, MANIFEST_KIND, Path(folder) / MANIFEST)["files"]


def _signature_problems(folder: Path, manifest_text: bytes, public_key: Ed25519PublicKey) -> list[str]:
    if not (Path(folder) / SIGNATURE).exists():
        return [f"missing: {SIGNATURE} (the manifest is not signed)"]
    try:
        signature = bytes.fromhex(documents.read_bytes(Path(folder) / SIGNATURE, SIGNATURE_KIND).decode().strip())
    except (UsageError, ValueError):  # too large, not a file, not hex: no signature of ours
        return [f"changed: {SIGNATURE} (not a signature)"]
    try:
        public_key.verify(signature, manifest_text)
    except InvalidSignature:
        return [f"changed: {MANIFEST} (its signature does not match the public key)"]
    return []
