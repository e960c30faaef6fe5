"""Alarms that reach people: availability, log delivery and security-control failures, to an encrypted topic."""

from __future__ import annotations

import json
import re

import yaml

from stack.contract import PROJECT_ROOT
from stack.tamper import (
    CLOUDTRAIL_API_CALL,
    DB_EVENT_CATEGORIES,
    EVENT_RULE,
    NAMED_IN_A_RULE,
    TAMPER_WATCHES,
    readme_table,
)
from tap.plan import Match
from tests.unit.helpers import referenced


def test_alarms_watch_alb_targets_and_database(plan):
    alarms = plan.resources("aws_cloudwatch_metric_alarm")
    for metric in ("HTTPCode_ELB_5XX_Count", "UnHealthyHostCount", "CPUUtilization", "FreeStorageSpace"):
        alarms.assert_count(1, {"metric_name": metric})
    topic = plan.resources("aws_sns_topic").only()
    alarms.assert_all({"alarm_actions": [f"${{{topic.address}.arn}}"]})
    assert topic["kms_master_key_id"].startswith("${aws_kms_key.")


def test_alarm_topic_reaches_the_configured_addresses(plan, config):
    topic = plan.resources("aws_sns_topic").only()
    subscriptions = plan.resources("aws_sns_topic_subscription")
    subscriptions.assert_all({"topic_arn": Match.reference_to(topic.address, "arn"), "protocol": "email"})
    assert sorted(s["endpoint"] for s in subscriptions) == sorted(config.alarm_emails)


def test_only_event_counts_treat_missing_data_as_healthy(plan):
    """A dead fleet, a stopped database or a silent log source sends no data: that must alarm."""
    for alarm in plan.resources("aws_cloudwatch_metric_alarm"):
        expected = "notBreaching" if alarm["metric_name"] == "HTTPCode_ELB_5XX_Count" else "breaching"
        assert alarm["treat_missing_data"] == expected, alarm.address


def test_a_dead_fleet_alarms_where_the_fleet_never_sleeps(plan, config):
    healthy = plan.resources("aws_cloudwatch_metric_alarm").where({"metric_name": "HealthyHostCount"})
    assert len(healthy) == (1 if config.profile == "prod" else 0) == int(config.fleet_always_on)


def test_log_delivery_going_quiet_alarms(plan):
    # The database's audit log (pgaudit, connections) as much as the flow and WAF logs: silence is a failure.
    quiet = plan.resources("aws_cloudwatch_metric_alarm").where({"metric_name": "IncomingLogEvents"})
    groups = {alarm["dimensions"]["LogGroupName"] for alarm in quiet}
    expected = {
        f"${{{plan.resources('aws_cloudwatch_log_group', under=f'logs/{g}').only().address}.name}}"
        for g in ("flow-logs", "waf-logs", "postgresql")
    }
    assert groups == expected
    quiet.assert_all(
        {"comparison_operator": "LessThanThreshold", "threshold": 1, "period": 3600, "treat_missing_data": "breaching"}
    )
    # The notification names the database whose audit trail went quiet (and so ties the alarm to it: CKV2_PAY_71).
    database = plan.resources("aws_db_instance").only()
    (audit,) = [alarm for alarm in quiet if "postgresql" in alarm["dimensions"]["LogGroupName"]]
    assert f"${{{database.address}.identifier}}" in audit["alarm_description"]


def test_security_control_failures_reach_the_topic(plan):
    topic = plan.resources("aws_sns_topic").only()
    rules = {
        rule.name.split("_")[1]: json.loads(rule["event_pattern"])
        for rule in plan.resources("aws_cloudwatch_event_rule")
    }
    assert set(rules) == {watch.rule for watch in TAMPER_WATCHES} | {"db-failures"}
    assert "failure" in rules["db-failures"]["detail"]["EventCategories"]
    targets = plan.resources("aws_cloudwatch_event_target")
    targets.assert_all({"arn": Match.reference_to(topic.address, "arn")})
    assert len(targets) == len(rules)


def _rule_patterns(plan) -> dict[str, dict]:
    return {
        rule.name.split("_")[1]: json.loads(rule["event_pattern"])
        for rule in plan.resources("aws_cloudwatch_event_rule")
    }


