"""Field-report lessons across modules: state-held name suffix, engine pin, EIP/NAT order, gp3, no plan secret."""

from __future__ import annotations

import json
import re

from stack.naming import SUFFIX_BYTES, Names, catalogue
from tap.plan import Match
from tests.unit.helpers import SUFFIX_REFERENCE, public_route_table, referenced


def test_deployment_suffix_is_held_in_state_with_keepers(plan, config):
    suffix = plan.resources("random_id").only()
    assert suffix.name == "deployment"
    assert suffix["byte_length"] == SUFFIX_BYTES
    assert suffix["keepers"] == {"environment": config.environment_suffix, "region": config.region}


def test_globally_unique_names_carry_the_deployment_suffix(plan, config):
    expected = Names(config, SUFFIX_REFERENCE)
    plan.resources("aws_s3_bucket").assert_all({"bucket": Match.that(lambda v: SUFFIX_REFERENCE in v, "the suffix")})
    plan.resources("aws_db_instance").assert_all(
        {
            "identifier": expected["db"],
            "final_snapshot_identifier": expected["db-final"] if config.keeps_final_snapshot else Match.absent(),
        }
    )
    plan.resources("aws_db_subnet_group").assert_all({"name": expected["db-subnets"]})
    plan.resources("aws_kms_alias").assert_count(4)
    plan.resources("aws_kms_alias").assert_all(
        {"name": Match.that(lambda v: v.endswith(f"-{SUFFIX_REFERENCE}"), "suffixed")}
    )


def test_no_name_is_drawn_at_synth_time(plan):
    # A uuid4() suffix would appear as literal hex; every suffix must be the state reference.
    plan.resources("aws_s3_bucket").assert_all(
        {"bucket": Match.that(lambda v: v.endswith(SUFFIX_REFERENCE), "suffixed")}
    )


def test_database_pins_major_version_with_minor_upgrades(plan, config):
    plan.resources("aws_db_instance").assert_all(
        {"engine": "postgres", "engine_version": config.db_engine_major, "auto_minor_version_upgrade": True}
    )
    plan.resources("aws_db_parameter_group").assert_all({"family": f"postgres{config.db_engine_major}"})


# NAT gateways exist only where internet destinations are declared: the NAT lessons are
# asserted on those plans (`egress_plan`), each first checking there is something to check.


def test_eip_depends_on_internet_gateway(egress_plan, egress_config):
    igw = egress_plan.resources("aws_internet_gateway").only()
    egress_plan.resources("aws_eip").assert_count(egress_config.nat_gateway_count)
    egress_plan.resources("aws_eip").assert_all({"domain": "vpc", "depends_on": Match.exact([igw.address])})


def test_nat_gateway_depends_on_its_eip_and_public_subnet(egress_plan, egress_config):
    plan = egress_plan
    plan.resources("aws_nat_gateway").assert_count(egress_config.nat_gateway_count)
    for nat in plan.resources("aws_nat_gateway"):
        depends = {dependency.type: dependency for dependency in plan.dependencies(nat)}
        assert set(depends) == {"aws_eip", "aws_subnet"}, nat.address
        assert nat["allocation_id"] == f"${{{depends['aws_eip'].address}.id}}"
        assert nat["subnet_id"] == f"${{{depends['aws_subnet'].address}.id}}"
        assert depends["aws_subnet"]["tags"]["Tier"] == "public"


def test_private_routes_depend_on_their_nat_gateway(egress_plan, egress_config):
    plan = egress_plan
    nat_routes = plan.resources("aws_route_table").where({"route": [{"nat_gateway_id": Match.any_value()}]})
    assert len(nat_routes) == len(plan.resources("aws_nat_gateway")) == egress_config.nat_gateway_count > 0
    for table in nat_routes:
        (nat,) = plan.dependencies(table)
        assert nat.type == "aws_nat_gateway"
        assert table["route"][0]["nat_gateway_id"] == f"${{{nat.address}.id}}"


def test_storage_uses_gp3(plan):
    plan.resources("aws_db_instance").assert_all({"storage_type": "gp3"})
    plan.resources("aws_launch_template").assert_all({"block_device_mappings": [{"ebs": {"volume_type": "gp3"}}]})


SECRET_KEYS = re.compile(r"(password|secret|private_key|access_key|token)$", re.I)
SECRET_VALUES = re.compile(r"AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|aws_secret_access_key", re.I)
# Settings whose names look secret but hold switches or references, never secret values.
NOT_SECRETS = {"manage_master_user_password", "master_user_secret_kms_key_id", "http_tokens"}


