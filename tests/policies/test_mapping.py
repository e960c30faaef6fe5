"""The PCI DSS v4.0.1 mapping: complete for our checks, every id in it real, and no coverage overstated."""

from __future__ import annotations

import copy
import json
import re

import pytest

from stack.contract import PROJECT_ROOT
from tap.audit.accounting import policy_remedies
from tap.audit.mapping import ENTITIES, MAPPING_FILE, Mapping
from tap.audit.remedies import SEVERITIES
from tap.audit.scan import POLICIES, scan
from tap.audit.waivers import from_plan
from tap.errors import UsageError
from tests.policies.test_policies import CUSTOM

REQUIREMENT_ID = re.compile(r"\d{1,2}(\.\d+){1,3}")


def test_every_custom_check_is_mapped_to_a_requirement():
    mapping = Mapping.load()
    assert [check for check in CUSTOM if not mapping.is_mapped(check)] == []


def test_every_policy_and_every_built_in_the_mapping_names_has_a_severity_and_a_remediation():
    mapping = Mapping.load()
    declared = {**mapping.remedies, **policy_remedies(POLICIES)}
    named = [*CUSTOM, *mapping.relied_on, *mapping.unmapped]
    assert [check for check in named if check not in declared] == []
    assert all(remedy.severity in SEVERITIES and "\n" not in remedy.remediation for remedy in declared.values())


@pytest.mark.parametrize("fields", ['{ severity = "urgent", remediation = "Fix it." }', '{ severity = "high" }'])
def test_a_built_in_remedy_without_a_known_severity_or_a_remediation_is_refused(tmp_path, fields):
    text = MAPPING_FILE.read_text().replace("[remedies]\n", f"[remedies]\nCKV_AWS_999 = {fields}\n", 1)
    (tmp_path / "mapping.toml").write_text(text)
    with pytest.raises(
        UsageError, match=r"\[remedies\] CKV_AWS_999 .* needs a severity \(critical, high, medium, low\)"
    ):
        Mapping.load(tmp_path / "mapping.toml")


def test_every_mapped_check_exists_in_checkov(policy_run):
    mapping = Mapping.load()
    named = {*mapping.controls, *mapping.supporting, *mapping.unmapped}
    unknown = sorted(named - set(policy_run.scan.checks))
    assert unknown == [], f"{MAPPING_FILE.name} maps checks checkov does not have"


def test_every_builtin_that_runs_on_the_plans_is_mapped_or_unmapped_with_a_reason(policy_run):
    mapping = Mapping.load()
    ran = {
        finding.check_id
        for path in policy_run.real.values()
        for finding in policy_run.scan.findings[path.resolve()]
        if finding.check_id not in CUSTOM
    }
    assert sorted(check for check in ran if not mapping.is_mapped(check) and check not in mapping.unmapped) == []
    # Left unmapped on purpose means not mapped at all.
    assert sorted(set(mapping.unmapped) & {*mapping.controls, *mapping.supporting}) == []


# ---- claims an assessor signs: each as the mapping must hold it -------------------------------

CORRECTED_COVERAGE = [
    ("1.4.2", "partial"),  # the plan only: no NACLs, nothing deployed
    ("1.4.4", "partial"),  # where cardholder data lands is not established by the plan
    ("6.4.2", "partial"),  # a WAF attached; alerting, investigation and rule upkeep unseen
    ("8.3.2", "partial"),  # one database's secret is not every authentication factor
    ("3.5.1", "manual"),  # storage encryption does not meet 3.5.1 (3.5.1.2)
    ("10.3.1", "manual"),  # a KMS key on a log group does not restrict who reads it
    ("10.7.2", "partial"),  # a subscription to a placeholder, rules needing a trail out of scope
    ("12.5.1", "manual"),  # the plan's resources are only the stack's part of the inventory
]


@pytest.mark.parametrize("rid, coverage", CORRECTED_COVERAGE)
def test_requirement_claims_only_the_coverage_its_evidence_supports(rid, coverage):
    assert Mapping.load().requirements[rid].coverage == coverage


HELD = [
    ("CKV_PAY_33", "7.2.6"),
    ("CKV_AWS_2", "4.2.1"),
    ("CKV_AWS_378", "4.2.1"),
    ("CKV_AWS_20", "1.4.4"),
    ("CKV_AWS_57", "1.4.4"),
    ("CKV_AWS_70", "1.4.4"),
    ("CKV_AWS_21", "10.5.1"),
    ("CKV_AWS_66", "10.5.1"),
    ("CKV_AWS_319", "10.7.2"),
    ("CKV2_AWS_64", "3.6.1"),
]