def _scoped_to(detail: dict) -> dict[str, set[str]]:
    """Request parameter -> the values the pattern matches, whether stated alone or as `$or` alternatives."""
    alternatives = detail.get("$or", [detail])
    return {
        parameter: set(values)
        for branch in alternatives
        for parameter, values in branch.get("requestParameters", {}).items()
    }


def test_every_tamper_api_is_watched_on_every_resource_of_its_family(plan):
    # One rule per family: exactly its API calls, on every resource of the stack it is scoped to.
    patterns = _rule_patterns(plan)
    for watch in TAMPER_WATCHES:
        pattern = patterns[watch.rule]
        assert pattern["source"] == [watch.source] and pattern["detail-type"] == [CLOUDTRAIL_API_CALL], watch.rule
        detail = pattern["detail"]
        assert detail["eventSource"] == [watch.event_source] and detail["eventName"] == list(watch.apis), watch.rule
        resources = plan.resources(watch.resource_type)
        assert resources, watch.rule
        expected: dict[str, set[str]] = {}
        for scope in watch.scopes:
            expected.setdefault(scope.parameter, set()).update(f"${{{r.address}.{scope.attribute}}}" for r in resources)
        assert _scoped_to(detail) == expected, watch.rule
        assert set(detail) - {"eventSource", "eventName", "requestParameters", "$or"} == set(), watch.rule


def test_a_tamper_rule_on_the_whole_region_names_the_stacks_resources_it_protects(plan):
    # Its pattern cannot name them: its description does (what the console shows, and what ties them in CKV2_PAY_70).
    rules = {rule.name.split("_")[1]: rule for rule in plan.resources("aws_cloudwatch_event_rule")}
    for watch in (watch for watch in TAMPER_WATCHES if not watch.scopes and watch.resource_type != EVENT_RULE):
        description = rules[watch.rule]["description"]
        protected = plan.resources(watch.resource_type)
        assert protected, watch.rule
        assert all(f"${{{r.address}.{watch.named_by}}}" in description for r in protected), watch.rule


def test_the_event_rule_watch_names_the_pattern_of_every_rule_name(plan):
    # It cannot reference the rules (itself among them): it states the pattern their names all follow.
    rules = {rule.name.split("_")[1]: rule for rule in plan.resources("aws_cloudwatch_event_rule")}
    (watch,) = [watch for watch in TAMPER_WATCHES if watch.resource_type == EVENT_RULE]
    (stated,) = re.findall(r"the stack's: (\S+)$", rules[watch.rule]["description"])
    prefix, suffix = stated.split("*")
    assert prefix and suffix
    assert all(rule["name"].startswith(prefix) and rule["name"].endswith(suffix) for rule in rules.values())


def test_the_reviews_tamper_calls_are_watched(plan):
    # The calls that delete logs, strip their key, stop rotation or switch access logging off.
    watched = {api for pattern in _rule_patterns(plan).values() for api in pattern["detail"].get("eventName", [])}
    assert {
        "PutRetentionPolicy",
        "DisassociateKmsKey",
        "DisableKeyRotation",
        "ModifyLoadBalancerAttributes",
        "PutBucketLogging",
        "PutBucketPolicy",
        "DeleteBucketPolicy",
    } <= watched


def test_the_controls_added_since_and_the_alarm_path_are_watched(plan):
    # Each call that weakens a network ACL, an endpoint, the DNS firewall or its logs, card data masking,
    # the session document, patching, or the path an alarm takes to a person.
    watched = {
        (pattern["source"][0], api)
        for pattern in _rule_patterns(plan).values()
        for api in pattern["detail"].get("eventName", [])
    }
    expected = {
        "aws.ec2": "CreateNetworkAclEntry ReplaceNetworkAclEntry DeleteNetworkAclEntry ReplaceNetworkAclAssociation "
        "DeleteNetworkAcl ModifyVpcEndpoint DeleteVpcEndpoints",
        "aws.route53resolver": "DisassociateFirewallRuleGroup UpdateFirewallRule DeleteFirewallRule "
        "UpdateFirewallDomains UpdateFirewallConfig UpdateFirewallRuleGroupAssociation "
        "DisassociateResolverQueryLogConfig DeleteResolverQueryLogConfig",
        "aws.logs": "DeleteDataProtectionPolicy PutDataProtectionPolicy",
        "aws.ssm": "UpdateDocument UpdateDocumentDefaultVersion DeleteDocument UpdateAssociation DeleteAssociation",
        "aws.events": "DisableRule DeleteRule RemoveTargets PutRule",
        "aws.cloudwatch": "DeleteAlarms DisableAlarmActions PutMetricAlarm",
        "aws.sns": "DeleteTopic SetTopicAttributes Unsubscribe",
        "aws.elasticloadbalancing": "DeleteLoadBalancer ModifyListener DeleteListener",
    }
    assert {(source, api) for source, apis in expected.items() for api in apis.split()} <= watched


