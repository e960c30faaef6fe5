"""The report folder as sealed evidence: a copy of the audited plan, a manifest of SHA-256 digests
(every file in the folder, and the inputs that judged it), and optionally an Ed25519 signature.

`tap verify` recomputes the digests: any file changed, added or missing is named. The manifest
alone proves nothing against someone who rewrites it too; the signature, checked with a public
key the assessor holds (`--public-key`), does.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from stack.contract import ENGINE_RECORD, below_project
from tap.audit.mapping import MAPPING_FILE
from tap.audit.scan import POLICIES
from tap.errors import UsageError

PLAN_COPY = "audited-plan.tf.json"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
BUNDLE_FILES = (PLAN_COPY, ENGINE_RECORD, MANIFEST, SIGNATURE)
MANIFEST_VERSION = "1"


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def folder_digests(folder: Path) -> dict[str, str]:
    """Every file below `folder` (but the manifest and its signature): relative path -> SHA-256."""
    return {
        path.relative_to(folder).as_posix(): sha256_file(path)
        for path in sorted(Path(folder).rglob("*"))
        if path.is_file() and path.relative_to(folder).as_posix() not in (MANIFEST, SIGNATURE)
    }


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
    key = _load_pem(path, "signing key", serialization.load_pem_private_key, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError(f"the signing key {path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    key = _load_pem(path, "public key", serialization.load_pem_public_key)
    if not isinstance(key, Ed25519PublicKey):
        raise UsageError(f"the public key {path} is not an Ed25519 public key")
    return key


def _load_pem(path: Path, role: str, loader, **options):
    try:
        return loader(Path(path).read_bytes(), **options)
    except OSError as error:
        raise UsageError(f"cannot read the {role} {path}: {error.strerror}") from None
    except (ValueError, TypeError):
        raise UsageError(
            f"the {role} {path} is not a PEM key (an Ed25519 key, PKCS#8 or SubjectPublicKeyInfo)"
        ) from None


def verify(folder: Path, public_key: Ed25519PublicKey | None = None) -> list[str]:
    """What differs from the manifest, one sentence each; empty when the folder is intact."""
    manifest_text = _manifest_text(folder)
    recorded = _recorded_files(manifest_text, folder)
    actual = folder_digests(folder)
    differences = [
        *(f"changed: {name}" for name in sorted(recorded.keys() & actual.keys()) if recorded[name] != actual[name]),
        *(f"missing: {name}" for name in sorted(recorded.keys() - actual.keys())),
        *(f"added: {name}" for name in sorted(actual.keys() - recorded.keys())),
    ]
    if public_key is not None:
        differences += _signature_problems(folder, manifest_text, public_key)
    return differences


def _manifest_text(folder: Path) -> bytes:
    if not Path(folder).is_dir():
        raise UsageError(f"{folder} is not a report folder: pass the folder tap audit wrote")
    try:
        return (Path(folder) / MANIFEST).read_bytes()
    except OSError:
        raise UsageError(
            f"{folder} holds no {MANIFEST}: it was not written by tap audit, so it cannot be verified"
        ) from None


def _recorded_files(text: bytes, folder: Path) -> dict[str, str]:
    try:
        files = json.loads(text)["files"]
    except (ValueError, KeyError, TypeError):
        raise UsageError(f"the {MANIFEST} in {folder} is not a tap audit manifest (no files to check)") from None
    if not isinstance(files, dict) or not all(isinstance(value, str) for value in files.values()):
        raise UsageError(f"the {MANIFEST} in {folder} is not a tap audit manifest (files is not path -> sha256)")
    return files


def _signature_problems(folder: Path, manifest_text: bytes, public_key: Ed25519PublicKey) -> list[str]:
    try:
        signature = bytes.fromhex((Path(folder) / SIGNATURE).read_text().strip())
    except OSError:
        return [f"missing: {SIGNATURE} (the manifest is not signed)"]
    except ValueError:
        return [f"changed: {SIGNATURE} (not a signature)"]
    try:
        public_key.verify(signature, manifest_text)
    except InvalidSignature:
        return [f"changed: {MANIFEST} (its signature does not match the public key)"]
    return []
