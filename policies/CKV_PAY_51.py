from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, as_list, conditions, is_reference, names, statements, text

PRINCIPAL_ACCOUNT, RESOURCE_ACCOUNT = "aws:PrincipalAccount", "aws:ResourceAccount"


def _account(item: dict, key: str):
    """The one account a statement's StringEquals binds `key` to: this account's id (a reference to the
    caller identity, or twelve digits), else None. Other operators (StringLike's wildcards) do not bind."""
    bound = as_list(conditions(item).get("StringEquals", {}).get(key, []))
    if len(bound) != 1:
        return None
    account = bound[0]
    named = is_reference(account, "data.aws_caller_identity") or (
        isinstance(account, str) and len(account) == 12 and account.isdigit()
    )
    return account if named else None


def _confined(item: dict) -> bool:
    """An allowing statement admits only this account's principals; on every service's actions, only on its
    resources."""
    if item.get("Effect") != "Allow":
        return True
    if {"NotPrincipal", "NotAction", "NotResource"} & set(item):
        return False
    principal = _account(item, PRINCIPAL_ACCOUNT)
    if principal is None:
        return False
    # A statement on every action of every service must bind the resource's account too; a service's own
    # actions may go without it where that service's resources have no account (documented in the stack).
    every_service = any(action == "*" for action in names(item, "Action"))
    return not every_service or _account(item, RESOURCE_ACCOUNT) == principal


class CKV_PAY_51(PaymentCheck):
    TITLE = "Interface endpoints admit only this account's principals, acting on this account's resources"
    CATEGORY = CheckCategories.NETWORKING
    SEVERITY = "high"
    REMEDIATION = (
        "Give the interface endpoint a policy whose statements require aws:PrincipalAccount (and, for every "
        "action, aws:ResourceAccount) to equal this account's id."
    )
    RESOURCES = ("aws_vpc_endpoint",)

    def scan_resource_conf(self, conf):
        kind = text(conf, "vpc_endpoint_type") or "Gateway"  # the provider's default
        if kind != "Interface":
            return self.out_of_scope(f"a {kind} endpoint: this check judges interface endpoints")
        # No policy: AWS's default admits any principal of any account, the way data leaves without a route.
        found = statements(conf)
        allowed = [item for item in found if item.get("Effect") == "Allow"]
        return self.verdict(bool(allowed) and all(_confined(item) for item in found), "policy")


check = CKV_PAY_51()
