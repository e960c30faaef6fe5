"""Systems Manager mutants: Session Manager's preferences document (how sessions are encrypted and logged)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tap.mutate.operators import Case, Scope

DOCUMENT = "aws_ssm_document"
# Sessions no longer streamed to CloudWatch Logs nor encrypted there: what a session did leaves no trace.
UNLOGGED = {"cloudWatchStreamingEnabled": False, "cloudWatchEncryptionEnabled": False}


def documents(scope: Scope) -> Iterator[Case]:
    ssm = scope.aws("ssm")
    owned = ssm.list_documents(Filters=[{"Key": "Owner", "Values": ["Self"]}])["DocumentIdentifiers"]
    for name in sorted(document["Name"] for document in owned):
        label = scope.label(name)
        document = ssm.get_document(Name=name)
        content = json.loads(document["Content"])
        unlogged = {**content, "inputs": {**content.get("inputs", {}), **UNLOGGED}}
        yield scope.case(
            label,
            "drop",
            "content.inputs",
            "session logging",
            "logging and retention",
            _published(name, json.dumps(unlogged), document["DocumentFormat"]),
            observes=(DOCUMENT, "content"),
        )
        yield scope.case(label, "delete", "", "", "logging and retention", _deleted(name), observes=(DOCUMENT, ""))


def _published(name: str, content: str, format_: str):
    """A new version of the document, made its default: what every new session then reads."""

    def apply(aws: Any) -> None:
        ssm = aws("ssm")
        updated = ssm.update_document(Name=name, Content=content, DocumentFormat=format_, DocumentVersion="$LATEST")
        version = updated["DocumentDescription"]["DocumentVersion"]
        ssm.update_document_default_version(Name=name, DocumentVersion=version)

    return apply


def _deleted(name: str):
    def apply(aws: Any) -> None:
        aws("ssm").delete_document(Name=name)

    return apply


GENERATORS = (documents,)
