"""Where moto 5.2.5 answers otherwise than AWS, in ways Terraform's AWS provider meets: fixed in the emulator's process.

Applied by every process that serves the emulator, before it serves (`python -m tap.live.moto_fixes`
is moto's server with them, `tap/live/emulator.py` starts it; the mutation campaign's forking
emulator applies them too). Each fix is one function that patches moto's own model or response
class, with the note we would send upstream (`UPSTREAM`), and a test in
`tests/rehearsal/test_moto_fixes.py` that speaks to a moto server over HTTP as the provider does and
fails without it. The translator was shaped around some of these; Terraform cannot be.
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Callable
from typing import Any

# fix name -> the note for moto's maintainers: what AWS does, what moto 5.2.5 does, where.
UPSTREAM: dict[str, str] = {}
FIXES: dict[str, Callable[[], None]] = {}
# Resource types whose API moto lacks and a fix here provides: Terraform can apply them to the emulator.
PROVIDED_TYPES: dict[str, str] = {}


def fix(name: str, upstream: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(patch: Callable[[], None]) -> Callable[[], None]:
        FIXES[name] = patch
        UPSTREAM[name] = upstream
        return patch

    return register


def as_list(value: Any) -> list:
    """A policy element AWS accepts as a lone value or a list."""
    return value if isinstance(value, list) else [value]


@fix(
    "s3-logging-policy-principal",
    "s3: PutBucketLogging answers HTTP 500 when the target bucket's policy has a statement whose Principal is "
    'the string "*" (FakeBucket._log_permissions_enabled_policy calls .get on it), and it misses a logging grant '
    "whose Service, Action or Resource is a list. AWS reads each of them as a lone value or a list.",
)
def _s3_logging_reads_any_principal() -> None:
    from moto.s3.models import LOGGING_SERVICE_PRINCIPAL, FakeBucket

    def grants_log_delivery(target_bucket: Any, target_prefix: str | None) -> bool:
        if not target_bucket.policy:
            return False
        prefix = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}"
        resources = {prefix, f"{prefix}/*", f"{prefix}/{target_prefix or ''}*"}
        for statement in as_list(json.loads(target_bucket.policy.decode()).get("Statement", [])):
            principal = statement.get("Principal")
            services = as_list(principal.get("Service", [])) if isinstance(principal, dict) else []
            if (
                LOGGING_SERVICE_PRINCIPAL in services
                and statement.get("Effect") == "Allow"
                and "s3:PutObject" in as_list(statement.get("Action", []))
                and resources & set(as_list(statement.get("Resource", [])))
            ):
                return True
        return False

    FakeBucket._log_permissions_enabled_policy = staticmethod(grants_log_delivery)


@fix(
    "elbv2-scheme-default",
    "elbv2: CreateLoadBalancer without Scheme stores None (the response passes params.get('Scheme') over the "
    "backend's default), so DescribeLoadBalancers returns no Scheme; AWS defaults it to internet-facing. "
    "Terraform's AWS provider sends no Scheme for an internet-facing load balancer.",
)
def _elbv2_scheme_defaults_to_internet_facing() -> None:
    from moto.elbv2.models import ELBv2Backend

    create = ELBv2Backend.create_load_balancer

    def create_load_balancer(self: Any, *args: Any, scheme: str | None = None, **kwargs: Any) -> Any:
        return create(self, *args, scheme=scheme or "internet-facing", **kwargs)

    ELBv2Backend.create_load_balancer = create_load_balancer


@fix(
    "ec2-launch-template-own-tags",
    "ec2: CreateLaunchTemplate copies the request's TagSpecifications (the template's own tags, ResourceType "
    "launch-template) into the first version's LaunchTemplateData.TagSpecifications, so "
    "DescribeLaunchTemplateVersions returns tags the version was never given; AWS keeps them on the template.",
)
def _ec2_launch_template_keeps_its_own_tags() -> None:
    from moto.ec2.models.launch_templates import LaunchTemplateBackend

    create = LaunchTemplateBackend.create_launch_template

    def create_launch_template(self: Any, name: str, description: str, template_data: dict, tag_spec: dict) -> Any:
        if tag_spec:  # the response appended one entry per resource type of the request's own tags, last
            specifications = template_data.get("TagSpecifications", [])
            template_data = {
                **template_data,
                "TagSpecifications": specifications[: len(specifications) - len(tag_spec)],
            }
        return create(self, name, description, template_data, tag_spec)

    LaunchTemplateBackend.create_launch_template = create_launch_template


@fix(
    "rds-parameter-source",
    "rds: ModifyDBParameterGroup stores the parameters as given, so DescribeDBParameters returns them without "
    'Source; AWS marks a parameter set by ModifyDBParameterGroup with Source "user" (and `Source=user` filters '
    "on it).",
)
def _rds_modified_parameters_are_the_users() -> None:
    from moto.rds.models import DBParameterGroup

    update = DBParameterGroup.update_parameters

    def update_parameters(self: Any, new_parameters: Any) -> None:
        update(self, [{**parameter, "Source": "user"} for parameter in new_parameters])

    DBParameterGroup.update_parameters = update_parameters


@fix(
    "rds-performance-insights",
    "rds: CreateDBInstance and ModifyDBInstance ignore EnablePerformanceInsights, PerformanceInsightsKMSKeyId and "
    "PerformanceInsightsRetentionPeriod, and DescribeDBInstances returns none of them; AWS keeps them (retention "
    "7 days unless given).",
)
def _rds_keeps_performance_insights() -> None:
    from moto.rds.models import DBInstance

    init, update = DBInstance.__init__, DBInstance.update

    def keep(instance: Any, settings: dict[str, Any]) -> None:
        if "enable_performance_insights" in settings:
            enabled = bool(settings["enable_performance_insights"])
            instance.performance_insights_enabled = enabled
            instance.performance_insights_kms_key_id = (
                settings.get("performance_insights_kms_key_id") if enabled else None
            )
            retention = settings.get("performance_insights_retention_period") or 7
            instance.performance_insights_retention_period = int(retention) if enabled else None

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.performance_insights_enabled = False
        keep(self, kwargs)

    def update_instance(self: Any, **kwargs: Any) -> Any:
        result = update(self, **kwargs)
        keep(self, kwargs)
        return result

    DBInstance.__init__ = __init__
    DBInstance.update = update_instance


@fix(
    "kms-rotation-period",
    "kms: EnableKeyRotation ignores RotationPeriodInDays and GetKeyRotationStatus returns neither it nor KeyId; "
    "AWS keeps the period (365 days unless given, 90 to 2560) and returns both while rotation is enabled.",
)
def _kms_keeps_the_rotation_period() -> None:
    from moto.kms.responses import KmsResponse

    enable, status = KmsResponse.enable_key_rotation, KmsResponse.get_key_rotation_status

    def enable_key_rotation(self: Any) -> str:
        answer = enable(self)
        key = self.kms_backend.describe_key(self._get_param("KeyId"))
        key.rotation_period_in_days = int(self._get_param("RotationPeriodInDays") or 365)
        return answer

    def get_key_rotation_status(self: Any) -> str:
        answer = json.loads(status(self))
        key = self.kms_backend.describe_key(self._get_param("KeyId"))
        answer["KeyId"] = key.id
        if answer["KeyRotationEnabled"]:
            answer["RotationPeriodInDays"] = getattr(key, "rotation_period_in_days", 365)
        return json.dumps(answer)

    KmsResponse.enable_key_rotation = enable_key_rotation
    KmsResponse.get_key_rotation_status = get_key_rotation_status


@fix(
    "ec2-security-group-rule-description",
    "ec2: DescribeSecurityGroupRules returns a rule's Description only when its peer is a CIDR range; a rule "
    "whose peer is a security group (UserIdGroupPairs) or a prefix list (PrefixListIds) loses it, though "
    "AuthorizeSecurityGroupIngress/Egress were given one. AWS returns it whatever the peer.",
)
def _ec2_rule_descriptions_for_every_peer() -> None:
    from moto.ec2.models.security_groups import SecurityGroupRule

    init = SecurityGroupRule.__init__
    signature = inspect.signature(init)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        prefix_list = signature.bind(self, *args, **kwargs).arguments.get("prefix_list_id")
        self.prefix_list_description = (prefix_list or {}).get("Description")

    def description(self: Any) -> str | None:
        return (
            self.ip_range.get("Description")
            or self.source_group.get("Description")
            or getattr(self, "prefix_list_description", None)
        )

    SecurityGroupRule.__init__ = __init__
    SecurityGroupRule.description = property(description)


@fix(
    "route53resolver-query-log-config-tags",
    "route53resolver: ListTagsForResource, TagResource and UntagResource on a query log config's ARN answer "
    'ResourceNotFoundException ("Resolver endpoint with ID ... does not exist"): _matched_arn looks among '
    "endpoints and rules only, though CreateResolverQueryLogConfig takes Tags. AWS tags query log configs.",
)
def _route53resolver_tags_query_log_configs() -> None:
    from moto.route53resolver.models import Route53ResolverBackend

    matched = Route53ResolverBackend._matched_arn

    def _matched_arn(self: Any, resource_arn: str) -> None:
        if not any(config.arn == resource_arn for config in self.resolver_query_log_configs.values()):
            matched(self, resource_arn)

    Route53ResolverBackend._matched_arn = _matched_arn


@fix(
    "autoscaling-launches-as-the-template-declares",
    "autoscaling: a group launching from a launch template starts its instances without the version's "
    "MetadataOptions and without the security groups of its NetworkInterfaces (FakeAutoScalingGroup."
    "replace_autoscaling_group_instances passes neither to run_instances): an instance of a template requiring "
    "IMDSv2 answers IMDSv1. AWS launches each instance with both.",
)
def _autoscaling_launches_as_the_template_declares() -> None:
    from moto.autoscaling.models import FakeAutoScalingGroup
    from moto.ec2.models.instances import MetadataOptions

    replace = FakeAutoScalingGroup.replace_autoscaling_group_instances

    def replace_autoscaling_group_instances(self: Any, count_needed: int, propagated_tags: dict) -> None:
        launched = len(self.instance_states)
        replace(self, count_needed, propagated_tags)
        if not self.ec2_launch_template:
            return
        data = self.ec2_launch_template.get_version(self.launch_template_version).data
        groups = [group for nic in data.get("NetworkInterfaces", []) for group in as_list(nic.get("Groups", []))]
        for state in self.instance_states[launched:]:
            if data.get("MetadataOptions"):
                state.instance.metadata_options = MetadataOptions(data["MetadataOptions"])
            if groups:
                self.autoscaling_backend.ec2_backend.modify_instance_security_groups(state.instance.id, groups)

    FakeAutoScalingGroup.replace_autoscaling_group_instances = replace_autoscaling_group_instances


@fix(
    "autoscaling-max-instance-lifetime",
    "autoscaling: CreateAutoScalingGroup and UpdateAutoScalingGroup ignore MaxInstanceLifetime, and "
    "DescribeAutoScalingGroups never returns it; AWS keeps it (0 clears it).",
)
def _autoscaling_keeps_the_instance_lifetime() -> None:
    from moto.autoscaling.responses import AutoScalingResponse

    def keeping_lifetime(call: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def answer(self: Any) -> Any:
            result = call(self)
            lifetime = self._get_int_param("MaxInstanceLifetime")
            if lifetime is not None:
                group = self.autoscaling_backend.autoscaling_groups[self._get_param("AutoScalingGroupName")]
                group.max_instance_lifetime = lifetime or None
            return result

        return answer

    AutoScalingResponse.create_auto_scaling_group = keeping_lifetime(AutoScalingResponse.create_auto_scaling_group)
    AutoScalingResponse.update_auto_scaling_group = keeping_lifetime(AutoScalingResponse.update_auto_scaling_group)


@fix(
    "route53resolver-query-log-config-removal",
    "route53resolver: DisassociateResolverQueryLogConfig and DeleteResolverQueryLogConfig are not implemented "
    "(HTTP 500), so a query logging configuration and its VPC association can never be removed; AWS removes "
    "them and answers with what it removed, Status DELETING.",
)
def _route53resolver_removes_query_log_configs() -> None:
    from moto.route53resolver.exceptions import ResourceNotFoundException
    from moto.route53resolver.responses import Route53ResolverResponse

    def deleting(kind: str, removed: Any) -> str:
        return json.dumps({kind: {**removed.description(), "Status": "DELETING"}})

    def disassociate_resolver_query_log_config(self: Any) -> str:
        config, vpc = self._get_param("ResolverQueryLogConfigId"), self._get_param("ResourceId")
        associations = self.route53resolver_backend.resolver_query_log_config_associations
        for identifier, association in list(associations.items()):
            if (association.resolver_query_log_config_id, association.resource_id) == (config, vpc):
                return deleting("ResolverQueryLogConfigAssociation", associations.pop(identifier))
        raise ResourceNotFoundException(f"Resolver query log config '{config}' is not associated with VPC '{vpc}'")

    def delete_resolver_query_log_config(self: Any) -> str:
        config = self._get_param("ResolverQueryLogConfigId")
        configs = self.route53resolver_backend.resolver_query_log_configs
        if config not in configs:
            raise ResourceNotFoundException(f"Resolver query log config with ID '{config}' does not exist")
        return deleting("ResolverQueryLogConfig", configs.pop(config))

    Route53ResolverResponse.disassociate_resolver_query_log_config = disassociate_resolver_query_log_config
    Route53ResolverResponse.delete_resolver_query_log_config = delete_resolver_query_log_config


@fix(
    "logs-data-protection-policy",
    "logs: PutDataProtectionPolicy, GetDataProtectionPolicy and DeleteDataProtectionPolicy are not implemented "
    "(HTTP 500); AWS keeps one policy document per log group (named or by ARN), returns it with the group and "
    "deletes it with the group.",
)
def _logs_keeps_data_protection_policies() -> None:
    from moto.logs.exceptions import ResourceNotFoundException
    from moto.logs.responses import LogsResponse

    def policies(response: Any) -> dict[str, str]:
        backend = response.logs_backend
        if not hasattr(backend, "data_protection_policies"):
            backend.data_protection_policies = {}
        return backend.data_protection_policies

    def group(response: Any) -> str:
        """The log group's name, given its name or its ARN; an unknown group is AWS's ResourceNotFoundException."""
        identifier = response._get_param("logGroupIdentifier")
        name = identifier.split(":log-group:", 1)[-1].removesuffix(":*")
        if name not in response.logs_backend.groups:
            raise ResourceNotFoundException("The specified log group does not exist.")
        return name

    def put_data_protection_policy(self: Any) -> str:
        name = group(self)
        policies(self)[name] = self._get_param("policyDocument")
        return json.dumps({"logGroupIdentifier": name, "policyDocument": policies(self)[name]})

    def get_data_protection_policy(self: Any) -> str:
        name = group(self)
        kept = policies(self).get(name)
        return json.dumps({"logGroupIdentifier": name, **({"policyDocument": kept} if kept else {})})

    def delete_data_protection_policy(self: Any) -> str:
        policies(self).pop(group(self), None)
        return ""

    deleting_the_group = LogsResponse.delete_log_group

    def delete_log_group(self: Any) -> str:
        """A group deleted takes its policy along: one made again under its name has none."""
        policies(self).pop(self._get_param("logGroupName"), None)
        return deleting_the_group(self)

    LogsResponse.put_data_protection_policy = put_data_protection_policy
    LogsResponse.get_data_protection_policy = get_data_protection_policy
    LogsResponse.delete_data_protection_policy = delete_data_protection_policy
    LogsResponse.delete_log_group = delete_log_group


# Document names AWS keeps for its own documents (CreateDocument refuses them): moto carries none of those
# documents (AWS-RunPatchBaseline...), so an association may name one it cannot look up.
AWS_DOCUMENT_PREFIXES = ("aws", "amazon", "amzn")
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
        if not name.lower().startswith(AWS_DOCUMENT_PREFIXES):
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


@fix(
    "route53resolver-dns-firewall",
    "route53resolver: the DNS Firewall API is not implemented (HTTP 500 for CreateFirewallDomainList, "
    "UpdateFirewallDomains, CreateFirewallRuleGroup, CreateFirewallRule, AssociateFirewallRuleGroup, "
    "GetFirewallConfig and the rest of their Get/List/Update/Delete calls), and _matched_arn refuses tags on "
    "their ARNs. AWS keeps domain lists (names fully qualified, DomainCount), rule groups (RuleCount), one rule "
    "per domain list in a group, associations with VPCs and each VPC's fail-open setting; it refuses to delete "
    "a rule group with rules or associations, or a domain list a rule uses (ConflictException), and a retried "
    "CreatorRequestId answers what it created.",
)
def _route53resolver_dns_firewall() -> None:
    from moto.route53resolver.models import Route53ResolverBackend
    from moto.route53resolver.responses import Route53ResolverResponse

    from tap.live.moto_dns_firewall import OPERATIONS, firewall_of

    matched = Route53ResolverBackend._matched_arn

    def _matched_arn(self: Any, resource_arn: str) -> None:
        if resource_arn not in firewall_of(self).arns():
            matched(self, resource_arn)

    Route53ResolverBackend._matched_arn = _matched_arn
    for name, operation in OPERATIONS.items():
        setattr(Route53ResolverResponse, name, operation)


def apply_fixes() -> None:
    """Patch moto, in this process, before it serves: every fix, once."""
    for patch in FIXES.values():
        patch()


def main(argv: list[str]) -> None:
    """moto's server, fixed: the same arguments as `python -m moto.server`."""
    apply_fixes()
    from moto.server import main as serve

    serve(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