@pytest.mark.parametrize("check, rid", HELD)
def test_check_evidences_the_requirement_it_proves(check, rid):
    assert rid in Mapping.load().requirements_of(check)


NOT_EVIDENCE = [
    ("CKV_PAY_13", "8.3.2"),  # a parameter group refusing clear text: not every authentication factor
    ("CKV2_PAY_5", "8.3.2"),
    ("CKV2_PAY_15", "8.3.2"),
    ("CKV_PAY_26", "8.3.2"),  # the WAF redacting its own logs
]


def test_a_builtin_that_passes_whatever_it_judges_is_not_evidence(plans, tmp_path):
    """CKV2_AWS_30 ("Postgres has query logging") passes a database whose parameter group sets no logging at all."""
    document = copy.deepcopy(plans["dev"].document)
    for group in document["resource"]["aws_db_parameter_group"].values():
        group["parameter"] = [item for item in group["parameter"] if not item["name"].startswith(("log_", "pgaudit"))]
    path = tmp_path / "cdk.tf.json"
    path.write_text(json.dumps(document))
    results = {finding.result for finding in scan([path]).findings[path.resolve()] if finding.check_id == "CKV2_AWS_30"}
    assert results == {"PASSED"}
    mapping = Mapping.load()
    assert (
        not mapping.is_mapped("CKV2_AWS_30") and "passes whatever it judges" in mapping.unmapped["CKV2_AWS_30"].lower()
    )


@pytest.mark.parametrize("check, rid", NOT_EVIDENCE)
def test_check_does_not_claim_a_requirement_it_does_not_prove(check, rid):
    assert rid not in Mapping.load().requirements_of(check)


@pytest.mark.parametrize(
    "rid, support",
    [
        ("3.5.1", {"CKV_PAY_1", "CKV_PAY_2", "CKV2_PAY_1", "CKV_AWS_16", "CKV_AWS_19", "CKV_AWS_145", "CKV_AWS_354"}),
        ("10.3.1", {"CKV_PAY_3", "CKV_AWS_158"}),
    ],
)
def test_encryption_only_supports_a_requirement_it_cannot_meet(rid, support):
    mapping = Mapping.load()
    assert [check for check, ids in mapping.controls.items() if rid in ids] == []
    assert support <= {check for check, ids in mapping.supporting.items() if rid in ids}
    assert "supporting" in mapping.requirements[rid].still_needed


@pytest.mark.parametrize(
    "rid, named",
    [
        ("10.7.2", ("placeholder", "CloudTrail trail", "out of scope")),
        ("3.5.1", ("3.5.1.2", "supporting evidence only")),
        ("1.4.4", ("NACLs", "where cardholder data lands")),
        ("6.4.2", ("alerts", "rules kept current")),
        # checkov's CKV_AWS_378 passes an HTTP target group behind an HTTPS listener
        ("4.2.1", ("CKV_AWS_378", "HTTP inside the VPC")),
    ],
)
def test_still_needed_says_why_the_evidence_falls_short(rid, named):
    still_needed = Mapping.load().requirements[rid].still_needed
    assert [words for words in named if words not in still_needed] == []


