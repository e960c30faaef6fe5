"""`tap rehearse`: provision a synthesized plan into an AWS emulator (a moto server).

Test infrastructure for the live suite, not a deployer: it walks the plan in dependency
order, resolves `${...}` references, creates each resource with boto3 against the
emulator, and writes the outputs file in the nested format `cdktf deploy --outputs-file`
writes, so the live suite is exercised end to end before it ever meets an account. It
refuses any endpoint that is not on loopback, and a resource type it does not know.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from functools import cached_property
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import boto3

from tap.errors import UsageError
from tap.guard import is_loopback
from tap.plan import Plan, read_plan

REFERENCE = re.compile(r"\$\{([^}]+)\}")
ONLY_REFERENCE = re.compile(r"^\$\{([^}]+)\}$")
# Terraform-only keys of a resource body; they configure Terraform, not AWS.
META_KEYS = {"//", "depends_on", "lifecycle", "provider", "count", "for_each"}
# The account Elastic Load Balancing writes access logs from, per region (AWS's published list).
ELB_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-central-1": "054676820928",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ap-south-1": "718504428378",
}
# Credentials for the emulator only: it accepts any, and no real ones should ever reach it.
EMULATOR_CREDENTIALS = {"aws_access_key_id": "rehearsal", "aws_secret_access_key": "rehearsal"}

Handler = Callable[["Rehearsal", dict[str, Any]], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def handles(type_: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[type_] = handler
        return handler

    return register


def check_loopback(endpoint_url: str) -> None:
    if not is_loopback(endpoint_url):
        raise UsageError(f"tap rehearse provisions only into an emulator on loopback, not {endpoint_url!r}")


class Rehearsal:
    def __init__(self, plan: Plan, endpoint_url: str):
        check_loopback(endpoint_url)
        self.plan = plan
        provider = (plan.document.get("provider", {}).get("aws") or [{}])[0]
        self.region = provider.get("region", "us-east-1")
        self.default_tags = {
            key: value for block in provider.get("default_tags", []) for key, value in block.get("tags", {}).items()
        }
        self._session = boto3.Session(region_name=self.region, **EMULATOR_CREDENTIALS)
        self._endpoint_url = endpoint_url
        self._clients: dict[str, Any] = {}
        self.state: dict[str, dict[str, Any]] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(service, endpoint_url=self._endpoint_url)
        return self._clients[service]

    def blocks(self) -> dict[str, tuple[str, dict]]:
        """address -> (type, body) for every resource and data source."""
        found = {}
        for section, prefix in (("resource", ""), ("data", "data.")):
            for type_, resources in self.plan.document.get(section, {}).items():
                for name, body in resources.items():
                    found[f"{prefix}{type_}.{name}"] = (f"{prefix}{type_}", body)
        return found

    def provision(self) -> dict[str, Any]:
        """Create everything; return the outputs nested as `cdktf deploy --outputs-file` writes them."""
        blocks = self.blocks()
        unknown = sorted({type_ for type_, _ in blocks.values() if type_ not in HANDLERS})
        if unknown:
            raise UsageError(f"tap rehearse cannot create {', '.join(unknown)}: add a handler in tap/rehearse.py")
        self.ensure_certificates(blocks)
        order = TopologicalSorter({address: _dependencies(body) for address, (_, body) in blocks.items()})
        for address in order.static_order():
            type_, body = blocks[address]
            attributes = {key: value for key, value in body.items() if key not in META_KEYS}
            try:
                self.state[address] = HANDLERS[type_](self, self.resolve(attributes))
            except UsageError:
                raise
            except Exception as error:  # one sentence naming the resource, whatever boto3 raised
                raise UsageError(f"tap rehearse could not create {address}: {error}") from None
        outputs = {
            name: self.resolve(block.get("value")) for name, block in self.plan.document.get("output", {}).items()
        }
        return {self.plan.stack_name: outputs}

    def ensure_certificates(self, blocks: dict[str, tuple[str, dict]]) -> None:
        """The listeners' certificates exist before a deploy; upload self-signed stand-ins for IAM ones."""
        for type_, body in blocks.values():
            arn = body.get("certificate_arn") if type_ == "aws_lb_listener" else None
            if not arn:
                continue
            if ":server-certificate/" not in arn:
                raise UsageError(
                    f"the plan's listener certificate {arn} cannot exist in an emulator: synthesize the rehearsal "
                    "with ALB_CERTIFICATE_ARN set to an IAM server certificate ARN (see tap/emulator.py)"
                )
            name = arn.rsplit("/", 1)[1]
            iam = self.client("iam")
            if name not in {
                c["ServerCertificateName"] for c in iam.list_server_certificates()["ServerCertificateMetadataList"]
            }:
                body_pem, key_pem = _self_signed_certificate()
                iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=body_pem, PrivateKey=key_pem)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, str):
            whole = ONLY_REFERENCE.match(value)
            if whole:
                return self.lookup(whole.group(1))
            return REFERENCE.sub(lambda match: str(self.lookup(match.group(1))), value)
        return value

    def lookup(self, expression: str) -> Any:
        parts = expression.split(".")
        width = 3 if parts[0] == "data" else 2
        address, path = ".".join(parts[:width]), parts[width:]
        value: Any = self.state[address]
        for part in path:
            key, *indexes = re.split(r"\[(\d+)\]", part)
            value = value[key]
            for index in (int(i) for i in indexes if i):
                value = value[index]
        return value

    @cached_property
    def account_id(self) -> str:
        return self.client("sts").get_caller_identity()["Account"]

    def tags(self, tags: dict[str, str] | None) -> dict[str, str]:
        return {**self.default_tags, **(tags or {})}

    def tag_list(self, tags: dict[str, str] | None, key: str = "Key", value: str = "Value") -> list[dict]:
        return [{key: k, value: v} for k, v in self.tags(tags).items()]

    def ec2_tags(self, resource_type: str, tags: dict[str, str] | None) -> list[dict]:
        return [{"ResourceType": resource_type, "Tags": self.tag_list(tags)}]


