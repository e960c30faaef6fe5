"""Load balancer, Auto Scaling and database settings that differ by profile."""

from __future__ import annotations

import json

from tap.plan import Match


def test_alb_is_internet_facing_strict_and_logged(plan, config):
    plan.resources("aws_lb").assert_all(
        {
            "internal": False,
            "load_balancer_type": "application",
            "drop_invalid_header_fields": True,
            "enable_deletion_protection": config.settings.deletion_protection,
            "access_logs": {"enabled": True, "bucket": Match.any_value()},
        }
    )
    alb = plan.resources("aws_lb").only()
    public = {f"${{{s.address}.id}}" for s in plan.resources("aws_subnet").where({"tags": {"Tier": "public"}})}
    assert set(alb["subnets"]) == public


def test_https_listener_uses_tls13_policy_and_config_certificate(plan, config):
    plan.resources("aws_lb_listener").assert_count(
        1,
        {"port": 443, "protocol": "HTTPS", "ssl_policy": config.tls_policy, "certificate_arn": config.certificate_arn},
    )
    assert config.tls_policy.startswith("ELBSecurityPolicy-TLS13-")


def test_http_listener_only_redirects_to_https(plan):
    http = plan.resources("aws_lb_listener").where({"port": 80}).only()
    (action,) = http["default_action"]
    assert action == {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}


def test_target_group_has_a_health_check(plan, config):
    plan.resources("aws_lb_target_group").assert_all(
        {"port": config.app_port, "health_check": {"enabled": True, "path": Match.any_value(), "matcher": "200"}}
    )


def test_autoscaling_group_runs_latest_template_in_app_subnets_with_elb_checks(plan, config):
    template = plan.resources("aws_launch_template").only()
    group = plan.resources("aws_autoscaling_group").only()
    app = {f"${{{s.address}.id}}" for s in plan.resources("aws_subnet").where({"tags": {"Tier": "app"}})}
    assert set(group["vpc_zone_identifier"]) == app
    plan.resources("aws_autoscaling_group").assert_all(
        {
            "health_check_type": "ELB",
            "launch_template": {
                "id": f"${{{template.address}.id}}",
                "version": f"${{{template.address}.latest_version}}",
            },
            "min_size": config.settings.min_size,
            "max_size": config.settings.max_size,
        }
    )
    assert template["update_default_version"] is True


def test_instance_profile_grants_session_manager_only(plan):
    plan.resources("aws_iam_role_policy_attachment", under="compute/").assert_all(
        {"policy_arn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"}
    )


def test_database_enhanced_monitoring_uses_its_own_role(plan):
    role = plan.resources("aws_iam_role", under="database/").only()
    assert json.loads(role["assume_role_policy"])["Statement"][0]["Principal"] == {
        "Service": "monitoring.rds.amazonaws.com"
    }
    plan.resources("aws_iam_role_policy_attachment", under="database/").assert_all(
        {
            "role": Match.reference_to(role.address, "name"),
            "policy_arn": Match.that(
                lambda arn: arn.endswith("/AmazonRDSEnhancedMonitoringRole"), "the RDS monitoring policy"
            ),
        }
    )
    plan.resources("aws_db_instance").assert_all(
        {"monitoring_interval": 60, "monitoring_role_arn": Match.reference_to(role.address, "arn")}
    )


def test_alb_is_protected_by_waf_with_managed_rules_and_logging(plan):
    acl = plan.resources("aws_wafv2_web_acl").only()
    groups = {rule["statement"]["managed_rule_group_statement"]["name"] for rule in acl["rule"]}
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= groups
    alb = plan.resources("aws_lb").only()
    plan.resources("aws_wafv2_web_acl_association").assert_count(
        1,
        {"resource_arn": Match.reference_to(alb.address, "arn"), "web_acl_arn": Match.reference_to(acl.address, "arn")},
    )
    log_group = plan.resources("aws_cloudwatch_log_group", under="logs/waf-logs").only()
    assert log_group["name"].startswith("aws-waf-logs-")
    plan.resources("aws_wafv2_web_acl_logging_configuration").assert_count(
        1, {"log_destination_configs": [Match.reference_to(log_group.address, "arn")]}
    )


def test_database_resilience_follows_profile(plan, config):
    plan.resources("aws_db_instance").assert_all(
        {
            "multi_az": config.settings.multi_az,
            "deletion_protection": config.settings.deletion_protection,
            "backup_retention_period": Match.at_least(7),
            "copy_tags_to_snapshot": True,
            "skip_final_snapshot": False,
            "enabled_cloudwatch_logs_exports": ["postgresql", "upgrade"],
        }
    )
    assert config.settings.multi_az == config.settings.deletion_protection == (config.profile == "prod")


def test_database_exports_into_log_groups_created_first(plan):
    database = plan.resources("aws_db_instance").only()
    groups = plan.dependencies(database)
    assert {g.type for g in groups} == {"aws_cloudwatch_log_group"}
    identifier = database["identifier"]
    assert sorted(g["name"] for g in groups) == sorted(
        f"/aws/rds/instance/{identifier}/{export}" for export in database["enabled_cloudwatch_logs_exports"]
    )


def test_alarms_watch_alb_targets_and_database(plan):
    alarms = plan.resources("aws_cloudwatch_metric_alarm")
    for metric in ("HTTPCode_ELB_5XX_Count", "UnHealthyHostCount", "CPUUtilization", "FreeStorageSpace"):
        alarms.assert_count(1, {"metric_name": metric})
    topic = plan.resources("aws_sns_topic").only()
    alarms.assert_all({"alarm_actions": [f"${{{topic.address}.arn}}"]})
    assert topic["kms_master_key_id"].startswith("${aws_kms_key.")


def test_vpc_has_dns_flow_logs_and_s3_endpoint(plan):
    plan.resources("aws_vpc").assert_all({"enable_dns_support": True, "enable_dns_hostnames": True})
    group = (
        plan.resources("aws_cloudwatch_log_group")
        .where({"name": Match.that(lambda v: "flow-logs" in v, "flow")})
        .only()
    )
    plan.resources("aws_flow_log").assert_all(
        {
            "traffic_type": "ALL",
            "log_destination_type": "cloud-watch-logs",
            "log_destination": f"${{{group.address}.arn}}",
        }
    )
    plan.resources("aws_vpc_endpoint").assert_all(
        {"vpc_endpoint_type": "Gateway", "service_name": Match.that(lambda v: v.endswith(".s3"), "s3")}
    )


def test_subnets_span_three_azs_in_three_tiers(plan, config):
    subnets = plan.resources("aws_subnet")
    for tier in ("public", "app", "db"):
        tiered = subnets.where({"tags": {"Tier": tier}})
        assert sorted(s["availability_zone"] for s in tiered) == list(config.availability_zones)


def test_database_subnets_have_no_route_out(plan):
    db_subnets = {f"${{{s.address}.id}}" for s in plan.resources("aws_subnet").where({"tags": {"Tier": "db"}})}
    tables = {
        a["route_table_id"] for a in plan.resources("aws_route_table_association") if a["subnet_id"] in db_subnets
    }
    (table,) = tables
    assert plan.resource(table.removeprefix("${").removesuffix(".id}")).get("route") in (None, [])
