"""Runs our Python policies on resources sent one line at a time (stdin -> stdout, JSON lines).

Executed by checkov's own Python (`tests/policies/test_policy_properties.py` starts it once), so
the property tests can try thousands of resource shapes without a checkov start-up each. Every
resource goes through checkov's own Terraform JSON preparation and each check's `run`, as in a
scan; an exception a check raises is reported, never swallowed (checkov's registry would turn
it into UNKNOWN).

First line out: {"checks": {ID: [TYPE, ...]}}. Then, per line in {"resources": {TYPE: {NAME: BODY}}}:
[{"check": ID, "resource": "TYPE.NAME", "result": "PASSED"|"FAILED"|"UNKNOWN"} or {..., "raised": TEXT}].
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    sys.path.insert(0, str(PROJECT_ROOT))
    logging.disable(logging.WARNING)
    from checkov.terraform.checks.resource.registry import resource_registry
    from checkov.terraform_json.parser import prepare_definition

    policies = PROJECT_ROOT / "policies"
    resource_registry.load_external_checks(str(policies))
    ours = {path.name.split(".")[0] for path in policies.glob("CKV_*.py")}
    checks = {check.id: check for _, check in resource_registry.all_checks() if check.id in ours}
    print(json.dumps({"checks": {check_id: sorted(check.supported_entities) for check_id, check in checks.items()}}))
    sys.stdout.flush()
    for line in sys.stdin:
        definition = prepare_definition({"resource": json.loads(line)["resources"]})
        replies = []
        for block in definition.get("resource", []):
            for resource_type, by_name in block.items():
                for name, conf in by_name.items():
                    for check in resource_registry.get_checks(resource_type):
                        if check.id in checks:
                            replies.append(run(check, resource_type, name, conf))
        print(json.dumps(replies))
        sys.stdout.flush()
    return 0


def run(check, resource_type: str, name: str, conf: dict) -> dict:
    reply = {"check": check.id, "resource": f"{resource_type}.{name}"}
    try:
        result = check.run("probe.tf.json", json.loads(json.dumps(conf)), name, resource_type, {})
    except Exception as error:  # noqa: BLE001 - the property under test is that none is raised
        return {**reply, "raised": f"{type(error).__name__}: {error}"}
    return {**reply, "result": result["result"].value}


if __name__ == "__main__":
    sys.exit(main())
