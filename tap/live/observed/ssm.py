"""Session Manager's preferences document and the hosts' patch association, as Systems Manager shows them."""

from __future__ import annotations

from tap.live.observed.table import Kind, Observer, at, unless_missing
from tap.plan import Resource


def _document(observer: Observer, resource: Resource) -> dict | None:
    name, ssm = observer.value(resource, "name"), observer.client("ssm")
    return unless_missing(lambda: ssm.get_document(Name=name), "InvalidDocument")


def _association(observer: Observer, resource: Resource) -> dict | None:
    """The association by its planned name (the only name it has; its id is drawn by SSM)."""
    ssm = observer.client("ssm")
    name = observer.value(resource, "association_name")
    pages = ssm.get_paginator("list_associations").paginate(
        AssociationFilterList=[{"key": "AssociationName", "value": name}]
    )
    found = [a for page in pages for a in page["Associations"] if a.get("AssociationName") == name]
    if not found:
        return None
    described = ssm.describe_association(AssociationId=found[0]["AssociationId"])["AssociationDescription"]
    arn = f"arn:aws:ssm:{observer.region}:{observer.account}:association/{described['AssociationId']}"
    return {**described, "Arn": arn}


def _targets(targets: list[dict]) -> list[dict]:
    return [{"key": target["Key"], "values": target["Values"]} for target in targets]


def _parameters(parameters: dict[str, list[str]]) -> dict[str, str]:
    """SSM's parameter lists as Terraform's map of strings (a list joined by commas, as the provider does)."""
    return {name: ",".join(values) for name, values in parameters.items()}


NAME = at("Name")
NO_FORMAT = "moto 5.2 answers GetDocument in JSON whatever format the document was written in"

KINDS = {
    "aws_ssm_document": Kind(
        describe=_document,
        attributes={
            "name": NAME,
            "content": at("Content"),
            "document_format": at("DocumentFormat"),
            "document_type": at("DocumentType"),
        },
        beyond_emulator={"document_format": NO_FORMAT},
        exports={"name": NAME, "id": NAME},
        fixed=frozenset({"name", "document_type"}),
    ),
    "aws_ssm_association": Kind(
        describe=_association,
        attributes={
            "association_name": at("AssociationName"),
            "name": NAME,
            "compliance_severity": at("ComplianceSeverity"),
            "max_concurrency": at("MaxConcurrency"),
            "max_errors": at("MaxErrors"),
            "parameters": at("Parameters", _parameters),
            "schedule_expression": at("ScheduleExpression"),
            "targets": at("Targets", _targets),
        },
        exports={"arn": at("Arn"), "association_id": at("AssociationId"), "id": at("AssociationId")},
    ),
}
