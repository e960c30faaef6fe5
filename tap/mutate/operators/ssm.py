"""Systems Manager mutants: Session Manager's preferences document (how sessions are encrypted and logged) and the
hosts' patch association (what State Manager installs, where, when, how carefully)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tap.mutate.operators import Case, Scope, call

DOCUMENT = "aws_ssm_document"
ASSOCIATION = "aws_ssm_association"
# An association's settings changed one at a time: (operator, Terraform attribute, detail, the changed fields).
ASSOCIATION_CHANGES = (
    ("larger", "max_errors", "-> 100%: patching goes on after failures", lambda a: {"MaxErrors": "100%"}),
    ("larger", "max_concurrency", "-> 100%: every host patched at once", lambda a: {"MaxConcurrency": "100%"}),
    ("swap", "schedule_expression", "-> once a year", lambda a: {"ScheduleExpression": "cron(0 9 ? 1 TUE#1 *)"}),
    ("smaller", "compliance_severity", "-> LOW", lambda a: {"ComplianceSeverity": "LOW"}),
    ("swap", "parameters", "Operation -> Scan", lambda a: {"Parameters": {**a["Parameters"], "Operation": ["Scan"]}}),
    (
        "swap",
        "parameters",
        "RebootOption -> NoReboot",
        lambda a: {"Parameters": {**a["Parameters"], "RebootOption": ["NoReboot"]}},
    ),
    (
        "swap",
        "targets",
        "-> hosts nobody runs",
        lambda a: {"Targets": [{**target, "Values": ["mutant-elsewhere"]} for target in a["Targets"]]},
    ),
    # With the parameters that document takes (AWS refuses the patch document's): a script that patches nothing.
    (
        "swap",
        "name",
        "-> AWS-RunShellScript",
        lambda a: {"Name": "AWS-RunShellScript", "Parameters": {"commands": ["exit 0"]}},
    ),
    ("swap", "association_name", "renamed", lambda a: {"AssociationName": f"{a['AssociationName']}-mutant"}),
)
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


def associations(scope: Scope) -> Iterator[Case]:
    ssm = scope.aws("ssm")
    listed = [a for page in ssm.get_paginator("list_associations").paginate() for a in page["Associations"]]
    for found in sorted(listed, key=_named):
        association = ssm.describe_association(AssociationId=found["AssociationId"])["AssociationDescription"]
        label = scope.label(_named(association))
        for operator, attribute, detail, change in ASSOCIATION_CHANGES:
            yield scope.case(
                label,
                operator,
                attribute,
                detail,
                "other",
                _updated(association, change(association)),
                observes=(ASSOCIATION, attribute),
            )
        yield scope.case(
            label,
            "delete",
            "",
            "",
            "other",
            call("ssm", "delete_association", AssociationId=found["AssociationId"]),
            observes=(ASSOCIATION, ""),
        )


def _named(association: dict[str, Any]) -> str:
    """An association by its name, or by its document where it has none: never by its random id."""
    return association.get("AssociationName", association["Name"])


def _updated(association: dict[str, Any], changes: dict[str, Any]):
    """The association updated with `changes` and everything else it holds: UpdateAssociation nulls every optional
    field it is not given, so an update that names only the change would drift the rest as well."""

    def apply(aws: Any) -> None:
        ssm = aws("ssm")
        accepted = ssm.meta.service_model.operation_model("UpdateAssociation").input_shape.members
        kept = {field: value for field, value in association.items() if field in accepted}
        ssm.update_association(**{**kept, "AssociationVersion": "$LATEST", **changes})

    return apply


GENERATORS = (documents, associations)