def _dependencies(body: dict) -> set[str]:
    found = set(body.get("depends_on", []))
    for expression in REFERENCE.findall(json.dumps(body)):
        parts = expression.split(".")
        found.add(".".join(parts[:3] if parts[0] == "data" else parts[:2]))
    return found


def _self_signed_certificate() -> tuple[str, str]:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rehearsal.payments.example")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    body = certificate.public_bytes(serialization.Encoding.PEM).decode()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return body, private.decode()


def one(block: Any) -> dict:
    """A nested block, which CDKTF writes as a dict or a one-item list."""
    if isinstance(block, list):
        return block[0] if block else {}
    return block or {}


def flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def rehearse(plan_path: Path, endpoint_url: str, outputs_file: Path) -> dict[str, Any]:
    outputs = Rehearsal(read_plan(plan_path), endpoint_url).provision()
    outputs_file.parent.mkdir(parents=True, exist_ok=True)
    outputs_file.write_text(json.dumps(outputs, indent=2) + "\n")
    return outputs


# --- Terraform-only and data sources -------------------------------------------------


@handles("random_id")
def _random_id(r: Rehearsal, body: dict) -> dict:
    value = secrets.token_hex(body["byte_length"])
    return {"hex": value, "id": value, "dec": str(int(value, 16))}


@handles("data.aws_caller_identity")
def _caller(r: Rehearsal, body: dict) -> dict:
    identity = r.client("sts").get_caller_identity()
    return {"account_id": identity["Account"], "arn": identity["Arn"], "id": identity["Account"]}


@handles("data.aws_elb_service_account")
def _elb_account(r: Rehearsal, body: dict) -> dict:
    if r.region not in ELB_ACCOUNTS:
        raise UsageError(f"tap rehearse does not know the ELB log account of {r.region}: add it to ELB_ACCOUNTS")
    account = ELB_ACCOUNTS[r.region]
    return {"arn": f"arn:aws:iam::{account}:root", "id": account}


@handles("data.aws_ssm_parameter")
def _ssm_parameter(r: Rehearsal, body: dict) -> dict:
    parameter = r.client("ssm").get_parameter(Name=body["name"])["Parameter"]
    return {"insecure_value": parameter["Value"], "value": parameter["Value"], "arn": parameter["ARN"]}


# --- KMS, logs, IAM ----------------------------------------------------------------


@handles("aws_kms_key")
def _kms_key(r: Rehearsal, body: dict) -> dict:
    kms = r.client("kms")
    key = kms.create_key(
        Description=body.get("description", ""), Policy=body["policy"], Tags=r.tag_list(None, "TagKey", "TagValue")
    )["KeyMetadata"]
    if flag(body.get("enable_key_rotation")):
        kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=body.get("rotation_period_in_days", 365))
    return {"arn": key["Arn"], "key_id": key["KeyId"], "id": key["KeyId"]}


@handles("aws_kms_alias")
def _kms_alias(r: Rehearsal, body: dict) -> dict:
    r.client("kms").create_alias(AliasName=body["name"], TargetKeyId=body["target_key_id"])
    return {"name": body["name"], "id": body["name"]}


@handles("aws_cloudwatch_log_group")
def _log_group(r: Rehearsal, body: dict) -> dict:
    logs = r.client("logs")
    logs.create_log_group(logGroupName=body["name"], kmsKeyId=body["kms_key_id"], tags=r.tags(body.get("tags")))
    logs.put_retention_policy(logGroupName=body["name"], retentionInDays=body["retention_in_days"])
    arn = f"arn:aws:logs:{r.region}:{r.account_id}:log-group:{body['name']}"
    return {"name": body["name"], "id": body["name"], "arn": arn}


