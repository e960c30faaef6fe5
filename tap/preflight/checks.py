"""`tap preflight`: the field report's deployment blockers, found before `cdktf deploy`.

One read-only look at the target account (through the same guard as the live suite):
credentials and identity, the database engine version and instance class, the
Availability Zones and instance types, names that already exist, quota headroom, and
the listener certificate. Each check ends PASS, BLOCKER (the deploy would fail), WARN
or INFO, with why and what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from tap.errors import UsageError
from tap.live.guard import Account
from tap.preflight.deployment import BLOCKER, INFO, PASS, WARN, Deployment, Result
from tap.preflight.settings import alarm_recipients, certificate, key_administrator, profile

# Quotas read from Service Quotas: (service code, quota code, what it counts, how to count it).
QUOTAS = (
    ("ec2", "L-0263D0A3", "Elastic IPs", "aws_eip"),
    ("vpc", "L-F678F1CE", "VPCs", "aws_vpc"),
    ("vpc", "L-FE5A380F", "NAT gateways per Availability Zone", "aws_nat_gateway"),
)


def identity(account: Account, deployment: Deployment) -> Iterator[Result]:
    try:
        caller = account("sts").get_caller_identity()
    except (BotoCoreError, ClientError) as error:
        raise UsageError(f"preflight found no usable AWS credentials ({error}); configure the standard chain") from None
    yield Result("identity", PASS, f"account {caller['Account']} as {caller['Arn']}, region {deployment.region}")


def engine_version(account: Account, deployment: Deployment) -> Iterator[Result]:
    database = deployment.only("aws_db_instance")
    engine, version = database["engine"], str(database["engine_version"])
    rds = account("rds")
    if "." in version:
        offered = rds.describe_db_engine_versions(Engine=engine, EngineVersion=version)["DBEngineVersions"]
        if not offered:
            latest = _latest_minor(rds, engine, version.split(".")[0])
            yield Result(
                "engine version",
                BLOCKER,
                f"{engine} {version} is not offered in {deployment.region} (AWS retires minor versions)",
                f"pin the major version only ({version.split('.')[0]}) or a current minor ({latest or 'none offered'})",
            )
            return
        chosen = version
        yield Result("engine version", PASS, f"{engine} {version} is offered")
    else:
        defaults = rds.describe_db_engine_versions(Engine=engine, EngineVersion=version, DefaultOnly=True)[
            "DBEngineVersions"
        ]
        if not defaults:
            yield Result(
                "engine version",
                BLOCKER,
                f"{engine} major version {version} is not offered",
                "choose a major version AWS offers in this region",
            )
            return
        chosen = defaults[0]["EngineVersion"]
        yield Result("engine version", PASS, f"{engine} {version} pins the major only: AWS would create {chosen}")
    yield from _instance_class(rds, engine, chosen, database["instance_class"])


def _latest_minor(rds: Any, engine: str, major: str) -> str | None:
    versions = [v["EngineVersion"] for v in rds.describe_db_engine_versions(Engine=engine)["DBEngineVersions"]]
    minors = sorted((v for v in versions if v.startswith(f"{major}.")), key=lambda v: [int(p) for p in v.split(".")])
    return minors[-1] if minors else None


def _instance_class(rds: Any, engine: str, version: str, instance_class: str) -> Iterator[Result]:
    options = rds.describe_orderable_db_instance_options(
        Engine=engine, EngineVersion=version, DBInstanceClass=instance_class
    )["OrderableDBInstanceOptions"]
    if options:
        yield Result("database instance class", PASS, f"{instance_class} is orderable for {engine} {version}")
    else:
        yield Result(
            "database instance class",
            BLOCKER,
            f"{instance_class} is not orderable for {engine} {version}",
            "choose an instance class offered for this engine version in this region",
        )


def zones_and_instance_types(account: Account, deployment: Deployment) -> Iterator[Result]:
    ec2 = account("ec2")
    zones = sorted({subnet["availability_zone"] for subnet in deployment.plan.resources("aws_subnet")})
    offered = {
        zone["ZoneName"]
        for zone in ec2.describe_availability_zones(Filters=[{"Name": "state", "Values": ["available"]}])[
            "AvailabilityZones"
        ]
    }
    missing = [zone for zone in zones if zone not in offered]
    if missing:
        yield Result(
            "availability zones",
            BLOCKER,
            f"{', '.join(missing)} not available in {deployment.region}",
            "set AWS_REGION to a region with these zones, or change the zones in stack/config.py",
        )
        return
    yield Result("availability zones", PASS, f"{', '.join(zones)} are available")
    types = sorted({template["instance_type"] for template in deployment.plan.resources("aws_launch_template")})
    offerings = ec2.describe_instance_type_offerings(
        LocationType="availability-zone",
        Filters=[{"Name": "instance-type", "Values": types}, {"Name": "location", "Values": zones}],
    )["InstanceTypeOfferings"]
    have = {(offer["InstanceType"], offer["Location"]) for offer in offerings}
    gaps = [f"{kind} in {zone}" for kind in types for zone in zones if (kind, zone) not in have]
    if gaps:
        yield Result(
            "instance types",
            BLOCKER,
            f"not offered: {', '.join(gaps)}",
            "choose an instance type offered in every zone",
        )
    else:
        yield Result("instance types", PASS, f"{', '.join(types)} offered in every zone")


def _bucket(account: Account, name: str) -> str | None:
    try:
        account("s3").head_bucket(Bucket=name)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code in ("404", "NoSuchBucket", "NotFound"):
            return None
        if code in ("403", "AccessDenied", "Forbidden"):
            return "exists and belongs to another account (bucket names are global)"
        raise
    return "exists in this account"


def _exists(call: Callable[[], list], missing_codes: tuple[str, ...]) -> str | None:
    try:
        found = call()
    except ClientError as error:
        if error.response["Error"]["Code"] in missing_codes:
            return None
        raise
    return "exists in this account" if found else None


# Plan type -> (attribute holding the name, what it is, how to look it up).
NAMED: dict[str, tuple[str, str, Callable[[Account, str], str | None]]] = {
    "aws_s3_bucket": ("bucket", "S3 bucket", _bucket),
    "aws_kms_alias": (
        "name",
        "KMS alias",
        lambda a, n: _exists(lambda: [x for x in a("kms").list_aliases()["Aliases"] if x["AliasName"] == n], ()),
    ),
    "aws_db_instance": (
        "identifier",
        "DB instance",
        lambda a, n: _exists(
            lambda: a("rds").describe_db_instances(DBInstanceIdentifier=n)["DBInstances"], ("DBInstanceNotFound",)
        ),
    ),
    "aws_db_subnet_group": (
        "name",
        "DB subnet group",
        lambda a, n: _exists(
            lambda: a("rds").describe_db_subnet_groups(DBSubnetGroupName=n)["DBSubnetGroups"],
            ("DBSubnetGroupNotFoundFault",),
        ),
    ),
    "aws_db_parameter_group": (
        "name",
        "DB parameter group",
        lambda a, n: _exists(
            lambda: a("rds").describe_db_parameter_groups(DBParameterGroupName=n)["DBParameterGroups"],
            ("DBParameterGroupNotFound",),
        ),
    ),
    "aws_cloudwatch_log_group": (
        "name",
        "log group",
        lambda a, n: _exists(
            lambda: [
                g for g in a("logs").describe_log_groups(logGroupNamePrefix=n)["logGroups"] if g["logGroupName"] == n
            ],
            (),
        ),
    ),
    "aws_lb_target_group": (
        "name",
        "target group",
        lambda a, n: _exists(
            lambda: a("elbv2").describe_target_groups(Names=[n])["TargetGroups"], ("TargetGroupNotFound",)
        ),
    ),
    "aws_lb": (
        "name",
        "load balancer",
        lambda a, n: _exists(
            lambda: a("elbv2").describe_load_balancers(Names=[n])["LoadBalancers"], ("LoadBalancerNotFound",)
        ),
    ),
    "aws_iam_role": (
        "name",
        "IAM role",
        lambda a, n: _exists(lambda: [a("iam").get_role(RoleName=n)], ("NoSuchEntity",)),
    ),
}
FINAL_SNAPSHOT = (
    "final_snapshot_identifier",
    "final DB snapshot",
    lambda a, n: _exists(
        lambda: a("rds").describe_db_snapshots(DBSnapshotIdentifier=n)["DBSnapshots"], ("DBSnapshotNotFound",)
    ),
)


def name_collisions(account: Account, deployment: Deployment) -> Iterator[Result]:
    deferred = []
    for type_, (attribute, kind, lookup) in NAMED.items():
        for resource in deployment.plan.resources(type_):
            if (resource.type, resource.name) in deployment.managed:
                continue  # the state holds it: the deploy updates it, it cannot collide
            # A database leaves a final snapshot only where the plan names one (prod).
            final = [FINAL_SNAPSHOT] if type_ == "aws_db_instance" and resource.get(FINAL_SNAPSHOT[0]) else []
            for key, what, find in [(attribute, kind, lookup), *final]:
                name = deployment.name(resource.get(key, ""))
                if name is None:
                    deferred.append(what)
                    continue
                found = find(account, name)
                if found:
                    yield Result(
                        f"name: {what}",
                        BLOCKER,
                        f"{name} {found}",
                        "delete the leftover, or destroy with the state that created it",
                    )
    if deferred:
        yield Result(
            "names with the deployment suffix",
            INFO,
            f"{len(deferred)} names end in the suffix the first apply draws (random_id in state), "
            "so they cannot collide with anything that exists",
        )
    else:
        yield Result("name collisions", PASS, "no name the deploy will use exists in the account")


def quotas(account: Account, deployment: Deployment) -> Iterator[Result]:
    ec2 = account("ec2")
    for service, code, what, type_ in QUOTAS:
        needed = len(deployment.plan.resources(type_))
        try:
            quota = account("service-quotas").get_service_quota(ServiceCode=service, QuotaCode=code)["Quota"]["Value"]
            used = _usage(ec2, type_)
        except (BotoCoreError, ClientError) as error:
            yield Result(
                f"quota: {what}", WARN, f"could not read it ({error})", "check it in the Service Quotas console"
            )
            continue
        if used + needed > quota:
            yield Result(
                f"quota: {what}",
                WARN,
                f"{used} used + {needed} needed > quota {quota:g}",
                f"request an increase of {service} {code}",
            )
        else:
            yield Result(f"quota: {what}", PASS, f"{used} used + {needed} needed <= quota {quota:g}")


def _usage(ec2: Any, type_: str) -> int:
    if type_ == "aws_eip":
        return len(ec2.describe_addresses()["Addresses"])
    if type_ == "aws_vpc":
        return len(ec2.describe_vpcs()["Vpcs"])
    gateways = ec2.describe_nat_gateways(Filters=[{"Name": "state", "Values": ["pending", "available"]}])["NatGateways"]
    per_zone: dict[str, int] = {}
    for gateway in gateways:
        per_zone[gateway["SubnetId"]] = per_zone.get(gateway["SubnetId"], 0) + 1
    return max(per_zone.values(), default=0)


CHECKS = (
    identity,
    profile,
    certificate,
    alarm_recipients,
    key_administrator,
    engine_version,
    zones_and_instance_types,
    name_collisions,
    quotas,
)


def run_checks(account: Account, deployment: Deployment) -> list[Result]:
    results = []
    for check in CHECKS:
        try:
            results.extend(check(account, deployment))
        except UsageError:
            raise
        except (BotoCoreError, ClientError, ResponseParserError) as error:
            results.append(could_not_run(check.__name__.replace("_", " "), error, account.emulated))
    return results


def could_not_run(check: str, error: Exception, emulated: bool) -> Result:
    # An emulator lacks some AWS APIs (moto has no DescribeDBEngineVersions): say so, don't block.
    if emulated and (isinstance(error, ResponseParserError) or "not been implemented" in str(error)):
        return Result(
            check,
            WARN,
            "not checked: the emulator does not implement this AWS API",
            "run preflight against the real account before deploying there",
        )
    reason = str(error).splitlines()[0]
    return Result(check, BLOCKER, f"the check could not run: {reason}", "fix access to the account, then run it again")