def _literals(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _literals(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _literals(item, f"{path}[{index}]")
    else:
        yield path, value


def test_plan_holds_no_secret_literal(plan):
    leaks = [
        (path, value)
        for path, value in _literals(plan.document)
        if (
            SECRET_KEYS.search(path.rsplit(".", 1)[-1])
            and path.rsplit(".", 1)[-1] not in NOT_SECRETS
            and value not in (None, True, False)
        )
        or (isinstance(value, str) and SECRET_VALUES.search(value))
    ]
    assert leaks == []


# Attributes that name a resource in AWS: each must tell deployments apart.
NAMING_KEYS = ("name", "name_prefix", "identifier", "bucket", "alarm_name", "scheduled_action_name")
# Where `name` names what a resource uses, not the resource: an association runs AWS's own document.
NAMED_BY = {"aws_ssm_association": ("association_name",)}


def _blocks(value) -> list[dict]:
    """A nested block as CDKTF writes it: one object, or a list of them."""
    return [value] if isinstance(value, dict) else list(value or [])


def _names(resource):
    """(where, literal value) of the resource's names and Name tags; a reference names a resource checked itself."""
    found = [(key, resource.get(key)) for key in NAMED_BY.get(resource.type, NAMING_KEYS)]
    found.append(("tags.Name", (resource.get("tags") or {}).get("Name")))
    found += [(f"tag.{t['key']}", t.get("value")) for t in resource.get("tag") or [] if t.get("key") == "Name"]
    found += [
        ("tag_specifications.tags.Name", spec.get("tags", {}).get("Name"))
        for spec in _blocks(resource.get("tag_specifications"))
    ]
    # A web ACL's metrics: two deployments sharing a name would share the metric its alarms watch.
    found += [
        ("visibility_config.metric_name", config.get("metric_name"))
        for config in _blocks(resource.get("visibility_config"))
    ]
    return [(where, value) for where, value in found if isinstance(value, str) and not value.startswith("${aws_")]


def test_every_name_and_name_tag_carries_the_deployment_suffix(plan, egress_plan):
    # Field report 1: a name without the suffix collides with the previous deployment's on redeploy.
    for each in (plan, egress_plan):
        unsuffixed = [
            f"{resource.address} {where} = {value}"
            for resource in each.resources()
            for where, value in _names(resource)
            if SUFFIX_REFERENCE not in value
        ]
        assert unsuffixed == []


def test_resources_wait_for_what_aws_checks_when_it_creates_them(plan):
    # Field report 3 in general: AWS validates these at creation, against resources Terraform
    # would otherwise create in parallel.
    blocks, policies, versioning = (
        {referenced(r["bucket"]): r.address for r in plan.resources(kind)}
        for kind in ("aws_s3_bucket_public_access_block", "aws_s3_bucket_policy", "aws_s3_bucket_versioning")
    )
    # A bucket policy is refused while its public access block is still being set.
    for policy in plan.resources("aws_s3_bucket_policy"):
        assert policy["depends_on"] == [blocks[referenced(policy["bucket"])]], policy.address
    # S3 and ELB check that they may deliver logs into the target bucket.
    for logging in plan.resources("aws_s3_bucket_logging"):
        assert logging["depends_on"] == [policies[referenced(logging["target_bucket"])]], logging.address
    alb = plan.resources("aws_lb").only()
    assert alb["depends_on"] == [policies[referenced(alb["access_logs"]["bucket"])]]
    # Object Lock needs versioning already on.
    for lock in plan.resources("aws_s3_bucket_object_lock_configuration"):
        assert lock["depends_on"] == [versioning[referenced(lock["bucket"])]], lock.address
    # A route to an internet gateway that is not yet attached fails.
    assert public_route_table(plan)["depends_on"] == [plan.resources("aws_internet_gateway").only().address]


def test_every_name_in_the_catalogue_is_given_to_a_resource(plan, config, egress_plan, egress_config):
    # A name dropped from a resource leaves AWS to invent one: nobody (preflight's collision check
    # included) can tell which deployment it belongs to.
    for each, deployment in ((plan, config), (egress_plan, egress_config)):
        text, names = json.dumps(each.document), Names(deployment, SUFFIX_REFERENCE)
        assert [key for key in catalogue(deployment) if json.dumps(names[key])[1:-1] not in text] == []


# What the stack names with a Name tag: the inventory (12.5.1) people read in the console and bills.
NAME_TAGGED = (
    "aws_vpc",
    "aws_subnet",
    "aws_internet_gateway",
    "aws_nat_gateway",
    "aws_eip",
    "aws_route_table",
    "aws_security_group",
    "aws_default_security_group",
    "aws_vpc_endpoint",
    "aws_flow_log",
    "aws_db_instance",
    "aws_db_subnet_group",
)


def test_every_network_and_database_resource_carries_its_name_tag(plan, egress_plan):
    for each in (plan, egress_plan):
        untagged = [
            r.address
            for r in each.resources()
            if r.type in NAME_TAGGED and SUFFIX_REFERENCE not in (r.get("tags") or {}).get("Name", "")
        ]
        assert untagged == []
    plan.resources("aws_autoscaling_group").assert_all({"tag": [{"key": "Name"}]})  # instances: tag_specifications