@handles("aws_iam_role")
def _role(r: Rehearsal, body: dict) -> dict:
    role = r.client("iam").create_role(
        RoleName=body["name"], AssumeRolePolicyDocument=body["assume_role_policy"], Tags=r.tag_list(body.get("tags"))
    )["Role"]
    return {"arn": role["Arn"], "name": role["RoleName"], "id": role["RoleName"], "unique_id": role["RoleId"]}


@handles("aws_iam_role_policy")
def _role_policy(r: Rehearsal, body: dict) -> dict:
    r.client("iam").put_role_policy(RoleName=body["role"], PolicyName=body["name"], PolicyDocument=body["policy"])
    return {"id": f"{body['role']}:{body['name']}"}


@handles("aws_iam_role_policy_attachment")
def _role_attachment(r: Rehearsal, body: dict) -> dict:
    r.client("iam").attach_role_policy(RoleName=body["role"], PolicyArn=body["policy_arn"])
    return {"id": f"{body['role']}-{body['policy_arn']}"}


@handles("aws_iam_instance_profile")
def _instance_profile(r: Rehearsal, body: dict) -> dict:
    iam = r.client("iam")
    profile = iam.create_instance_profile(InstanceProfileName=body["name"])["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName=body["name"], RoleName=body["role"])
    return {"arn": profile["Arn"], "name": body["name"], "id": body["name"]}


# --- Network -------------------------------------------------------------------------


@handles("aws_vpc")
def _vpc(r: Rehearsal, body: dict) -> dict:
    ec2 = r.client("ec2")
    vpc = ec2.create_vpc(CidrBlock=body["cidr_block"], TagSpecifications=r.ec2_tags("vpc", body.get("tags")))["Vpc"]
    for attribute in ("enable_dns_support", "enable_dns_hostnames"):
        if attribute in body:
            name = "EnableDnsSupport" if attribute == "enable_dns_support" else "EnableDnsHostnames"
            ec2.modify_vpc_attribute(VpcId=vpc["VpcId"], **{name: {"Value": flag(body[attribute])}})
    return {"id": vpc["VpcId"], "arn": f"arn:aws:ec2:{r.region}::vpc/{vpc['VpcId']}"}


@handles("aws_default_security_group")
def _default_security_group(r: Rehearsal, body: dict) -> dict:
    ec2 = r.client("ec2")
    groups = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [body["vpc_id"]]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    group = groups[0]
    # Terraform's aws_default_security_group replaces the default rules with the declared ones (none).
    if group["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
    if group["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"])
    ec2.create_tags(Resources=[group["GroupId"]], Tags=r.tag_list(body.get("tags")))
    return {"id": group["GroupId"]}


@handles("aws_subnet")
def _subnet(r: Rehearsal, body: dict) -> dict:
    ec2 = r.client("ec2")
    subnet = ec2.create_subnet(
        VpcId=body["vpc_id"],
        CidrBlock=body["cidr_block"],
        AvailabilityZone=body["availability_zone"],
        TagSpecifications=r.ec2_tags("subnet", body.get("tags")),
    )["Subnet"]
    ec2.modify_subnet_attribute(
        SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch={"Value": flag(body.get("map_public_ip_on_launch"))}
    )
    return {"id": subnet["SubnetId"], "arn": subnet.get("SubnetArn", "")}


@handles("aws_internet_gateway")
def _internet_gateway(r: Rehearsal, body: dict) -> dict:
    ec2 = r.client("ec2")
    gateway = ec2.create_internet_gateway(TagSpecifications=r.ec2_tags("internet-gateway", body.get("tags")))
    gateway_id = gateway["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=body["vpc_id"])
    return {"id": gateway_id}


@handles("aws_eip")
def _eip(r: Rehearsal, body: dict) -> dict:
    address = r.client("ec2").allocate_address(
        Domain=body.get("domain", "vpc"), TagSpecifications=r.ec2_tags("elastic-ip", body.get("tags"))
    )
    return {"id": address["AllocationId"], "allocation_id": address["AllocationId"], "public_ip": address["PublicIp"]}


@handles("aws_nat_gateway")
def _nat_gateway(r: Rehearsal, body: dict) -> dict:
    nat = r.client("ec2").create_nat_gateway(
        SubnetId=body["subnet_id"],
        AllocationId=body["allocation_id"],
        TagSpecifications=r.ec2_tags("natgateway", body.get("tags")),
    )["NatGateway"]
    return {"id": nat["NatGatewayId"]}


ROUTE_TARGETS = {"gateway_id": "GatewayId", "nat_gateway_id": "NatGatewayId"}


@handles("aws_route_table")
def _route_table(r: Rehearsal, body: dict) -> dict:
    ec2 = r.client("ec2")
    table = ec2.create_route_table(VpcId=body["vpc_id"], TagSpecifications=r.ec2_tags("route-table", body.get("tags")))
    table_id = table["RouteTable"]["RouteTableId"]
    for route in body.get("route", []):
        targets = {api: route[key] for key, api in ROUTE_TARGETS.items() if route.get(key)}
        ec2.create_route(RouteTableId=table_id, DestinationCidrBlock=route["cidr_block"], **targets)
    return {"id": table_id}


@handles("aws_route_table_association")
def _route_association(r: Rehearsal, body: dict) -> dict:
    association = r.client("ec2").associate_route_table(RouteTableId=body["route_table_id"], SubnetId=body["subnet_id"])
    return {"id": association["AssociationId"]}


@handles("aws_vpc_endpoint")
def _vpc_endpoint(r: Rehearsal, body: dict) -> dict:
    endpoint = r.client("ec2").create_vpc_endpoint(
        VpcId=body["vpc_id"],
        ServiceName=body["service_name"],
        VpcEndpointType=body.get("vpc_endpoint_type", "Gateway"),
        RouteTableIds=body.get("route_table_ids", []),
        TagSpecifications=r.ec2_tags("vpc-endpoint", body.get("tags")),
    )["VpcEndpoint"]
    return {"id": endpoint["VpcEndpointId"]}


@handles("aws_flow_log")
def _flow_log(r: Rehearsal, body: dict) -> dict:
    result = r.client("ec2").create_flow_logs(
        ResourceIds=[body["vpc_id"]],
        ResourceType="VPC",
        TrafficType=body["traffic_type"],
        LogDestinationType=body["log_destination_type"],
        LogDestination=body["log_destination"],
        DeliverLogsPermissionArn=body["iam_role_arn"],
        MaxAggregationInterval=body.get("max_aggregation_interval", 600),
        TagSpecifications=r.ec2_tags("vpc-flow-log", body.get("tags")),
    )
    return {"id": result["FlowLogIds"][0]}


@handles("aws_security_group")
def _security_group(r: Rehearsal, body: dict) -> dict:
    ec2 = r.client("ec2")
    group_id = ec2.create_security_group(
        GroupName=body["name"],
        Description=body.get("description", "Managed by Terraform"),
        VpcId=body["vpc_id"],
        TagSpecifications=r.ec2_tags("security-group", body.get("tags")),
    )["GroupId"]
    # Terraform removes the allow-all egress AWS adds to a new group; rules are separate resources.
    ec2.revoke_security_group_egress(
        GroupId=group_id, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    return {"id": group_id}


def _permission(body: dict) -> dict:
    permission: dict[str, Any] = {"IpProtocol": body["ip_protocol"]}
    if body["ip_protocol"] != "-1":
        permission.update(FromPort=body["from_port"], ToPort=body["to_port"])
    described = {"Description": body["description"]} if body.get("description") else {}
    if body.get("cidr_ipv4"):
        permission["IpRanges"] = [{"CidrIp": body["cidr_ipv4"], **described}]
    if body.get("cidr_ipv6"):
        permission["Ipv6Ranges"] = [{"CidrIpv6": body["cidr_ipv6"], **described}]
    if body.get("referenced_security_group_id"):
        permission["UserIdGroupPairs"] = [{"GroupId": body["referenced_security_group_id"], **described}]
    if body.get("prefix_list_id"):
        permission["PrefixListIds"] = [{"PrefixListId": body["prefix_list_id"], **described}]
    return permission


@handles("aws_vpc_security_group_ingress_rule")
def _ingress_rule(r: Rehearsal, body: dict) -> dict:
    result = r.client("ec2").authorize_security_group_ingress(
        GroupId=body["security_group_id"], IpPermissions=[_permission(body)]
    )
    return {"id": result["SecurityGroupRules"][0]["SecurityGroupRuleId"]}


@handles("aws_vpc_security_group_egress_rule")
def _egress_rule(r: Rehearsal, body: dict) -> dict:
    result = r.client("ec2").authorize_security_group_egress(
        GroupId=body["security_group_id"], IpPermissions=[_permission(body)]
    )
    return {"id": result["SecurityGroupRules"][0]["SecurityGroupRuleId"]}


# --- S3 ------------------------------------------------------------------------------


@handles("aws_s3_bucket")
def _bucket(r: Rehearsal, body: dict) -> dict:
    s3 = r.client("s3")
    name = body["bucket"]
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": r.region})
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": r.tag_list(body.get("tags"))})
    return {"id": name, "bucket": name, "arn": f"arn:aws:s3:::{name}"}


@handles("aws_s3_bucket_server_side_encryption_configuration")
def _bucket_encryption(r: Rehearsal, body: dict) -> dict:
    rules = []
    for rule in body["rule"]:
        default = one(rule["apply_server_side_encryption_by_default"])
        applied = {"SSEAlgorithm": default["sse_algorithm"]}
        if default.get("kms_master_key_id"):
            applied["KMSMasterKeyID"] = default["kms_master_key_id"]
        rules.append(
            {"ApplyServerSideEncryptionByDefault": applied, "BucketKeyEnabled": flag(rule.get("bucket_key_enabled"))}
        )
    r.client("s3").put_bucket_encryption(Bucket=body["bucket"], ServerSideEncryptionConfiguration={"Rules": rules})
    return {"id": body["bucket"]}


@handles("aws_s3_bucket_versioning")
def _bucket_versioning(r: Rehearsal, body: dict) -> dict:
    status = one(body["versioning_configuration"])["status"]
    r.client("s3").put_bucket_versioning(Bucket=body["bucket"], VersioningConfiguration={"Status": status})
    return {"id": body["bucket"]}


@handles("aws_s3_bucket_public_access_block")
def _bucket_public_access_block(r: Rehearsal, body: dict) -> dict:
    flags = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")
    configuration = {_camel(name, upper={"acls": "Acls"}): flag(body.get(name)) for name in flags}
    r.client("s3").put_public_access_block(Bucket=body["bucket"], PublicAccessBlockConfiguration=configuration)
    return {"id": body["bucket"]}


@handles("aws_s3_bucket_ownership_controls")
def _bucket_ownership(r: Rehearsal, body: dict) -> dict:
    ownership = one(body["rule"])["object_ownership"]
    r.client("s3").put_bucket_ownership_controls(
        Bucket=body["bucket"], OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]}
    )
    return {"id": body["bucket"]}


@handles("aws_s3_bucket_policy")
def _bucket_policy(r: Rehearsal, body: dict) -> dict:
    # Statement order means nothing to AWS. moto's logging-permission check reads statements in
    # order and fails on a string principal ("*"), so those go last here: same policy, moto reads it.
    policy = json.loads(body["policy"])
    policy["Statement"].sort(key=lambda statement: isinstance(statement.get("Principal"), str))
    r.client("s3").put_bucket_policy(Bucket=body["bucket"], Policy=json.dumps(policy))
    return {"id": body["bucket"]}


@handles("aws_s3_bucket_lifecycle_configuration")
def _bucket_lifecycle(r: Rehearsal, body: dict) -> dict:
    rules = []
    for rule in body["rule"]:
        lifecycle: dict[str, Any] = {
            "ID": rule["id"],
            "Status": rule["status"],
            "Filter": {"Prefix": one(rule.get("filter")).get("prefix", "")},
        }
        if rule.get("transition"):
            lifecycle["Transitions"] = [
                {"Days": t["days"], "StorageClass": t["storage_class"]} for t in rule["transition"]
            ]
        if rule.get("expiration"):
            lifecycle["Expiration"] = {"Days": one(rule["expiration"])["days"]}
        if rule.get("noncurrent_version_expiration"):
            lifecycle["NoncurrentVersionExpiration"] = {
                "NoncurrentDays": one(rule["noncurrent_version_expiration"])["noncurrent_days"]
            }
        if rule.get("abort_incomplete_multipart_upload"):
            days = one(rule["abort_incomplete_multipart_upload"])["days_after_initiation"]
            lifecycle["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
        rules.append(lifecycle)
    r.client("s3").put_bucket_lifecycle_configuration(Bucket=body["bucket"], LifecycleConfiguration={"Rules": rules})
    return {"id": body["bucket"]}


@handles("aws_s3_bucket_logging")
def _bucket_logging(r: Rehearsal, body: dict) -> dict:
    target = {"TargetBucket": body["target_bucket"], "TargetPrefix": body.get("target_prefix", "")}
    r.client("s3").put_bucket_logging(Bucket=body["bucket"], BucketLoggingStatus={"LoggingEnabled": target})
    return {"id": body["bucket"]}


def _camel(name: str, upper: dict[str, str] | None = None) -> str:
    words = name.split("_")
    return "".join((upper or {}).get(word, word.capitalize()) for word in words)


# --- Load balancing and WAF ----------------------------------------------------------


def _arn_suffix(arn: str, marker: str) -> str:
    return arn.split(f":{marker}/", 1)[1] if f":{marker}/" in arn else arn.split("/", 1)[1]


@handles("aws_lb")
def _load_balancer(r: Rehearsal, body: dict) -> dict:
    elb = r.client("elbv2")
    balancer = elb.create_load_balancer(
        Name=body["name"],
        Subnets=body["subnets"],
        SecurityGroups=body.get("security_groups", []),
        Scheme="internal" if flag(body.get("internal")) else "internet-facing",
        Type=body.get("load_balancer_type", "application"),
        Tags=r.tag_list(body.get("tags")),
    )["LoadBalancers"][0]
    logs = one(body.get("access_logs"))
    attributes = {
        "deletion_protection.enabled": flag(body.get("enable_deletion_protection")),
        "routing.http.drop_invalid_header_fields.enabled": flag(body.get("drop_invalid_header_fields")),
        "access_logs.s3.enabled": flag(logs.get("enabled")),
        "access_logs.s3.bucket": logs.get("bucket", ""),
        "access_logs.s3.prefix": logs.get("prefix", ""),
    }
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=balancer["LoadBalancerArn"],
        Attributes=[{"Key": key, "Value": str(value).lower()} for key, value in attributes.items()],
    )
    arn = balancer["LoadBalancerArn"]
    return {"arn": arn, "id": arn, "dns_name": balancer["DNSName"], "arn_suffix": _arn_suffix(arn, "loadbalancer")}


@handles("aws_lb_target_group")
def _target_group(r: Rehearsal, body: dict) -> dict:
    elb = r.client("elbv2")
    check = one(body.get("health_check"))
    group = elb.create_target_group(
        Name=body["name"],
        Port=body["port"],
        Protocol=body["protocol"],
        VpcId=body["vpc_id"],
        TargetType=body.get("target_type", "instance"),
        HealthCheckEnabled=flag(check.get("enabled", True)),
        HealthCheckPath=check.get("path", "/"),
        HealthCheckProtocol=check.get("protocol", "HTTP"),
        HealthCheckIntervalSeconds=check.get("interval", 30),
        HealthCheckTimeoutSeconds=check.get("timeout", 5),
        HealthyThresholdCount=check.get("healthy_threshold", 3),
        UnhealthyThresholdCount=check.get("unhealthy_threshold", 3),
        Matcher={"HttpCode": check.get("matcher", "200")},
        Tags=r.tag_list(body.get("tags")),
    )["TargetGroups"][0]
    arn = group["TargetGroupArn"]
    if "deregistration_delay" in body:
        elb.modify_target_group_attributes(
            TargetGroupArn=arn,
            Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": str(body["deregistration_delay"])}],
        )
    return {"arn": arn, "id": arn, "arn_suffix": _arn_suffix(arn, "targetgroup"), "name": body["name"]}


def _action(action: dict) -> dict:
    converted: dict[str, Any] = {"Type": action["type"]}
    if action.get("target_group_arn"):
        converted["TargetGroupArn"] = action["target_group_arn"]
    if action.get("redirect"):
        redirect = one(action["redirect"])
        converted["RedirectConfig"] = {
            "Protocol": redirect.get("protocol", "#{protocol}"),
            "Port": str(redirect.get("port", "#{port}")),
            "StatusCode": redirect["status_code"],
        }
    return converted


@handles("aws_lb_listener")
def _listener(r: Rehearsal, body: dict) -> dict:
    extra = {}
    if body.get("ssl_policy"):
        extra["SslPolicy"] = body["ssl_policy"]
    if body.get("certificate_arn"):
        extra["Certificates"] = [{"CertificateArn": body["certificate_arn"]}]
    listener = r.client("elbv2").create_listener(
        LoadBalancerArn=body["load_balancer_arn"],
        Port=body["port"],
        Protocol=body["protocol"],
        DefaultActions=[_action(action) for action in body["default_action"]],
        **extra,
    )["Listeners"][0]
    return {"arn": listener["ListenerArn"], "id": listener["ListenerArn"]}


def _waf_keys(value: Any) -> Any:
    """HCL's snake_case WAF blocks -> the WAFv2 API's names (CloudWatch keeps its capital W)."""
    if isinstance(value, dict):
        return {_camel(key, upper={"cloudwatch": "CloudWatch"}): _waf_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_waf_keys(item) for item in value]
    return value


@handles("aws_wafv2_web_acl")
def _web_acl(r: Rehearsal, body: dict) -> dict:
    acl = r.client("wafv2").create_web_acl(
        Name=body["name"],
        Scope=body["scope"],
        DefaultAction=_waf_keys(one(body["default_action"])),
        Rules=_waf_keys(body.get("rule", [])),
        VisibilityConfig=_waf_keys(one(body["visibility_config"])),
        Tags=r.tag_list(body.get("tags")),
    )["Summary"]
    return {"arn": acl["ARN"], "id": acl["Id"], "name": acl["Name"]}


@handles("aws_wafv2_web_acl_association")
def _web_acl_association(r: Rehearsal, body: dict) -> dict:
    r.client("wafv2").associate_web_acl(WebACLArn=body["web_acl_arn"], ResourceArn=body["resource_arn"])
    return {"id": f"{body['web_acl_arn']},{body['resource_arn']}"}


@handles("aws_wafv2_web_acl_logging_configuration")
def _web_acl_logging(r: Rehearsal, body: dict) -> dict:
    configuration = {"ResourceArn": body["resource_arn"], "LogDestinationConfigs": body["log_destination_configs"]}
    r.client("wafv2").put_logging_configuration(LoggingConfiguration=configuration)
    return {"id": body["resource_arn"]}


# --- Compute -------------------------------------------------------------------------


def _launch_template_data(body: dict) -> dict:
    data: dict[str, Any] = {"ImageId": body["image_id"], "InstanceType": body["instance_type"]}
    if "ebs_optimized" in body:
        data["EbsOptimized"] = flag(body["ebs_optimized"])
    if body.get("iam_instance_profile"):
        data["IamInstanceProfile"] = {"Arn": one(body["iam_instance_profile"])["arn"]}
    if body.get("metadata_options"):
        options = one(body["metadata_options"])
        data["MetadataOptions"] = {
            "HttpEndpoint": options.get("http_endpoint", "enabled"),
            "HttpTokens": options.get("http_tokens", "optional"),
            "HttpPutResponseHopLimit": options.get("http_put_response_hop_limit", 1),
            "InstanceMetadataTags": options.get("instance_metadata_tags", "disabled"),
        }
    data["BlockDeviceMappings"] = [
        {
            "DeviceName": mapping["device_name"],
            "Ebs": {
                "VolumeSize": one(mapping["ebs"])["volume_size"],
                "VolumeType": one(mapping["ebs"])["volume_type"],
                "Encrypted": flag(one(mapping["ebs"]).get("encrypted")),
                "KmsKeyId": one(mapping["ebs"]).get("kms_key_id", ""),
                "DeleteOnTermination": flag(one(mapping["ebs"]).get("delete_on_termination")),
            },
        }
        for mapping in body.get("block_device_mappings", [])
    ]
    data["NetworkInterfaces"] = [
        {
            "DeviceIndex": index,
            "AssociatePublicIpAddress": flag(nic.get("associate_public_ip_address")),
            "Groups": nic.get("security_groups", []),
            "DeleteOnTermination": flag(nic.get("delete_on_termination")),
        }
        for index, nic in enumerate(body.get("network_interfaces", []))
    ]
    if body.get("monitoring"):
        data["Monitoring"] = {"Enabled": flag(one(body["monitoring"]).get("enabled"))}
    data["TagSpecifications"] = [
        {"ResourceType": spec["resource_type"], "Tags": [{"Key": k, "Value": v} for k, v in spec["tags"].items()]}
        for spec in body.get("tag_specifications", [])
    ]
    return data


@handles("aws_launch_template")
def _launch_template(r: Rehearsal, body: dict) -> dict:
    # The template itself goes untagged: moto copies its tags into the version's data, where AWS does not.
    template = r.client("ec2").create_launch_template(
        LaunchTemplateName=body["name"], LaunchTemplateData=_launch_template_data(body)
    )["LaunchTemplate"]
    return {
        "id": template["LaunchTemplateId"],
        "latest_version": template["LatestVersionNumber"],
        "default_version": template["DefaultVersionNumber"],
        "arn": f"arn:aws:ec2:{r.region}::launch-template/{template['LaunchTemplateId']}",
    }


@handles("aws_autoscaling_group")
def _autoscaling_group(r: Rehearsal, body: dict) -> dict:
    autoscaling = r.client("autoscaling")
    template = one(body["launch_template"])
    tags = [
        {
            "Key": tag["key"],
            "Value": tag["value"],
            "PropagateAtLaunch": flag(tag.get("propagate_at_launch")),
            "ResourceId": body["name"],
            "ResourceType": "auto-scaling-group",
        }
        for tag in body.get("tag", [])
    ]
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=body["name"],
        LaunchTemplate={"LaunchTemplateId": template["id"], "Version": str(template["version"])},
        MinSize=body["min_size"],
        MaxSize=body["max_size"],
        DesiredCapacity=body.get("desired_capacity", body["min_size"]),
        VPCZoneIdentifier=",".join(body["vpc_zone_identifier"]),
        HealthCheckType=body.get("health_check_type", "EC2"),
        HealthCheckGracePeriod=body.get("health_check_grace_period", 300),
        TargetGroupARNs=body.get("target_group_arns", []),
        Tags=tags,
    )
    if body.get("enabled_metrics"):
        autoscaling.enable_metrics_collection(
            AutoScalingGroupName=body["name"], Metrics=body["enabled_metrics"], Granularity="1Minute"
        )
    return {"name": body["name"], "id": body["name"]}