def test_cloudwatch_alarm_calls_are_matched_by_cloudtrails_event_source(plan):
    # CloudTrail records CloudWatch's API calls as monitoring.amazonaws.com, not cloudwatch.amazonaws.com.
    detail = _rule_patterns(plan)["alarm-tampering"]["detail"]
    assert detail["eventSource"] == ["monitoring.amazonaws.com"]


def test_database_events_that_notify_include_changes_maintenance_deletion_and_security(plan):
    database = plan.resources("aws_db_instance").only()
    detail = _rule_patterns(plan)["db-failures"]["detail"]
    assert detail["SourceIdentifier"] == [f"${{{database.address}.identifier}}"]
    assert detail["EventCategories"] == list(DB_EVENT_CATEGORIES)
    assert {"configuration change", "maintenance", "deletion", "security"} <= set(DB_EVENT_CATEGORIES)


def test_readme_table_of_tamper_calls_is_the_one_the_rules_serve_from():
    assert readme_table() in (PROJECT_ROOT / "README.md").read_text()


def test_tamper_scope_policy_selects_every_type_a_watch_is_scoped_to():
    definition = yaml.safe_load((PROJECT_ROOT / "policies" / "CKV2_PAY_70.yaml").read_text())["definition"]
    selected = [condition["value"] for condition in definition["and"] if condition.get("cond_type") == "filter"]
    assert selected == [list(NAMED_IN_A_RULE)]
    assert set(NAMED_IN_A_RULE) == {watch.resource_type for watch in TAMPER_WATCHES} - {EVENT_RULE}


def test_topic_admits_services_only_for_this_accounts_alarms_and_rules(plan):
    topic = plan.resources("aws_sns_topic").only()
    policy = plan.resources("aws_sns_topic_policy").only()
    assert policy["arn"] == f"${{{topic.address}.arn}}"
    statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
    events = statements["EventBridgeRulesPublish"]
    assert events["Principal"] == {"Service": "events.amazonaws.com"}
    assert sorted(events["Condition"]["ArnEquals"]["aws:SourceArn"]) == sorted(
        f"${{{rule.address}.arn}}" for rule in plan.resources("aws_cloudwatch_event_rule")
    )
    for statement in statements.values():
        if "Service" in statement["Principal"]:
            assert "aws:SourceAccount" in statement["Condition"]["StringEquals"], statement["Sid"]
    # The account's own grant names its account twice: as the principal and as the caller's account.
    account = statements["AccountManagesTopic"]
    account_id = account["Principal"]["AWS"].split(":")[4]
    assert account["Condition"] == {"StringEquals": {"aws:PrincipalAccount": account_id}}


def test_every_alarm_tells_the_topic_when_it_fires_and_when_it_recovers(plan):
    topic = plan.resources("aws_sns_topic").only()
    reference = Match.exact([f"${{{topic.address}.arn}}"])
    plan.resources("aws_cloudwatch_metric_alarm").assert_all({"alarm_actions": reference, "ok_actions": reference})


def test_every_alarm_watches_a_resource_of_this_stack(plan):
    # An alarm whose dimensions are missing, or name nothing of the plan, watches a metric nobody emits.
    addresses = {resource.address for resource in plan.resources()}
    for alarm in plan.resources("aws_cloudwatch_metric_alarm"):
        dimensions = alarm.get("dimensions") or {}
        watched = {referenced(value) for value in dimensions.values()}
        assert dimensions and watched <= addresses, (alarm.address, dimensions)


