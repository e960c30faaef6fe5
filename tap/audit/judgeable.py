"""A plan the audit cannot judge whole is refused, in one sentence, before anything is scanned.

Each refusal is a way part of the plan would escape every check while the rest passes:
- `module` blocks: checkov follows only local sources, and their resources are not the plan's;
- dynamic blocks, `count` and `for_each`: how many blocks exist is known only when Terraform
  expands them (`count = 0` removes a control every check still sees);
- a variable, local or another state's output in any block: its value is known only at apply;
- an aliased `aws` provider, the AWS provider under another local name, a `provider` chosen per
  resource: such resources may live in another account or region, with other default tags; the
  plan's environment, region and tags come from the one default `aws` provider;
- a stack whose name contradicts its `Environment` tag: which environment's waivers apply?
- other Terraform files beside the plan: Terraform loads every `*.tf(.json)` of the folder,
  overrides included, so the plan alone is not what would be applied.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from stack.contract import stack_name
from tap.errors import UsageError
from tap.expressions import inputs, leaves
from tap.plan import METADATA, Plan

AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"
TERRAFORM_FILE = re.compile(r".*\.tf(\.json)?$")
META_ARGUMENTS = ("count", "for_each", "provider")


def refuse_unjudgeable(plan: Plan, plan_path: Path) -> None:
    siblings = sorted(path.name for path in Path(plan_path).parent.iterdir() if TERRAFORM_FILE.fullmatch(path.name))
    if siblings != [Path(plan_path).name]:
        others = ", ".join(name for name in siblings if name != Path(plan_path).name)
        raise UsageError(
            f"the plan {plan_path} lies beside other Terraform files ({others}), which Terraform would apply "
            "with it: audit a folder that holds the plan alone"
        )
    problems = (_modules, _bookkeeping, _providers, _required_providers, _unjudged_providers, _environment)
    for problem in (*problems, _expanded, _regions, _inputs):
        found = problem(plan.document)
        if found:
            raise UsageError(f"the plan {plan_path} {found}")


# Providers whose resources the policies judge: AWS's, and random's (which creates no infrastructure).
JUDGED_PROVIDERS = ("aws", "random")
# Blocks that move, import or forget state: checkov reads no plan that holds them.
BOOKKEEPING = ("import", "moved", "removed")


def _bookkeeping(document: dict[str, Any]) -> str | None:
    found = [name for name in BOOKKEEPING if name in document]
    if found:
        return (
            f"holds {found[0]} blocks, which checkov cannot read: apply the {found[0]} first, then audit the "
            "plan without them"
        )
    return None


def _unjudged_providers(document: dict[str, Any]) -> str | None:
    """Resources and data sources of a provider no policy judges (awscc, a null provider...) would pass unseen."""
    for address, _ in _blocks(document):
        if address.startswith("provider."):
            continue
        provider = address.removeprefix("data.").split("_", 1)[0]
        if provider not in JUDGED_PROVIDERS:
            return (
                f"declares {address} of provider {provider}, which no policy judges: declare it with the aws provider"
            )
    return None


def _regions(document: dict[str, Any]) -> str | None:
    """A resource placed in another region than the provider's (provider 6 takes `region` per resource)."""
    region = Plan(document).region
    for address, body in _blocks(document):
        placed = body.get("region") if not address.startswith("provider.") else None
        if placed is not None and placed != region:
            return (
                f"places {address} in region {placed}, not the provider's {region or '(none)'}: "
                "its resources would escape the plan's environment and evidence"
            )
    return None


def _modules(document: dict[str, Any]) -> str | None:
    modules = document.get("module") or {}
    if not modules:
        return None
    names = ", ".join(sorted(modules)) if isinstance(modules, dict) else "of some name"
    return (
        f"calls module {names}: the audit cannot judge what a module declares; "
        "declare its resources in the stack instead"
    )


def _providers(document: dict[str, Any]) -> str | None:
    configs = document.get("provider", {}).get("aws") or []
    aliases = sorted(str(config["alias"]) for config in configs if "alias" in config)
    if aliases:
        return (
            f"configures an aliased aws provider ({', '.join(aliases)}): resources on it may live in another account "
            "or region, which the audit cannot attribute; keep one aws provider"
        )
    if len(configs) != 1:
        return f"has {len(configs) or 'no'} default aws providers: its environment, region and tags need exactly one"
    return None


