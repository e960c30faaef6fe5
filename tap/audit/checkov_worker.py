"""Runs checkov in-process over plans and prints every verdict it reached, or failed to reach, as JSON.

Executed by the checkov environment's Python (see `tap/audit/scan.py`), never imported by
tap: checkov pins an old boto3 and packaging, so it lives in a virtualenv of its own.
Only the standard library, checkov and the policies' own support module are imported here.

checkov keeps quiet about three things this worker does not: a result of UNKNOWN (its
report keeps only passes, failures and skips), a check that raised (its registry turns the
exception into UNKNOWN) and a policy file that failed to import (logged, then skipped).
Every one of them is reported: UNKNOWN results as findings, the rest as errors.

A line of JSON each way, so plans can be handed over as they are made (checkov imported meanwhile):
stdin:  {"policies": DIR}, then a plan's PATH per line until the end of input
stdout: {"plan": PATH, "findings": [FINDING, ...], "errors": [TEXT, ...]} per plan, as each is scanned;
        before the first, {"checkov_version": V, "checks": {ID: CHECK}} (the checks it loaded with it)
"""

from __future__ import annotations

import copy
import gc
import json
import logging
import os
import sys
from pathlib import Path

# Keep checkov quiet and offline: no platform look-ups, no progress output.
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")
os.environ.setdefault("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false")

OUTCOMES = ("PASSED", "FAILED", "UNKNOWN")


def main() -> None:
    # A short-lived process building a graph of every plan: the collector's passes are time it need not spend.
    gc.disable()
    policies = Path(json.loads(sys.stdin.readline())["policies"]).resolve()
    # Policies import `policies.support`, which reads expressions with `tap.expressions`.
    sys.path[:0] = [str(policies.parent), str(Path(__file__).resolve().parents[2])]
    logging.disable(logging.WARNING)
    recorder = Recorder()
    recorder.install()
    use_libyaml()

    from checkov.common.bridgecrew.check_type import CheckType
    from checkov.runner_filter import RunnerFilter
    from checkov.terraform_json.runner import TerraformJsonRunner
    from checkov.version import version

    registered = False
    for line in sys.stdin:
        plan = json.loads(line)
        runner = TerraformJsonRunner()
        recorder.records, recorder.errors = [], []
        runner.run(
            root_folder=None,
            files=[plan],
            external_checks_dir=[str(policies)],
            runner_filter=RunnerFilter(framework=[CheckType.TERRAFORM_JSON]),
        )
        if not runner.definitions:
            sys.exit(f"checkov read no Terraform JSON from {plan}: a plan must be a valid *.tf.json file")
        types, strict = resource_types(runner.definitions), strict_checks()
        # In a stable order: checkov's own varies with what the process scanned before.
        findings = sorted(
            (finding(record, types, strict) for record in recorder.records),
            key=lambda found: (found["address"], found["check_id"], found["lines"]),
        )
        if not registered:  # the checks as loaded with the first plan: known before any finding is judged
            reply({"checkov_version": version, "checks": registered_checks()})
            registered = True
        reply({"plan": plan, "findings": findings, "errors": recorder.errors})


def use_libyaml() -> None:
    """checkov reads Terraform JSON with PyYAML for its line numbers, with the pure-Python parser: about
    half of a plan's scan. libyaml's parser makes the same nodes, marks included, several times faster;
    checkov's loader stays as it is around it (its constructor, its line marks, its booleans). A text
    libyaml cannot read (an escaped surrogate pair) is read by checkov's own parser, as before.
    tests/policies/test_parser.py holds both to the same definitions on every plan and fixture."""
    import yaml

    if not yaml.__with_libyaml__:
        return
    from checkov.common.parsers.yaml import loader
    from yaml.constructor import SafeConstructor
    from yaml.cyaml import CParser
    from yaml.resolver import Resolver

    stock_loader, stock_loads = loader.SafeLineLoader, loader.loads

    class LibyamlLineLoader(CParser, stock_loader):
        def __init__(self, stream) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    def loads(content: str) -> list:
        found = stock_loads(content)
        if found == [None]:  # what checkov's loads gives for a text it could not read
            loader.SafeLineLoader = stock_loader
            try:
                found = stock_loads(content)
            finally:
                loader.SafeLineLoader = LibyamlLineLoader
        return found

    loader.SafeLineLoader, loader.loads = LibyamlLineLoader, loads


def reply(document: dict) -> None:
    from tap.console import say  # the project is on sys.path once main() has put it there

    # The real stdout: checkov wraps sys.stdout in colorama.
    say(json.dumps(document), to=sys.__stdout__, flush=True)