def test_every_alarm_decides_within_an_hour(plan):
    late = [
        alarm.address
        for alarm in plan.resources("aws_cloudwatch_metric_alarm")
        if alarm["period"] * alarm["evaluation_periods"] > 3600
    ]
    assert late == []


def test_every_alarm_period_is_one_cloudwatch_accepts(plan):
    # PutMetricAlarm takes 10, 20, 30 or a multiple of 60 seconds: anything else fails the deploy.
    for alarm in plan.resources("aws_cloudwatch_metric_alarm"):
        period = alarm["period"]
        assert period in (10, 20, 30) or (period > 0 and period % 60 == 0), alarm.address
        assert alarm["evaluation_periods"] >= 1, alarm.address


# "CPUUtilization above 80% over 15 minutes: ..." — the condition the notification states.
STATED_CONDITION = re.compile(
    r"(?P<metric>\w+) (?P<side>above|below) (?P<value>[\d.]+)(?P<unit> GiB|%)? over "
    r"(?:(?P<minutes>\d+) minutes|(?P<hours>an|\d+) hours?): \S"
)
UNIT_FACTORS = {" GiB": 1024**3, "%": 1, None: 1}


def test_every_alarm_states_the_condition_that_fires_it(plan):
    # The on-call engineer reads the description: a threshold or window changed without it would mislead.
    for alarm in plan.resources("aws_cloudwatch_metric_alarm"):
        stated = STATED_CONDITION.match(alarm["alarm_description"])
        assert stated, (alarm.address, alarm["alarm_description"])
        hours = stated["hours"]
        window = int(stated["minutes"]) * 60 if stated["minutes"] else (1 if hours == "an" else int(hours)) * 3600
        assert stated["metric"] == alarm["metric_name"], alarm.address
        assert (stated["side"] == "below") == alarm["comparison_operator"].startswith("LessThan"), alarm.address
        assert float(stated["value"]) * UNIT_FACTORS[stated["unit"]] == alarm["threshold"], alarm.address
        assert window == alarm["period"] * alarm["evaluation_periods"], alarm.address


def test_every_alarm_can_fire(plan):
    # A "fewer than 0" count or a CPU "above 100%" is never true: the alarm would watch in silence.
    for alarm in plan.resources("aws_cloudwatch_metric_alarm"):
        threshold, below = alarm["threshold"], alarm["comparison_operator"].startswith("LessThan")
        assert threshold > 0 if below else threshold >= 0, alarm.address
        if alarm["metric_name"] == "CPUUtilization":
            assert threshold < 100, alarm.address


def test_target_health_alarms_watch_the_target_group_behind_the_load_balancer(plan):
    # CloudWatch publishes host counts per (load balancer, target group): one dimension alone matches nothing.
    alb, group = plan.resources("aws_lb").only(), plan.resources("aws_lb_target_group").only()
    hosts = [a for a in plan.resources("aws_cloudwatch_metric_alarm") if a["metric_name"].endswith("HostCount")]
    assert hosts
    for alarm in hosts:
        assert alarm["dimensions"] == {
            "LoadBalancer": f"${{{alb.address}.arn_suffix}}",
            "TargetGroup": f"${{{group.address}.arn_suffix}}",
        }


def test_every_alarm_and_event_rule_says_what_it_means(plan):
    # The text the on-call engineer reads in the notification.
    plan.resources("aws_cloudwatch_metric_alarm").assert_all({"alarm_description": Match.that(str.strip, "a meaning")})
    plan.resources("aws_cloudwatch_event_rule").assert_all({"description": Match.that(str.strip, "a meaning")})


def test_database_log_groups_name_their_export_in_a_tag(plan):
    # CKV2_PAY_71 finds the audit log by this tag: the group's name holds the suffix checkov cannot read.
    database = plan.resources("aws_db_instance").only()
    for export in database["enabled_cloudwatch_logs_exports"]:
        group = plan.resources("aws_cloudwatch_log_group", under=f"logs/{export}").only()
        assert group["tags"]["DatabaseLog"] == export
        assert group["name"].endswith(f"/{export}")
        assert f"aws_cloudwatch_log_group.{group.address.split('.')[1]}" in database["depends_on"]