def _required_providers(document: dict[str, Any]) -> str | None:
    """The AWS provider only as `aws`, and `aws` only HashiCorp's."""
    for block in _as_blocks(document.get("terraform")):
        for required in _as_blocks(block.get("required_providers")):
            for name, settings in required.items():
                source = settings.get("source") if isinstance(settings, dict) else None
                address = provider_address(str(source or name))
                if (name == "aws") != (address == AWS_PROVIDER):
                    return (
                        f"requires provider {name} from {address}: the AWS provider must be `aws` from "
                        f"{AWS_PROVIDER}, so every AWS resource has the plan's one provider"
                    )
    return None


def provider_address(source: str) -> str:
    """A provider source as Terraform reads it: `aws` and `hashicorp/aws` are registry.terraform.io/hashicorp/aws."""
    parts = source.strip().lower().split("/")
    parts = ["hashicorp", *parts] if len(parts) == 1 else parts
    return "/".join(["registry.terraform.io", *parts] if len(parts) == 2 else parts)


def _as_blocks(found: Any) -> list[dict[str, Any]]:
    """A block given as an object or as a list of objects (both are Terraform JSON)."""
    items = found if isinstance(found, list) else [found] if found else []
    return [item for item in items if isinstance(item, dict)]


def _environment(document: dict[str, Any]) -> str | None:
    plan = Plan(document)
    environment, stack = plan.environment, plan.stack_name
    if environment is None:
        return "names no environment (the aws provider's default tag Environment): its waivers cannot be chosen"
    if stack != stack_name(environment):
        return (
            f"is stack {stack} but tagged environment {environment!r} (whose stack is {stack_name(environment)}): "
            "which environment's waivers apply cannot be told"
        )
    return None


def _blocks(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(address, body) of every resource, data source and provider configuration."""
    found = []
    for section in ("resource", "data"):
        for type_, by_name in document.get(section, {}).items():
            prefix = "data." if section == "data" else ""
            found += [(f"{prefix}{type_}.{name}", body) for name, body in by_name.items()]
    for name, configs in document.get("provider", {}).items():
        found += [(f"provider.{name}", config) for config in configs]
    return found


def _expanded(document: dict[str, Any]) -> str | None:
    for address, body in _blocks(document):
        if address.startswith("provider."):
            continue
        meta = [name for name in META_ARGUMENTS if name in body]
        if meta:
            return (
                f"sets {meta[0]} on {address}: how many of it exist, or which provider makes it, is decided "
                "only when Terraform evaluates the plan, while every check sees one; declare each block as it is"
            )
        block = _dynamic_in(body)
        if block:
            return (
                f"declares dynamic block {block} in {address}: its blocks exist only when Terraform expands "
                "them, so no check could read them; declare each block"
            )
    return None


def _keys(found: Any, path: str = "") -> list[tuple[str, str]]:
    """(path, key) of every map key below a value: in Terraform JSON a key is a template too."""
    if isinstance(found, list):
        return [key for index, item in enumerate(found) for key in _keys(item, f"{path}/[{index}]")]
    if not isinstance(found, dict):
        return []
    own = [(f"{path}/{key}" if path else key, key) for key in found]
    return [*own, *(key for name, item in found.items() for key in _keys(item, f"{path}/{name}" if path else name))]


def _dynamic_in(body: Any) -> str | None:
    """The name of a dynamic block (`"dynamic": {"ingress": {"for_each": ..., "content": ...}}`) at any depth."""
    if isinstance(body, list):
        return next(filter(None, (_dynamic_in(item) for item in body)), None)
    if not isinstance(body, dict):
        return None
    dynamic = _as_blocks(body.get("dynamic"))
    if dynamic:
        return ", ".join(sorted(str(name) for block in dynamic for name in block) or ["?"])
    return next(filter(None, (_dynamic_in(item) for key, item in body.items() if key != METADATA)), None)


def _inputs(document: dict[str, Any]) -> str | None:
    for address, body in _blocks(document):
        attributes = {key: value for key, value in body.items() if key != METADATA}
        for path, leaf in [*leaves(attributes), *_keys(attributes)]:
            named = inputs(leaf)
            if named:
                return (
                    f"sets {address}.{path} from {', '.join(named)}: its value is known only when Terraform "
                    "applies the plan, so the audit cannot judge it; synthesize the value into the plan"
                )
    return None
