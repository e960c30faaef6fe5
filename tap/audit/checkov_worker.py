"""Runs checkov in-process over plans and prints its findings as JSON (stdout).

Executed by the checkov environment's Python (see `tap/scan.py`), never imported by
tap: checkov pins an old boto3 and packaging, so it lives in a virtualenv of its own.
Only the standard library and checkov are imported here.

stdin:  {"policies": DIR, "plans": [PATH, ...]}
stdout: {"checkov_version": V, "checks": {ID: NAME}, "findings": {PATH: [FINDING, ...]}}
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

# Keep checkov quiet and offline: no platform look-ups, no progress output.
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")
os.environ.setdefault("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false")


def main() -> int:
    request = json.load(sys.stdin)
    policies = Path(request["policies"]).resolve()
    sys.path.insert(0, str(policies.parent))  # policies import `policies.support`
    logging.disable(logging.WARNING)

    from checkov.common.bridgecrew.check_type import CheckType
    from checkov.runner_filter import RunnerFilter
    from checkov.terraform_json.runner import TerraformJsonRunner
    from checkov.version import version

    findings = {}
    for plan in request["plans"]:
        runner = TerraformJsonRunner()
        report = runner.run(
            root_folder=None,
            files=[plan],
            external_checks_dir=[str(policies)],
            runner_filter=RunnerFilter(framework=[CheckType.TERRAFORM_JSON]),
        )
        if not runner.definitions:
            sys.exit(f"checkov read no Terraform JSON from {plan}: a plan must be a valid *.tf.json file")
        types = resource_types(runner.definitions)
        findings[plan] = [
            finding(record, types, outcome)
            for outcome, records in (("PASSED", report.passed_checks), ("FAILED", report.failed_checks))
            for record in records
        ]
    # The real stdout: checkov wraps sys.stdout in colorama.
    json.dump({"checkov_version": version, "checks": registered_checks(), "findings": findings}, sys.__stdout__)
    return 0


def resource_types(definitions: dict) -> dict[tuple[str, int, int], str]:
    """(name, first line, last line) -> resource type, to name what Python checks report.

    checkov's Python checks call every resource `resource.<name>` in cdk.tf.json; the
    line range tells two resources of the same name (and different types) apart.
    """
    types = {}
    for definition in definitions.values():
        for block in definition.get("resource", []):
            for resource_type, resources in block.items():
                for name, conf in resources.items():
                    types[name, conf["__startline__"], conf["__endline__"]] = resource_type
    return types


def finding(record, types: dict[tuple[str, int, int], str], outcome: str) -> dict:
    address = record.resource  # `<type>.<name>`, `provider.<name>` or `data.<type>.<name>`...
    kind, _, name = address.partition(".")
    if kind == "resource":  # ...except from Python resource checks
        address = f"{types[name, *record.file_line_range]}.{name}"
    return {
        "check_id": record.check_id,
        "check_name": record.check_name,
        "result": outcome,
        "address": address,
        "evaluated_keys": sorted(set(record.check_result.get("evaluated_keys") or [])),
        "guideline": record.guideline,
        "lines": list(record.file_line_range),
    }


def registered_checks() -> dict[str, str]:
    """Every terraform check checkov knows after loading ours: built-in and custom."""
    from checkov.common.bridgecrew.check_type import CheckType
    from checkov.common.checks_infra.registry import get_graph_checks_registry
    from checkov.terraform.checks.data.registry import data_registry
    from checkov.terraform.checks.provider.registry import provider_registry
    from checkov.terraform.checks.resource.registry import resource_registry

    registries = (resource_registry, data_registry, provider_registry)
    checks = {check.id: check.name for registry in registries for _, check in registry.all_checks()}
    checks.update({check.id: check.name for check in get_graph_checks_registry(CheckType.TERRAFORM).checks})
    return dict(sorted(checks.items()))


if __name__ == "__main__":
    sys.exit(main())