@handles("aws_autoscaling_schedule")
def _schedule(r: Rehearsal, body: dict) -> dict:
    r.client("autoscaling").put_scheduled_update_group_action(
        AutoScalingGroupName=body["autoscaling_group_name"],
        ScheduledActionName=body["scheduled_action_name"],
        Recurrence=body["recurrence"],
        TimeZone=body.get("time_zone", "UTC"),
        MinSize=body["min_size"],
        MaxSize=body["max_size"],
        DesiredCapacity=body["desired_capacity"],
    )
    return {"id": body["scheduled_action_name"]}


# --- Database ------------------------------------------------------------------------


@handles("aws_db_subnet_group")
def _db_subnet_group(r: Rehearsal, body: dict) -> dict:
    r.client("rds").create_db_subnet_group(
        DBSubnetGroupName=body["name"],
        DBSubnetGroupDescription=body.get("description", "Managed by Terraform"),
        SubnetIds=body["subnet_ids"],
        Tags=r.tag_list(body.get("tags")),
    )
    return {"name": body["name"], "id": body["name"]}


@handles("aws_db_parameter_group")
def _db_parameter_group(r: Rehearsal, body: dict) -> dict:
    rds = r.client("rds")
    rds.create_db_parameter_group(
        DBParameterGroupName=body["name"],
        DBParameterGroupFamily=body["family"],
        Description=body.get("description", "Managed by Terraform"),
        Tags=r.tag_list(body.get("tags")),
    )
    parameters = [
        {"ParameterName": item["name"], "ParameterValue": str(item["value"]), "ApplyMethod": "pending-reboot"}
        for item in body.get("parameter", [])
    ]
    if parameters:
        rds.modify_db_parameter_group(DBParameterGroupName=body["name"], Parameters=parameters)
    return {"name": body["name"], "id": body["name"]}


