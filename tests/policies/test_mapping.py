"""The PCI DSS v4.0 mapping: complete for our checks, and every id in it real."""

from __future__ import annotations

import re

from stack.contract import PROJECT_ROOT
from tap.audit.mapping import MAPPING_FILE, Mapping
from tests.policies.test_policies import CUSTOM

REQUIREMENT_ID = re.compile(r"^\d{1,2}(\.\d+){1,3}$")


def test_every_custom_check_is_mapped_to_a_requirement():
    mapping = Mapping.load()
    assert [check for check in CUSTOM if not mapping.requirements_of(check)] == []


def test_every_mapped_check_exists_in_checkov(policy_run):
    unknown = sorted(set(Mapping.load().controls) - set(policy_run.scan.checks))
    assert unknown == [], f"{MAPPING_FILE.name} maps checks checkov does not have"


def test_every_cited_requirement_is_defined_and_every_defined_one_is_cited():
    mapping = Mapping.load()
    assert mapping.undefined_requirements() == {}
    cited = {requirement for ids in mapping.controls.values() for requirement in ids}
    assert set(mapping.requirements) == cited


def test_requirement_ids_have_the_shape_of_pci_dss_v4_ids():
    assert [rid for rid in Mapping.load().requirements if not REQUIREMENT_ID.match(rid)] == []


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
