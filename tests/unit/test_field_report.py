"""One test per lesson of the field report, read from the synthesized plan."""

from __future__ import annotations

from stack.naming import SUFFIX_BYTES, Names
from tap.plan import Match

SUFFIX_REFERENCE = "${random_id.deployment.hex}"


def test_deployment_suffix_is_held_in_state_with_keepers(plan, config):
    suffix = plan.resources("random_id").only()
    assert suffix.name == "deployment"
    assert suffix["byte_length"] == SUFFIX_BYTES
    assert suffix["keepers"] == {"environment": config.environment_suffix, "region": config.region}


def test_globally_unique_names_carry_the_deployment_suffix(plan, config):
    expected = Names(config, SUFFIX_REFERENCE)
    plan.resources("aws_s3_bucket").assert_all({"bucket": Match.that(lambda v: SUFFIX_REFERENCE in v, "the suffix")})
    plan.resources("aws_db_instance").assert_all(
        {"identifier": expected["db"], "final_snapshot_identifier": expected["db-final"]}
    )
    plan.resources("aws_db_subnet_group").assert_all({"name": expected["db-subnets"]})
    plan.resources("aws_kms_alias").assert_count(3)
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


def test_eip_depends_on_internet_gateway(plan):
    igw = plan.resources("aws_internet_gateway").only()
    plan.resources("aws_eip").assert_all({"domain": "vpc", "depends_on": [igw.address]})


def test_nat_gateway_depends_on_its_eip_and_public_subnet(plan):
    for nat in plan.resources("aws_nat_gateway"):
        depends = {dependency.type: dependency for dependency in plan.dependencies(nat)}
        assert set(depends) == {"aws_eip", "aws_subnet"}, nat.address
        assert nat["allocation_id"] == f"${{{depends['aws_eip'].address}.id}}"
        assert nat["subnet_id"] == f"${{{depends['aws_subnet'].address}.id}}"
        assert depends["aws_subnet"]["tags"]["Tier"] == "public"


def test_private_routes_depend_on_their_nat_gateway(plan):
    nat_routes = plan.resources("aws_route_table").where({"route": [{"nat_gateway_id": Match.any_value()}]})
    assert len(nat_routes) == len(plan.resources("aws_nat_gateway"))
    for table in nat_routes:
        (nat,) = plan.dependencies(table)
        assert nat.type == "aws_nat_gateway"
        assert table["route"][0]["nat_gateway_id"] == f"${{{nat.address}.id}}"


def test_nat_gateway_count_follows_profile(plan, config):
    plan.resources("aws_nat_gateway").assert_count(config.nat_gateway_count)
    plan.resources("aws_eip").assert_count(config.nat_gateway_count)
    assert config.nat_gateway_count == (3 if config.profile == "prod" else 1)


def test_every_app_subnet_routes_through_a_nat(plan, config):
    app_subnets = plan.resources("aws_subnet").where({"tags": {"Tier": "app"}})
    app_subnets.assert_count(config.az_count)
    associations = plan.resources("aws_route_table_association")
    nat_tables = {
        t.address for t in plan.resources("aws_route_table").where({"route": [{"nat_gateway_id": Match.any_value()}]})
    }
    for subnet in app_subnets:
        (association,) = associations.where({"subnet_id": f"${{{subnet.address}.id}}"})
        assert association["route_table_id"].removeprefix("${").removesuffix(".id}") in nat_tables


def test_launch_template_tags_instances_and_volumes(plan):
    template = plan.resources("aws_launch_template").only()
    types = {spec["resource_type"] for spec in template["tag_specifications"]}
    assert types == {"instance", "volume"}
    assert all(spec["tags"].get("Name") for spec in template["tag_specifications"])


def test_database_credentials_are_managed_by_secrets_manager(plan):
    database = plan.resources("aws_db_instance").only()
    assert database["manage_master_user_password"] is True
    assert "password" not in database.properties and "password_wo" not in database.properties
    data_key = plan.resources("aws_kms_key").where({"description": Match.that(lambda v: "Cardholder" in v, "data")})
    assert database["master_user_secret_kms_key_id"] == f"${{{data_key.only().address}.arn}}"


def test_storage_uses_gp3(plan):
    plan.resources("aws_db_instance").assert_all({"storage_type": "gp3"})
    plan.resources("aws_launch_template").assert_all({"block_device_mappings": [{"ebs": {"volume_type": "gp3"}}]})


def test_dev_scales_down_on_a_schedule_and_prod_does_not(plan, config):
    schedules = plan.resources("aws_autoscaling_schedule")
    schedules.assert_count(len(config.settings.schedules))
    if config.profile == "dev":
        schedules.assert_some({"desired_capacity": 0, "min_size": 0})
        schedules.assert_some({"desired_capacity": Match.at_least(1)})
