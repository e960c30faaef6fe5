"""The live table (tap/live/observed) accounts for every attribute of every plan the stack makes.

An attribute the table neither reads from the account nor declares unobservable would be a silent
gap in the live suite: the live run itself reports it as not evaluated, and this test finds it
before any account is involved, in every deployment's plan.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from tap.live.guard import ALLOWED
from tap.live.observed import KINDS, UNOBSERVED_TYPES
from tap.live.observed.table import META, Observer, matches
from tap.plan import Plan, Resource

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def planned_attributes(plan_paths: dict[str, Path]) -> dict[str, set[str]]:
    """Every resource type any deployment plans, with every attribute any of its resources sets."""
    found: dict[str, set[str]] = {}
    for path in plan_paths.values():
        for resource in Plan.load(path).resources():
            found.setdefault(resource.type, set()).update(set(resource.properties) - META)
    return found


def test_every_planned_type_is_in_the_live_table(planned_attributes):
    missing = sorted(set(planned_attributes) - set(KINDS) - set(UNOBSERVED_TYPES))
    assert not missing, f"types the live table does not cover: {missing}"


def test_every_planned_attribute_is_read_or_declared_unobservable(planned_attributes):
    missing = {
        type_: sorted(attributes - set(KINDS[type_].attributes) - set(KINDS[type_].unobservable))
        for type_, attributes in planned_attributes.items()
        if type_ in KINDS
    }
    missing = {type_: attributes for type_, attributes in missing.items() if attributes}
    assert not missing, f"attributes the live table neither reads nor says why it cannot: {missing}"


@pytest.mark.parametrize("type_", sorted(KINDS))
def test_an_attribute_is_either_read_or_unobservable_never_both(type_):
    kind = KINDS[type_]
    assert not set(kind.attributes) & set(kind.unobservable)
    assert set(kind.beyond_emulator) <= set(kind.attributes), "what the emulator lacks is still read from AWS"
    assert set(kind.defaults) <= set(kind.attributes), "a provider default is compared, so it must be read"


def test_the_readme_lists_every_unobservable_attribute_with_its_reason():
    listed = set(re.findall(r"^- `(\w+\.(?:\w+|\*))`: (.+)$", README.read_text(), re.MULTILINE))
    declared = {
        (f"{type_}.{attribute}", why) for type_, kind in KINDS.items() for attribute, why in kind.unobservable.items()
    }
    declared |= {(f"{type_}.*", why) for type_, why in UNOBSERVED_TYPES.items()}
    assert declared == listed


def test_a_reference_to_what_the_account_does_not_show_is_not_evaluated_naming_it():
    """A referenced resource found without the attribute referred to is a named failure, never an error."""
    from tap.live.observed.table import Kind, Observer, at

    plan = Plan(
        {
            "provider": {"aws": [{"region": "ap-southeast-1"}]},
            "resource": {
                "aws_vpc": {"main": {"cidr_block": "10.0.0.0/16"}},
                "aws_default_network_acl": {
                    "acl": {"default_network_acl_id": "${aws_vpc.main.default_network_acl_id}"}
                },
            },
        }
    )
    kinds = {
        "aws_vpc": Kind(
            describe=lambda observer, resource: {}, attributes={}, exports={"default_network_acl_id": at("Id")}
        ),
        "aws_default_network_acl": Kind(
            describe=lambda observer, resource: observer.value(resource, "default_network_acl_id"), attributes={}
        ),
    }
    observer = Observer(plan, client=None, account="123456789012", kinds=kinds, known={})
    assert observer.drifts(plan.resource("aws_default_network_acl.acl")) == [
        "not evaluated: aws_default_network_acl.acl: ${aws_vpc.main.default_network_acl_id}: "
        "aws_vpc.main shows no default_network_acl_id in the account"
    ]


def _observer(
    kind_type: str, body: dict, description, emulated: bool = False, beyond_emulator: dict | None = None
) -> tuple[Observer, Resource]:
    """An observer of a one-resource plan whose account shows `description` (a callable: the lookup itself);
    `beyond_emulator` marks the type's attributes the emulator is taken to lack."""
    plan = Plan({"resource": {kind_type: {"planned": body}}})
    kind = dataclasses.replace(KINDS[kind_type], describe=lambda observer, resource: description())
    if beyond_emulator is not None:
        kind = dataclasses.replace(kind, beyond_emulator=beyond_emulator)
    return Observer(plan, None, "123456789012", {kind_type: kind}, {}, emulated), plan.resource(f"{kind_type}.planned")