DB_ARGUMENTS = {
    "identifier": "DBInstanceIdentifier",
    "engine": "Engine",
    "engine_version": "EngineVersion",
    "instance_class": "DBInstanceClass",
    "allocated_storage": "AllocatedStorage",
    "max_allocated_storage": "MaxAllocatedStorage",
    "storage_type": "StorageType",
    "storage_encrypted": "StorageEncrypted",
    "kms_key_id": "KmsKeyId",
    "db_name": "DBName",
    "username": "MasterUsername",
    "manage_master_user_password": "ManageMasterUserPassword",
    "master_user_secret_kms_key_id": "MasterUserSecretKmsKeyId",
    "iam_database_authentication_enabled": "EnableIAMDatabaseAuthentication",
    "port": "Port",
    "db_subnet_group_name": "DBSubnetGroupName",
    "vpc_security_group_ids": "VpcSecurityGroupIds",
    "parameter_group_name": "DBParameterGroupName",
    "publicly_accessible": "PubliclyAccessible",
    "multi_az": "MultiAZ",
    "deletion_protection": "DeletionProtection",
    "backup_retention_period": "BackupRetentionPeriod",
    "backup_window": "PreferredBackupWindow",
    "maintenance_window": "PreferredMaintenanceWindow",
    "copy_tags_to_snapshot": "CopyTagsToSnapshot",
    "auto_minor_version_upgrade": "AutoMinorVersionUpgrade",
    "enabled_cloudwatch_logs_exports": "EnableCloudwatchLogsExports",
    "performance_insights_enabled": "EnablePerformanceInsights",
    "performance_insights_kms_key_id": "PerformanceInsightsKMSKeyId",
    "performance_insights_retention_period": "PerformanceInsightsRetentionPeriod",
    "monitoring_interval": "MonitoringInterval",
    "monitoring_role_arn": "MonitoringRoleArn",
}


