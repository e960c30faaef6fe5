"""Security groups: internet -> ALB -> application -> database, one port at each step."""

from __future__ import annotations

from tap.plan import Match


def test_only_alb_accepts_internet_traffic_on_80_and_443(plan):
    open_rules = plan.resources("aws_vpc_security_group_ingress_rule").where({"cidr_ipv4": "0.0.0.0/0"})
    alb_group = (
        plan.resources("aws_security_group").where({"name": Match.that(lambda v: "-alb-sg-" in v, "alb")}).only()
    )
    assert sorted(r["from_port"] for r in open_rules) == [80, 443]
    for rule in open_rules:
        assert rule["security_group_id"] == f"${{{alb_group.address}.id}}"
        assert rule["from_port"] == rule["to_port"]
    plan.resources("aws_vpc_security_group_ingress_rule").assert_none({"cidr_ipv6": Match.any_value()})
    plan.resources("aws_security_group").assert_none({"ingress": Match.any_value()})


def _group(plan, role):
    return plan.resources("aws_security_group").where({"name": Match.that(lambda v: f"-{role}-sg-" in v, role)}).only()


def test_app_port_is_reachable_only_from_the_alb(plan, config):
    app, alb = _group(plan, "app"), _group(plan, "alb")
    inbound = plan.resources("aws_vpc_security_group_ingress_rule").where(
        {"security_group_id": f"${{{app.address}.id}}"}
    )
    inbound.assert_count(1)
    inbound.assert_all({"from_port": config.app_port, "referenced_security_group_id": f"${{{alb.address}.id}}"})


def test_postgres_is_reachable_only_from_the_app_and_never_dials_out(plan):
    db, app = _group(plan, "db"), _group(plan, "app")
    inbound = plan.resources("aws_vpc_security_group_ingress_rule").where(
        {"security_group_id": f"${{{db.address}.id}}"}
    )
    inbound.assert_count(1)
    inbound.assert_all({"from_port": 5432, "to_port": 5432, "referenced_security_group_id": f"${{{app.address}.id}}"})
    plan.resources("aws_vpc_security_group_egress_rule").assert_none({"security_group_id": f"${{{db.address}.id}}"})


def _egress(plan, group):
    return plan.resources("aws_vpc_security_group_egress_rule").where({"security_group_id": f"${{{group.address}.id}}"})


def _destination(rule) -> tuple:
    return (
        rule["ip_protocol"],
        rule["from_port"],
        rule["to_port"],
        rule.get("cidr_ipv4"),
        rule.get("referenced_security_group_id"),
        rule.get("prefix_list_id"),
    )


def test_application_egress_names_every_destination(plan):
    # PCI DSS 1.3.2: the database, the AWS endpoints' group and S3's prefix list, and nothing else.
    app, db, endpoints = _group(plan, "app"), _group(plan, "db"), _group(plan, "endpoints")
    s3 = plan.resources("aws_vpc_endpoint").where({"vpc_endpoint_type": "Gateway"}).only()
    assert sorted(map(_destination, _egress(plan, app)), key=str) == sorted(
        [
            ("tcp", 5432, 5432, None, f"${{{db.address}.id}}", None),
            ("tcp", 443, 443, None, f"${{{endpoints.address}.id}}", None),
            ("tcp", 443, 443, None, None, f"${{{s3.address}.prefix_list_id}}"),
        ],
        key=str,
    )


def test_declared_internet_destinations_get_https_and_nothing_more(egress_plan, egress_config):
    app = _group(egress_plan, "app")
    to_internet = [rule for rule in _egress(egress_plan, app) if rule.get("cidr_ipv4")]
    assert sorted(map(_destination, to_internet)) == sorted(
        ("tcp", 443, 443, cidr, None, None) for cidr in egress_config.internet_egress_cidrs
    )
    assert egress_config.internet_egress_cidrs  # a plan that declares something, or this checks nothing


def test_no_egress_rule_reaches_the_whole_internet(plan, egress_plan):
    for checked in (plan, egress_plan):
        checked.resources("aws_vpc_security_group_egress_rule").assert_none({"cidr_ipv4": "0.0.0.0/0"})
        checked.resources("aws_vpc_security_group_egress_rule").assert_none({"cidr_ipv6": Match.any_value()})
        checked.resources("aws_vpc_security_group_egress_rule").assert_none({"ip_protocol": "-1"})


def test_endpoints_admit_only_https_from_the_app_and_never_dial_out(plan):
    endpoints, app = _group(plan, "endpoints"), _group(plan, "app")
    inbound = plan.resources("aws_vpc_security_group_ingress_rule").where(
        {"security_group_id": f"${{{endpoints.address}.id}}"}
    )
    inbound.assert_count(1)
    inbound.assert_all({"from_port": 443, "to_port": 443, "referenced_security_group_id": f"${{{app.address}.id}}"})
    _egress(plan, endpoints).assert_count(0)


def test_every_rule_admits_tcp_on_exactly_one_port(plan, egress_plan):
    # A rule on protocol -1 or a port range opens far more than its description says.
    for each in (plan, egress_plan):
        for kind in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
            rules = each.resources(kind)
            rules.assert_all({"ip_protocol": "tcp"})
            assert [rule.address for rule in rules if rule.get("from_port") != rule.get("to_port")] == []


def test_alb_may_send_only_to_the_app_port(plan, config):
    alb_group = plan.resources("aws_security_group", under="firewall/alb-sg").only()
    app_group = plan.resources("aws_security_group", under="firewall/app-sg").only()
    (rule,) = plan.resources("aws_vpc_security_group_egress_rule").where(
        {"security_group_id": Match.reference_to(alb_group.address, "id")}
    )
    assert rule["referenced_security_group_id"] == f"${{{app_group.address}.id}}"
    assert rule["from_port"] == rule["to_port"] == config.app_port


def test_every_group_and_rule_records_why_it_exists(plan, egress_plan):
    # 1.2.5/1.2.7: the description is the recorded business justification the rule inventory shows.
    for each in (plan, egress_plan):
        for kind in ("aws_security_group", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
            each.resources(kind).assert_all({"description": Match.that(lambda v: v.strip() != "", "a justification")})


def test_groups_that_other_groups_name_revoke_their_rules_before_deletion(plan):
    # Two groups whose rules name each other cannot be deleted otherwise: a destroy stops on DependencyViolation.
    plan.resources("aws_security_group").assert_all({"revoke_rules_on_delete": True})
