"""Names are within AWS limits, refused when they cannot be, unique, stable, and built in one place."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from conftest import PROFILE_CONFIGS
from stack.config import Config, ConfigError
from stack.contract import DEPLOYMENT_SUFFIX
from stack.naming import RULES, Names
from tap.plan import Plan
from tap.synth.cache import cached_plan
from tap.synth.runner import synthesize
from tests.property.strategies import (
    any_environment_suffixes,
    deployment_suffixes,
    profiles,
    regions,
    valid_environment_suffixes,
)


@given(valid_environment_suffixes, deployment_suffixes, profiles, regions)
def test_every_name_is_within_its_aws_rule(env, suffix, profile, region):
    config = Config(environment_suffix=env, profile=profile, region=region)
    names = Names(config, suffix)
    for resource, name in names.all().items():
        assert RULES[names.kind(resource)].violations(name) == [], (resource, name)


@given(any_environment_suffixes, deployment_suffixes)
def test_suffix_is_refused_naming_field_and_rule_or_used_verbatim(env, suffix):
    try:
        config = Config(environment_suffix=env)
    except ConfigError as refused:
        message = str(refused)
        assert refused.field == "ENVIRONMENT_SUFFIX" and message.startswith("ENVIRONMENT_SUFFIX ")
        assert "\n" not in message
        assert any(rule in message for rule in ("must not be empty", "may hold only", "must not start", "cannot fit"))
        return
    for name in Names(config, suffix).all().values():
        assert f"-{env}-{suffix}" in name  # never truncated or altered


@given(valid_environment_suffixes, deployment_suffixes, profiles)
def test_names_differ_within_a_deployment(env, suffix, profile):
    names = Names(Config(environment_suffix=env, profile=profile), suffix).all()
    assert len(set(names.values())) == len(names)


@given(valid_environment_suffixes, valid_environment_suffixes, deployment_suffixes, deployment_suffixes)
def test_two_deployments_share_no_name_of_any_kind(env_a, env_b, suffix_a, suffix_b):
    assume((env_a, suffix_a) != (env_b, suffix_b))
    a = _by_kind(Names(Config(environment_suffix=env_a), suffix_a))
    b = _by_kind(Names(Config(environment_suffix=env_b), suffix_b))
    assert a.isdisjoint(b)


def _by_kind(names: Names) -> set[tuple[str, str]]:
    """(kind, name) pairs: names only collide within one kind's AWS namespace."""
    return {(names.kind(resource), name) for resource, name in names.all().items()}


@given(valid_environment_suffixes, st.data())
def test_same_environment_recreated_gets_new_names(env, data):
    # Destroy, then re-create: the state-held suffix is drawn anew.
    first, second = data.draw(st.lists(deployment_suffixes, min_size=2, max_size=2, unique=True))
    config = Config(environment_suffix=env)
    assert set(Names(config, first).all().values()).isdisjoint(Names(config, second).all().values())


@given(valid_environment_suffixes, deployment_suffixes, profiles)
def test_same_inputs_give_same_names(env, suffix, profile):
    config = Config(environment_suffix=env, profile=profile)
    assert Names(config, suffix).all() == Names(Config(environment_suffix=env, profile=profile), suffix).all()


def test_synthesizing_a_deployment_twice_gives_identical_names(tmp_path):
    # The test the field report's uuid4()-at-synth fix fails: two real synths, no cache.
    config = PROFILE_CONFIGS["dev"]
    first, second = (Plan.load(synthesize(config, tmp_path / run)) for run in ("first", "second"))
    assert _plan_names(first) == _plan_names(second)
    assert first.document == second.document


NAME_ATTRIBUTES = (
    "name",
    "name_prefix",
    "identifier",
    "final_snapshot_identifier",
    "alarm_name",
    "scheduled_action_name",
)


# Where `name` names what a resource uses, not the resource: an association runs AWS's own document.
NAMED_BY = {"aws_ssm_association": ("association_name",)}


def _plan_names(plan: Plan) -> dict[str, str]:
    """Every name-like attribute of every resource: address/attribute -> value."""
    found = {}
    for resource in plan.resources():
        for attribute in NAMED_BY.get(resource.type, NAME_ATTRIBUTES):
            if isinstance(resource.get(attribute), str):
                found[f"{resource.address}/{attribute}"] = resource[attribute]
        if resource.type == "aws_s3_bucket":
            found[f"{resource.address}/bucket"] = resource["bucket"]
        if "Name" in (resource.get("tags") or {}):
            found[f"{resource.address}/tags.Name"] = resource["tags"]["Name"]
        for index, spec in enumerate(resource.get("tag_specifications") or []):
            found[f"{resource.address}/tag_specifications[{index}].Name"] = spec["tags"]["Name"]
    return found


@pytest.mark.parametrize("profile", list(PROFILE_CONFIGS))
def test_every_name_in_the_plan_comes_from_the_naming_module(profile):
    config = PROFILE_CONFIGS[profile]
    plan = Plan.load(cached_plan(config))
    catalogue = set(Names(config, DEPLOYMENT_SUFFIX).all().values())
    found = _plan_names(plan)
    assert len(found) > 40
    assert {where: name for where, name in found.items() if name not in catalogue} == {}