@handles("aws_db_instance")
def _db_instance(r: Rehearsal, body: dict) -> dict:
    arguments = {api: body[key] for key, api in DB_ARGUMENTS.items() if key in body}
    instance = r.client("rds").create_db_instance(**arguments, Tags=r.tag_list(body.get("tags")))["DBInstance"]
    secret = instance.get("MasterUserSecret", {})
    return {
        "identifier": instance["DBInstanceIdentifier"],
        "id": instance["DbiResourceId"] if "DbiResourceId" in instance else instance["DBInstanceIdentifier"],
        "arn": instance["DBInstanceArn"],
        "address": instance.get("Endpoint", {}).get("Address", ""),
        "master_user_secret": [{"secret_arn": secret.get("SecretArn", ""), "kms_key_id": secret.get("KmsKeyId", "")}],
    }


# --- Alarms ---------------------------------------------------------------------------


@handles("aws_sns_topic")
def _topic(r: Rehearsal, body: dict) -> dict:
    attributes = {"KmsMasterKeyId": body["kms_master_key_id"]} if body.get("kms_master_key_id") else {}
    topic = r.client("sns").create_topic(Name=body["name"], Attributes=attributes, Tags=r.tag_list(body.get("tags")))
    return {"arn": topic["TopicArn"], "id": topic["TopicArn"], "name": body["name"]}


@handles("aws_cloudwatch_metric_alarm")
def _alarm(r: Rehearsal, body: dict) -> dict:
    r.client("cloudwatch").put_metric_alarm(
        AlarmName=body["alarm_name"],
        AlarmDescription=body.get("alarm_description", ""),
        Namespace=body["namespace"],
        MetricName=body["metric_name"],
        Statistic=body["statistic"],
        ComparisonOperator=body["comparison_operator"],
        Threshold=float(body["threshold"]),
        Period=body["period"],
        EvaluationPeriods=body["evaluation_periods"],
        TreatMissingData=body.get("treat_missing_data", "missing"),
        Dimensions=[{"Name": name, "Value": value} for name, value in body.get("dimensions", {}).items()],
        AlarmActions=body.get("alarm_actions", []),
        OKActions=body.get("ok_actions", []),
        Tags=r.tag_list(body.get("tags")),
    )
    return {"alarm_name": body["alarm_name"], "id": body["alarm_name"]}