TOUCHED = [
    "1.2.1",
    "1.2.2",
    "1.2.3",
    "1.2.4",
    "1.2.8",
    "1.4.1",
    "1.4.3",
    "1.4.5",
    "2.2.1",
    "2.2.2",
    "2.2.3",
    "2.2.4",
    "3.2.1",
    "3.3.1",
    "3.3.1.1",
    "3.3.1.2",
    "3.3.1.3",
    "3.3.2",
    "3.3.3",
    "3.6.1.1",
    "3.6.1.2",
    "3.6.1.3",
    "3.6.1.4",
    "3.7.1",
    "3.7.2",
    "3.7.3",
    "3.7.5",
    "3.7.6",
    "3.7.7",
    "3.7.8",
    "4.2.1.1",
    "5.2.1",
    "5.2.2",
    "5.2.3",
    "5.2.3.1",
    "5.3.1",
    "5.3.2",
    "5.3.2.1",
    "5.3.3",
    "5.3.4",
    "5.3.5",
    "6.3.3",
    "6.5.1",
    "6.5.2",
    "6.5.3",
    "6.5.4",
    "6.5.5",
    "6.5.6",
    "7.2.1",
    "7.2.2",
    "7.2.3",
    "7.2.4",
    "7.2.5.1",
    "7.2.6",
    "7.3.1",
    "7.3.2",
    "7.3.3",
    "8.2.1",
    "8.2.2",
    "8.2.3",
    "8.2.4",
    "8.2.5",
    "8.2.6",
    "8.2.7",
    "8.2.8",
    "8.4.1",
    "8.4.2",
    "8.4.3",
    "8.5.1",
    "8.6.1",
    "8.6.3",
    "10.2.1.1",
    "10.2.1.2",
    "10.2.1.3",
    "10.2.1.4",
    "10.2.1.5",
    "10.2.1.6",
    "10.2.1.7",
    "10.2.2",
    "10.4.1",
    "10.4.1.1",
    "10.4.2",
    "10.4.2.1",
    "10.4.3",
    "10.6.1",
    "10.6.2",
    "10.6.3",
    "10.7.1",
    "11.3.1",
    "11.3.1.1",
    "11.3.1.2",
    "11.3.1.3",
    "11.3.2",
    "11.3.2.1",
    "11.4.1",
    "11.4.2",
    "11.4.3",
    "11.4.4",
    "11.4.5",
    "11.4.6",
    "11.4.7",
    "11.5.1.1",
    "12.5.1",
    "12.5.2",
    "12.5.2.1",
    "12.8.1",
    "12.8.2",
    "12.8.3",
    "12.8.4",
    "12.8.5",
]


def test_every_requirement_the_infrastructure_touches_is_listed():
    assert sorted(set(TOUCHED) - set(Mapping.load().requirements)) == []


def test_every_requirement_names_what_the_assessor_examines_and_its_testing_procedures():
    """Whatever its coverage, a requirement says what is still to be seen, and under which procedures."""
    missing = [
        requirement.id
        for requirement in Mapping.load().requirements.values()
        if not requirement.declared_result
        and f"(testing procedures for {requirement.id})" not in (requirement.still_needed or "")
    ]
    assert missing == []


# ---- scope: the entity and the CDE boundary ---------------------------------------------------


def test_scope_declares_the_entity_type():
    scope = Mapping.load().scope
    assert scope["entity"] in ENTITIES and scope["entity_reason"]


def test_every_resource_of_the_plans_has_exactly_one_place_in_the_cde_boundary(plans):
    mapping = Mapping.load()
    misplaced = {
        (name, resource.address, len(mapping.role_of(resource.path)))
        for name, plan in plans.items()
        for resource in plan.resources()
        if len(mapping.role_of(resource.path)) != 1
    }
    assert misplaced == set()


@pytest.mark.parametrize(
    "construct, role",
    [
        ("storage/alb-logs/bucket", "stores"),  # request URLs can carry a PAN
        ("storage/data/bucket", "stores"),
        ("database/instance", "stores"),
        ("storage/access-logs/bucket", "connected"),
        ("deployment", "connected"),
    ],
)
def test_boundary_places_each_store_where_cardholder_data_may_land(construct, role):
    assert [entry.role for entry in Mapping.load().role_of(construct)] == [role]


def test_no_store_in_the_cde_is_declared_not_applicable_for_holding_no_cardholder_data(plans):
    """The stack must not contradict the report: a resource the boundary says stores cardholder data
    cannot be out of a check's scope for holding none."""
    mapping = Mapping.load()
    contradictions = [
        (item.check_id, resource.address)
        for plan in plans.values()
        for item in from_plan(plan).not_applicable
        for resource in [plan.block(item.address)]
        if {entry.role for entry in mapping.role_of(resource.path)} - {"connected"}
    ]
    assert contradictions == []


def test_every_cited_requirement_is_defined_and_every_uncited_one_is_manual():
    mapping = Mapping.load()
    assert mapping.undefined_requirements() == {}
    cited = {requirement for ids in mapping.controls.values() for requirement in ids}
    uncited = [mapping.requirements[rid] for rid in set(mapping.requirements) - cited]
    assert [item.id for item in uncited if item.coverage != "manual"] == []


