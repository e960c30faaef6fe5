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
