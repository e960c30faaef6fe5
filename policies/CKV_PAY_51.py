import re

from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, as_list, conditions, names, statements, text
from tap.expressions import whole_expression

PRINCIPAL_ACCOUNT, RESOURCE_ACCOUNT = "aws:PrincipalAccount", "aws:ResourceAccount"
# This account, as the plan can tell it: the account id of the provider's caller identity. Twelve
# digits written in the plan are some account, not knowably the one the stack is deployed into.
THIS_ACCOUNT = re.compile(r"\s*data\.aws_caller_identity\.[A-Za-z_][\w-]*\.account_id\s*")
# Session Manager's and SSM Agent's message channels name no resource, so no resource account can be required.
CHANNELS = re.compile(r"com\.amazonaws\.[a-z0-9-]+\.(ssmmessages|ec2messages)")
# What AWS owns in SSM (documents such as AWS-RunPatchBaseline, public parameters): no account in the ARN.
AWS_OWNED_SSM = re.compile(r"arn:aws[a-z-]*:ssm:[a-z0-9-]+::(document/|parameter/aws/).*")


def _this_account(item: dict, key: str) -> bool:
    """The statement's StringEquals binds `key` to this account alone. Other operators (StringLike's
    wildcards) do not bind."""
    bound = as_list(conditions(item).get("StringEquals", {}).get(key, []))
    expression = whole_expression(bound[0]) if len(bound) == 1 else None
    return expression is not None and bool(THIS_ACCOUNT.fullmatch(expression))


def _channel_service(conf: dict) -> str | None:
    """The message channel service the endpoint serves (ssmmessages, ec2messages), else None."""
    found = CHANNELS.fullmatch(text(conf, "service_name") or "")
    return found.group(1) if found else None


def _without_resource_account(item: dict, conf: dict) -> bool:
    """The statements that may leave the resource's account unbound: a channel service's own actions on its
    endpoint, and any statement on AWS-owned SSM documents and parameters alone."""
    resources = names(item, "Resource")
    if resources and all(AWS_OWNED_SSM.fullmatch(resource) for resource in resources):
        return True
    service = _channel_service(conf)
    actions = [action.lower() for action in names(item, "Action")]
    return service is not None and bool(actions) and all(action.startswith(f"{service}:") for action in actions)


def _confined(item: dict, conf: dict) -> bool:
    """An allowing statement admits only this account's principals, acting on this account's resources."""
    if item.get("Effect") != "Allow":
        return True
    if {"NotPrincipal", "NotAction", "NotResource"} & set(item):
        return False
    if not _this_account(item, PRINCIPAL_ACCOUNT):
        return False
    return _this_account(item, RESOURCE_ACCOUNT) or _without_resource_account(item, conf)


class CKV_PAY_51(PaymentCheck):
    TITLE = "Interface endpoints admit only this account's principals, acting on this account's resources"
    CATEGORY = CheckCategories.NETWORKING
    SEVERITY = "high"
    REMEDIATION = (
        "Give the interface endpoint a policy whose statements require aws:PrincipalAccount and aws:ResourceAccount "
        "to equal this account's id, as ${data.aws_caller_identity.<name>.account_id}; only the ssmmessages and "
        "ec2messages endpoints' own actions, and statements on AWS-owned SSM documents and parameters alone, may "
        "go without aws:ResourceAccount."
    )
    RESOURCES = ("aws_vpc_endpoint",)

    def scan_resource_conf(self, conf):
        kind = text(conf, "vpc_endpoint_type") or "Gateway"  # the provider's default
        if kind != "Interface":
            return self.out_of_scope(f"a {kind} endpoint: this check judges interface endpoints")
        # No policy: AWS's default admits any principal of any account, the way data leaves without a route.
        found = statements(conf)
        allowed = [item for item in found if item.get("Effect") == "Allow"]
        return self.verdict(bool(allowed) and all(_confined(item, conf) for item in found), "policy", "service_name")


check = CKV_PAY_51()
