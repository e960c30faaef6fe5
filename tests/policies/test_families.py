"""Each policy judges the whole family of resource types `policies/families.toml` claims for it, and no other.

Generated from the file: for every (policy, type) claimed, the policy's fixture holds a good_* and
a bad_* resource of that type, and the real scan passes the one and fails the other; the types the
policy registers with checkov are the types claimed; each claimed type the stack has is broken by
a mutation the policy catches; and the README lists the same families.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib

import pytest

from stack.contract import PROJECT_ROOT
from tap.audit.scan import POLICIES
from tests.policies.conftest import selected_types
from tests.policies.mutations import FAMILY_MUTATIONS, MUTATIONS, ONLY_IN

FAMILIES = tomllib.loads((POLICIES / "families.toml").read_text())["family"]
PAIRS = sorted((family["policy"], type_) for family in FAMILIES for type_ in family["types"])
README = PROJECT_ROOT / "README.md"


def test_families_name_each_concern_once_and_only_policies_that_exist():
    concerns = [family["concern"] for family in FAMILIES]
    assert len(concerns) == len(set(concerns))
    assert [family["policy"] for family in FAMILIES if not list(POLICIES.glob(f"{family['policy']}.*"))] == []


@pytest.mark.parametrize("family", FAMILIES, ids=lambda family: family["concern"])
def test_policy_judges_exactly_the_types_its_family_claims(family, policy_run):
    assert sorted(selected_types(family["policy"], policy_run.scan)) == sorted(family["types"])


@pytest.mark.parametrize(("check_id", "type_"), PAIRS)
def test_each_claimed_type_has_a_good_resource_that_passes_and_a_bad_one_that_fails(check_id, type_, policy_run):
    path = policy_run.fixtures[check_id]
    names = json.loads(path.read_text())["resource"].get(type_, {})
    good = {f"{type_}.{name}" for name in names if name.startswith("good_")}
    bad = {f"{type_}.{name}" for name in names if name.startswith("bad_")}
    assert good and bad, f"{path.name} needs a good_* and a bad_* {type_}"

    def of_type(result: str) -> set[str]:
        return {address for address in policy_run.results(path, check_id, result) if address.startswith(f"{type_}.")}

    assert of_type("PASSED") == good
    assert of_type("FAILED") == bad


def mutated_types(plans) -> set[tuple[str, str]]:
    """The (policy, type) pairs some mutation breaks: the type of the resource each one returns."""
    broken = {
        (check_id, mutate(copy.deepcopy(plans[ONLY_IN.get(check_id, "dev")].document)).split(".")[0])
        for check_id, mutate in MUTATIONS.items()
    }
    return broken | set(FAMILY_MUTATIONS)


def test_each_claimed_type_the_stack_has_is_broken_by_a_mutation(plans):
    held = {type_ for plan in plans.values() for type_ in plan.document["resource"]}
    missing = [pair for pair in PAIRS if pair[1] in held and pair not in mutated_types(plans)]
    assert missing == [], "add a mutation to tests/policies/mutations.py FAMILY_MUTATIONS for each"


@pytest.mark.parametrize("pair", sorted(FAMILY_MUTATIONS), ids="/".join)
def test_family_mutant_fails_the_policy_on_the_broken_resource(pair, policy_run):
    check_id, type_ = pair
    mutant = policy_run.family_mutants[pair]
    assert mutant.address.startswith(f"{type_}.")
    assert policy_run.results(mutant.path, check_id, "FAILED") == {mutant.address}


def readme_families() -> dict[str, tuple[str, list[str]]]:
    """The README's "Policy families" section: concern -> (policy, types), one line each."""
    section = README.read_text().split("\n## Policy families\n", 1)[1].split("\n## ", 1)[0]
    lines = re.findall(r"(?m)^- \*\*([\w-]+)\*\* \((\w+)\): (.+)$", section)
    return {concern: (policy, types.split(", ")) for concern, policy, types in lines}


def test_readme_lists_the_families_the_policies_claim():
    declared = {family["concern"]: (family["policy"], sorted(family["types"])) for family in FAMILIES}
    listed = {concern: (policy, sorted(types)) for concern, (policy, types) in readme_families().items()}
    assert listed == declared