def test_mapping_cites_the_current_standard_and_lists_what_nothing_evidences():
    mapping = Mapping.load()
    assert "PCI DSS v4.0.1" in mapping.standard
    assert mapping.scope["can"] and mapping.scope["cannot"]
    assert {"1.2.5", "1.2.7", "1.3.2", "3.5.1.2", "10.7.2", "10.7.3", "11.5.2"} <= set(mapping.requirements)


@pytest.mark.parametrize("rid", ["3.5.1", "3.6.1", "6.3.3", "10.2.1", "10.3.2"])
def test_requirements_automation_cannot_establish_are_not_automated(rid):
    requirement = Mapping.load().requirements[rid]
    assert requirement.coverage != "automated" and requirement.still_needed


def test_storage_encryption_does_not_claim_log_integrity():
    assert "10.3.2" not in Mapping.load().requirements_of("CKV_PAY_3")


SCOPE = 'entity = "merchant"\nentity_reason = "It sells."\n'


@pytest.mark.parametrize(
    "scope, message",
    [
        ('entity = "acquirer"\nentity_reason = "It acquires."', "declares entity 'acquirer': use one of merchant"),
        ('entity = "merchant"', "declares entity 'merchant': use one of merchant, service_provider, with an entity"),
        (SCOPE + '[[scope.boundary]]\nrole = "nearby"\npaths = ["x/"]\nwhy = "w"', "has role 'nearby'"),
        (SCOPE + '[[scope.boundary]]\nrole = "stores"\npaths = ["x"]\nwhy = "w"', "needs paths ending in '/'"),
        (SCOPE + '[[scope.boundary]]\nrole = "stores"\npaths = ["x/"]', "needs paths ending in '/' and a why"),
    ],
)
def test_scope_that_leaves_the_entity_or_a_role_unsaid_is_refused(scope, message, tmp_path):
    path = tmp_path / "mapping.toml"
    path.write_text(f'standard = "PCI DSS v4.0.1"\n[scope]\n{scope}\n')
    with pytest.raises(UsageError, match=re.escape(message)):
        Mapping.load(path)


def test_builtin_left_unmapped_without_a_reason_is_refused(tmp_path):
    path = tmp_path / "mapping.toml"
    path.write_text(f'standard = "PCI DSS v4.0.1"\n[scope]\n{SCOPE}\n[[unmapped]]\nchecks = ["CKV_AWS_150"]\n')
    with pytest.raises(UsageError, match="needs its checks and a reason"):
        Mapping.load(path)


@pytest.mark.parametrize(
    "fields, message",
    [
        ('coverage = "partial"', "say in still_needed what the assessor must still see"),
        ('coverage = "complete"', "use one of automated, partial, manual"),
        ('coverage = "automated"\nresult = "in_place"', "only not_applicable, with a reason, may be declared"),
    ],
)
def test_requirement_that_would_overstate_its_coverage_is_refused(fields, message, tmp_path):
    path = tmp_path / "mapping.toml"
    path.write_text(f'standard = "PCI DSS v4.0.1"\n[requirements."3.5.1"]\ntitle = "PAN"\n{fields}\n')
    with pytest.raises(UsageError, match=message):
        Mapping.load(path)


def test_requirement_ids_have_the_shape_of_pci_dss_v4_ids():
    assert [rid for rid in Mapping.load().requirements if not REQUIREMENT_ID.fullmatch(rid)] == []


def test_pci_appears_only_in_the_mapping():
    sources = [*(PROJECT_ROOT / "policies").iterdir(), *(PROJECT_ROOT / "stack").glob("*.py")]
    mentions = [
        path.name
        for path in sources
        if path.is_file() and path != MAPPING_FILE and re.search(r"\bPCI\b", path.read_text(), re.IGNORECASE)
    ]
    assert mentions == []


def test_every_control_a_live_test_evidences_is_mapped():
    # Live evidence reaches a requirement only through the mapping (tap audit --live-results); a
    # control that only supports one is shown beside it, as its plan finding is.
    mapping = Mapping.load()
    marked = {
        control
        for path in (PROJECT_ROOT / "tests" / "integration").glob("test_*.py")
        for arguments in re.findall(r"pytest\.mark\.controls\(([^)]*)\)", path.read_text())
        for control in re.findall(r'"([^"]+)"', arguments)
    }
    assert marked, "no live test names a control"
    assert sorted(control for control in marked if not mapping.is_mapped(control)) == []
