"""Fixes to moto 5.2.5's Systems Manager: `ssm-associations`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tap.live.moto_fixes import fix

# AWS's own documents an association may name, which moto does not carry: any other name must be a document
# of the account (moto's InvalidDocument otherwise), so a misspelt AWS document is refused as AWS refuses it.
AWS_DOCUMENTS = frozenset(
    {
        "AWS-RunPatchBaseline",
        "AWS-RunPatchBaselineAssociation",
        "AWS-RunShellScript",
        "AWS-UpdateSSMAgent",
        "AWS-GatherSoftwareInventory",
    }
)
# What identifies an association: an update keeps them; every other optional field it is not given, AWS nulls.
ASSOCIATION_IDENTITY = ("AssociationId", "Name", "InstanceId", "Date")
# ListAssociations' filter keys -> the values of an association each one matches. Nothing runs in the emulator:
# no association has executed, so the execution date filters match none.
ASSOCIATION_FILTERS: dict[str, Callable[[dict], list]] = {
    "AssociationId": lambda association: [association["AssociationId"]],
    "AssociationName": lambda association: [association.get("AssociationName")],
    "Name": lambda association: [association["Name"]],
    "InstanceId": lambda association: targeted(association, "InstanceIds"),
    "ResourceGroupName": lambda association: targeted(association, "resource-groups:Name"),
    "AssociationStatusName": lambda association: [association["Overview"]["Status"]],
    "LastExecutedBefore": lambda association: [],
    "LastExecutedAfter": lambda association: [],
}


def targeted(association: dict, key: str) -> list[str]:
    """What an association targets by `key` (an instance given as InstanceId counts as targeted by id)."""
    given = [association["InstanceId"]] if key == "InstanceIds" and association.get("InstanceId") else []
    return given + [
        value for target in association.get("Targets", []) if target["Key"] == key for value in target["Values"]
    ]


@fix(
    "ssm-associations",
    "ssm: CreateAssociation, DescribeAssociation, UpdateAssociation, DeleteAssociation and ListAssociations are "
    "not implemented (HTTP 500), and tags on an association (ResourceType Association) answer InvalidResourceType; "
    "AWS keeps State Manager associations by id, each update a new AssociationVersion that nulls the optional "
    "fields it is not given, answers AssociationDoesNotExist for an unknown one and InvalidDocument for an unknown "
    "document (moto has none of AWS's own documents, such as AWS-RunPatchBaseline).",
)
def _ssm_keeps_associations() -> None:
    from uuid import uuid4

    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import get_service_model, utcnow
    from moto.ssm.exceptions import InvalidResourceId, SSMException, ValidationException
    from moto.ssm.models import SimpleSystemManagerBackend
    from moto.ssm.responses import SimpleSystemManagerResponse

    model = get_service_model("ssm")
    described = set(model.shape_for("AssociationDescription").members)
    listed = set(model.shape_for("Association").members)

    def given_fields(response: Any, operation: str) -> dict[str, Any]:
        """The request's fields an association description holds (Tags, AssociationVersion... are not its own)."""
        fields = set(model.operation_model(operation).input_shape.members) & described - {"AssociationVersion"}
        return {field: value for field in fields if (value := response._get_param(field)) is not None}

    def associations(backend: Any) -> dict[str, list[dict]]:
        """Each association's versions, oldest first, by id."""
        if not hasattr(backend, "state_manager_associations"):
            backend.state_manager_associations = {}
        return backend.state_manager_associations

    def check_document(backend: Any, name: str) -> None:
        if name not in AWS_DOCUMENTS:
            backend._get_documents(name)  # moto's InvalidDocument for a document it does not have

    def version(fields: dict[str, Any], number: int, now: Any) -> dict[str, Any]:
        return {
            "DocumentVersion": "$DEFAULT",
            "ApplyOnlyAtCronInterval": False,
            **fields,
            "AssociationVersion": str(number),
            "LastUpdateAssociationDate": now,
            "Overview": {"Status": "Pending", "DetailedStatus": "Creating", "AssociationStatusAggregatedCount": {}},
        }

    def named(response: Any) -> list[dict]:
        """The versions of the association the request names: by id, or by document and instance."""
        kept = associations(response.ssm_backend)
        identifier = response._get_param("AssociationId")
        name, instance = response._get_param("Name"), response._get_param("InstanceId")
        if identifier:
            found = kept.get(identifier)
        else:
            found = next(
                (
                    versions
                    for versions in kept.values()
                    if versions[-1]["Name"] == name and instance in targeted(versions[-1], "InstanceIds")
                ),
                None,
            )
        if not found:
            raise SSMException("AssociationDoesNotExist", "The specified association does not exist.")
        return found

    def at_version(versions: list[dict], asked: str | None) -> dict:
        if asked in (None, "$LATEST"):
            return versions[-1]
        for kept in versions:
            if kept["AssociationVersion"] == asked:
                return kept
        raise SSMException("InvalidAssociationVersion", f"The association version {asked} is not valid.")

    def create_association(self: Any) -> ActionResult:
        fields = given_fields(self, "CreateAssociation")
        check_document(self.ssm_backend, fields["Name"])
        kept = associations(self.ssm_backend)
        instance = fields.get("InstanceId")
        if instance and any(
            v[-1]["Name"] == fields["Name"] and v[-1].get("InstanceId") == instance for v in kept.values()
        ):
            raise SSMException("AssociationAlreadyExists", "The specified association already exists.")
        now, identifier = utcnow(), str(uuid4())
        kept[identifier] = [version({**fields, "AssociationId": identifier, "Date": now}, 1, now)]
        tags = {tag["Key"]: tag["Value"] for tag in self._get_param("Tags") or []}
        if tags:
            self.ssm_backend.add_tags_to_resource("Association", identifier, tags)
        return ActionResult({"AssociationDescription": kept[identifier][-1]})

    def describe_association(self: Any) -> ActionResult:
        chosen = at_version(named(self), self._get_param("AssociationVersion"))
        return ActionResult({"AssociationDescription": chosen})

    def update_association(self: Any) -> ActionResult:
        versions = named(self)
        latest = at_version(versions, self._get_param("AssociationVersion"))
        if latest is not versions[-1]:
            raise SSMException("InvalidAssociationVersion", "The association version is not the latest.")
        fields = given_fields(self, "UpdateAssociation")
        if "Name" in fields:
            check_document(self.ssm_backend, fields["Name"])
        kept = {field: latest[field] for field in ASSOCIATION_IDENTITY if field in latest}
        versions.append(version({**kept, **fields}, len(versions) + 1, utcnow()))
        return ActionResult({"AssociationDescription": versions[-1]})

    def delete_association(self: Any) -> ActionResult:
        identifier = named(self)[-1]["AssociationId"]
        associations(self.ssm_backend).pop(identifier)
        self.ssm_backend._resource_tags["Association"].pop(identifier, None)
        return EmptyResult()

    def list_associations(self: Any) -> ActionResult:
        filters = self._get_param("AssociationFilterList") or []
        unknown = sorted({item["key"] for item in filters} - set(ASSOCIATION_FILTERS))
        if unknown:
            raise ValidationException(f"Unsupported association filter key: {unknown[0]}")
        found = [
            {field: value for field, value in versions[-1].items() if field in listed}
            for versions in associations(self.ssm_backend).values()
            if all(item["value"] in ASSOCIATION_FILTERS[item["key"]](versions[-1]) for item in filters)
        ]
        start, size = self._get_param("NextToken") or "0", self._get_param("MaxResults") or 50
        if not start.isdigit():
            raise SSMException("InvalidNextToken", "The specified token is not valid.")
        end = int(start) + size
        return ActionResult(
            {"Associations": found[int(start) : end], **({"NextToken": str(end)} if end < len(found) else {})}
        )

    validate = SimpleSystemManagerBackend._validate_resource_type_and_id

    def validate_association_too(backend: Any, resource_type: str, resource_id: str) -> str:
        """Tags on an association, by its id, as on the other types SSM tags."""
        if resource_type != "Association":
            return validate(backend, resource_type, resource_id)
        if resource_id not in associations(backend):
            raise InvalidResourceId()
        return resource_id

    SimpleSystemManagerBackend._validate_resource_type_and_id = validate_association_too
    SimpleSystemManagerResponse.create_association = create_association
    SimpleSystemManagerResponse.describe_association = describe_association
    SimpleSystemManagerResponse.update_association = update_association
    SimpleSystemManagerResponse.delete_association = delete_association
    SimpleSystemManagerResponse.list_associations = list_associations