class Recorder:
    """Hooks into checkov that keep what it would drop: UNKNOWN results, raised checks, failed imports."""

    def __init__(self) -> None:
        self.records: list = []
        self.errors: list[str] = []

    def install(self) -> None:
        from checkov.common.checks.base_check import BaseCheck
        from checkov.common.checks.base_check_registry import BaseCheckRegistry
        from checkov.common.output.report import Report

        recorder = self
        add_record, run, load = Report.add_record, BaseCheck.run, BaseCheckRegistry._exec_check_from_disk

        def recording_add(report, record):  # every outcome, UNKNOWN included; skips cannot occur here
            if str(record.check_result["result"].value) in OUTCOMES:
                recorder.records.append(record)
            add_record(report, record)

        def recording_run(check, scanned_file, entity_configuration, entity_name, entity_type, skip_info):
            try:
                result = run(check, scanned_file, entity_configuration, entity_name, entity_type, skip_info)
            except Exception as error:
                recorder.errors.append(
                    f"{check.id} raised {type(error).__name__} ({error}) on {entity_type}.{entity_name}"
                )
                raise
            return recorder.reread(check, result, scanned_file, entity_configuration, entity_name, entity_type, run)

        def recording_load(registry, check_name, check_full_path):
            try:
                return load(registry, check_name, check_full_path)
            except Exception as error:
                recorder.errors.append(f"the policy {check_full_path} did not load: {type(error).__name__}: {error}")
                raise

        Report.add_record, BaseCheck.run, BaseCheckRegistry._exec_check_from_disk = (
            recording_add,
            recording_run,
            recording_load,
        )

    @staticmethod
    def reread(check, result, scanned_file, conf, name, entity_type, run):
        """A built-in check reads policy documents only as objects (HCL's jsonencode); Terraform JSON
        holds them as JSON text. When one answered UNKNOWN on a resource holding such text, ask it
        again with the documents decoded: the same document, in the form the check can read."""
        if str(result.get("result").value) != "UNKNOWN" or not type(check).__module__.startswith("checkov."):
            return result
        decoded = decoded_documents(conf)
        if decoded is None:
            return result
        # A distinct entity path: checkov caches parsed policy documents by it.
        again = run(check, f"{scanned_file}#decoded", decoded, name, entity_type, {})
        return again if str(again.get("result").value) != "UNKNOWN" else result


def decoded_documents(conf: dict) -> dict | None:
    """A copy of a resource's configuration with its JSON policy documents decoded, or None if it has none."""
    decoded, changed = copy.copy(conf), False
    for key, found in conf.items():
        if isinstance(found, list) and len(found) == 1 and isinstance(found[0], str):
            text = found[0].strip()
            if text.startswith("{") and '"Statement"' in text:
                try:
                    document = json.loads(text)
                except ValueError:
                    continue
                if isinstance(document, dict):
                    decoded[key], changed = [document], True
    return decoded if changed else None


def resource_types(definitions: dict) -> dict[tuple[str, int, int], str]:
    """(name, first line, last line) -> resource type, to name what Python checks report.

    checkov's Python checks call every resource `resource.<name>` in cdk.tf.json; the
    line range tells two resources of the same name (and different types) apart.
    """
    types: dict[tuple[str, int, int], str] = {}
    for definition in definitions.values():
        for block in definition.get("resource", []):
            for resource_type, resources in block.items():
                for name, conf in resources.items():
                    key = (name, conf["__startline__"], conf["__endline__"])
                    if types.setdefault(key, resource_type) != resource_type:
                        sys.exit(
                            f"the plan puts {types[key]}.{name} and {resource_type}.{name} on the same lines, so "
                            "their findings cannot be told apart: write it one block per line, as cdktf synth does"
                        )
    return types


def strict_checks() -> set[str]:
    """Our Python policies: they read every attribute through policies.support, which refuses a value
    another block computes wherever a literal is needed, so the audit need not second-guess their passes."""
    from checkov.terraform.checks.resource.registry import resource_registry

    return {
        check.id
        for _, check in resource_registry.all_checks()
        if any(cls.__name__ == "PaymentCheck" and cls.__module__ == "policies.support" for cls in type(check).__mro__)
    }


def finding(record, types: dict[tuple[str, int, int], str], strict: set[str]) -> dict:
    address = record.resource  # `<type>.<name>`, `provider.<name>` or `data.<type>.<name>`...
    kind, _, name = address.partition(".")
    if kind == "resource":  # ...except from Python resource checks
        address = f"{types[name, *record.file_line_range]}.{name}"
    return {
        "check_id": record.check_id,
        "check_name": record.check_name,
        "result": str(record.check_result["result"].value),
        "address": address,
        "evaluated_keys": sorted(set(record.check_result.get("evaluated_keys") or [])),
        "guideline": record.guideline,
        "lines": list(record.file_line_range),
        "details": [str(detail) for detail in (record.details or [])],
        "strict": record.check_id in strict,
    }


def registered_checks() -> dict[str, dict]:
    """Every terraform check checkov knows after loading ours, built-in and custom: what it judges."""
    from checkov.common.bridgecrew.check_type import CheckType
    from checkov.common.checks_infra.registry import get_graph_checks_registry
    from checkov.terraform.checks.data.registry import data_registry
    from checkov.terraform.checks.provider.registry import provider_registry
    from checkov.terraform.checks.resource.registry import resource_registry

    checks: dict[str, dict] = {}
    for section, registry in (
        ("resource", resource_registry),
        ("data", data_registry),
        ("provider", provider_registry),
    ):
        for _, check in registry.all_checks():
            checks[check.id] = {"name": check.name, "section": section, "types": sorted(check.supported_entities)}
    for check in get_graph_checks_registry(CheckType.TERRAFORM).checks:
        checks[check.id] = {
            "name": check.name,
            "section": "graph",
            "types": sorted(set(check.resource_types or [])),
            "reads": sorted(graph_types(check)),
        }
    return dict(sorted(checks.items()))


def graph_types(check) -> set[str]:
    """Every resource type a graph check's definition names, in its connections and its attribute conditions:
    what it reads besides the resource it judges."""
    found = set(check.resource_types or []) | set(check.connected_resources_types or [])
    for sub_check in check.sub_checks or []:
        found |= graph_types(sub_check)
    return found


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # noqa: BLE001 - one line for tap, whatever checkov raised
        sys.exit(f"{type(error).__name__}: {' '.join(str(error).split())}")
    # Every reply is written and flushed: skip the half second the interpreter spends taking checkov apart.
    os._exit(0)
