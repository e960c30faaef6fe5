"""The live table (tap/live/observed) accounts for every attribute of every plan the stack makes.

An attribute the table neither reads from the account nor declares unobservable would be a silent
gap in the live suite: the live run itself reports it as not evaluated, and this test finds it
before any account is involved, in every deployment's plan.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tap.live.observed import KINDS, UNOBSERVED_TYPES
from tap.live.observed.table import META, Observer, matches
from tap.live.rehearsal import BEYOND_EMULATOR
from tap.plan import Plan

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


def test_the_readme_lists_every_unobservable_attribute_with_its_reason():
    listed = set(re.findall(r"^- `(\w+\.(?:\w+|\*))`: (.+)$", README.read_text(), re.MULTILINE))
    declared = {
        (f"{type_}.{attribute}", why) for type_, kind in KINDS.items() for attribute, why in kind.unobservable.items()
    }
    declared |= {(f"{type_}.*", why) for type_, why in UNOBSERVED_TYPES.items()}
    assert declared == listed


def test_json_texts_match_by_meaning_not_by_layout():
    # EventBridge and Systems Manager may hand a pattern or a document back laid out anew.
    planned = '{"source": ["aws.kms"], "detail": {"eventName": ["DisableKey"]}}'
    assert matches(planned, '{"detail":{"eventName":["DisableKey"]},"source":["aws.kms"]}')
    assert not matches(planned, '{"source": ["aws.kms"], "detail": {"eventName": ["DisableKey", "PutKeyPolicy"]}}')
    assert not matches(planned, '{"source": ["aws.kms"]}')


def test_what_an_emulated_account_only_stands_in_for_is_named_uncompared_never_read(plan_paths):
    plan = Plan.load(plan_paths["dev"])
    (association,) = plan.resources("aws_ssm_association")
    (rule,) = [r for r in plan.resources("aws_cloudwatch_event_rule") if association.address in r["description"]]
    stood_in = {"aws_ssm_association": BEYOND_EMULATOR["aws_ssm_association"]}

    def no_call(service):
        raise AssertionError(f"read {service} for what the emulator only stands in for")

    emulated = Observer(plan, no_call, "123456789012", KINDS, {}, True, stood_in)
    assert emulated.drifts(association) == []
    assert set(emulated.uncompared(association)) == set(association.properties) - META
    assert set(emulated.uncompared(rule)) == {"description"}
    against_aws = Observer(plan, no_call, "123456789012", KINDS, {}, False, stood_in)
    assert against_aws.uncompared(association) == {}
