"""The PCI DSS v4.0.1 mapping: complete for our checks, every id in it real, and no coverage overstated."""

from __future__ import annotations

import re

import pytest

from stack.contract import PROJECT_ROOT
from tap.audit.mapping import MAPPING_FILE, Mapping
from tap.errors import UsageError
from tests.policies.test_policies import CUSTOM

REQUIREMENT_ID = re.compile(r"\d{1,2}(\.\d+){1,3}")


def test_every_custom_check_is_mapped_to_a_requirement():
    mapping = Mapping.load()
    assert [check for check in CUSTOM if not mapping.requirements_of(check)] == []


def test_every_mapped_check_exists_in_checkov(policy_run):
    unknown = sorted(set(Mapping.load().controls) - set(policy_run.scan.checks))
    assert unknown == [], f"{MAPPING_FILE.name} maps checks checkov does not have"


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
    # Live evidence reaches a requirement only through the mapping (tap audit --live-results).
    marked = {
        control
        for path in (PROJECT_ROOT / "tests" / "integration").glob("test_*.py")
        for arguments in re.findall(r"pytest\.mark\.controls\(([^)]*)\)", path.read_text())
        for control in re.findall(r'"([^"]+)"', arguments)
    }
    assert marked, "no live test names a control"
    assert sorted(marked - set(Mapping.load().controls)) == []