GROUP = {
    "name": "payment-app-asg",
    "min_size": 1,
    "desired_capacity": 2,
    "lifecycle": {"ignore_changes": ["desired_capacity"]},
}


def test_an_attribute_the_plan_leaves_to_the_account_is_no_drift():
    # The schedules move the group's desired capacity; the plan says Terraform leaves it as the account has it.
    observer, group = _observer(
        "aws_autoscaling_group",
        GROUP,
        lambda: {"AutoScalingGroupName": "payment-app-asg", "MinSize": 1, "DesiredCapacity": 0},
    )
    assert observer.drifts(group) == []


def test_an_attribute_the_plan_does_not_leave_to_the_account_still_drifts():
    observer, group = _observer(
        "aws_autoscaling_group",
        GROUP,
        lambda: {"AutoScalingGroupName": "payment-app-asg", "MinSize": 0, "DesiredCapacity": 0},
    )
    assert observer.drifts(group) == [
        "drift: aws_autoscaling_group.planned.min_size is 0 in the account, the plan says 1"
    ]


def _key(enabled: bool):
    metadata = {
        "Description": "data",
        "Enabled": enabled,
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeySpec": "SYMMETRIC_DEFAULT",
    }
    return lambda: {"KeyMetadata": metadata}


def test_a_provider_default_the_plan_leaves_out_is_compared_as_planned():
    # Terraform plans is_enabled = true for a key that does not set it: a key disabled out of band is drift.
    observer, key = _observer("aws_kms_key", {"description": "data"}, _key(enabled=False))
    assert observer.drifts(key) == ["drift: aws_kms_key.planned.is_enabled is False in the account, the plan says True"]
    observer, key = _observer("aws_kms_key", {"description": "data", "is_enabled": False}, _key(enabled=False))
    assert observer.drifts(key) == []


def test_an_attribute_the_emulator_does_not_keep_is_uncompared_but_its_resource_must_exist():
    # A type marked by the test, not by the table: the table's marks go as the emulator learns the APIs.
    lacking = {"name": "the emulator does not keep it"}
    kind, body = "aws_route53_resolver_firewall_rule_group", {"name": "dns"}
    observer, rule_group = _observer(kind, body, lambda: {"Name": "other"}, True, lacking)
    assert observer.drifts(rule_group) == []
    assert set(observer.uncompared(rule_group)) == {"name"}
    observer, rule_group = _observer(kind, body, lambda: None, True, lacking)
    assert observer.drifts(rule_group) == [f"drift: {kind}.planned is not in the account"]
    observer, rule_group = _observer(kind, body, lambda: {"Name": "other"}, False, lacking)
    assert observer.drifts(rule_group) == [f"drift: {kind}.planned.name is 'other' in the account, the plan says 'dns'"]


def test_json_texts_match_by_meaning_not_by_layout():
    # EventBridge and Systems Manager may hand a pattern or a document back laid out anew.
    planned = '{"source": ["aws.kms"], "detail": {"eventName": ["DisableKey"]}}'
    assert matches(planned, '{"detail":{"eventName":["DisableKey"]},"source":["aws.kms"]}')
    assert not matches(planned, '{"source": ["aws.kms"], "detail": {"eventName": ["DisableKey", "PutKeyPolicy"]}}')
    assert not matches(planned, '{"source": ["aws.kms"]}')


def test_a_nested_block_the_plan_does_not_declare_is_a_drift_a_default_scalar_is_not():
    planned = [{"id": "retention", "status": "Enabled", "noncurrent_version_expiration": [{"noncurrent_days": 90}]}]
    account = [{**planned[0], "prefix": ""}]
    assert matches(planned, account)
    assert not matches(planned, [{**planned[0], "expiration": [{"days": 30}]}])


def test_the_readme_lists_every_operation_the_guard_allows_and_no_other():
    listed = {
        (service, operation)
        for service, operations in re.findall(
            r"^- `([\w-]+)`: ([A-Z]\w*(?:, [A-Z]\w*)*)$", README.read_text(), re.MULTILINE
        )
        for operation in operations.split(", ")
    }
    assert listed == {(service, operation) for service, operations in ALLOWED.items() for operation in operations}
