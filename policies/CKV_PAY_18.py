import re

from checkov.common.models.enums import CheckCategories

from policies.support import NotEvaluated, PaymentCheck, is_reference, unresolved


class CKV_PAY_18(PaymentCheck):
    TITLE = "No resource holds a secret-looking literal"
    CATEGORY = CheckCategories.SECRETS
    SEVERITY = "critical"
    REMEDIATION = (
        "Remove the literal and read the value from Secrets Manager or SSM Parameter Store at run time; "
        "rotate the exposed secret."
    )
    RESOURCES = ("*",)
    # Attribute names that hold credentials; a literal value there is a secret in the plan.
    SECRET_NAMES = re.compile(r"(^|[_/])(password|passphrase|secret|secret_string|token|private_key|secret_key)$")

    def scan_resource_conf(self, conf):
        credentials = [(key, found) for key, found in walk(conf) if self.SECRET_NAMES.search(key)]
        if not credentials:
            return self.out_of_scope("no attribute of this resource is named for a credential")
        for key, found in credentials:
            if unresolved(found):  # computed at apply: whether it is a literal secret cannot be told
                raise NotEvaluated(key, f"{found} is known only when Terraform evaluates the plan")
        leaked = sorted(key for key, found in credentials if is_literal(found))
        return self.verdict(not leaked, *(leaked or sorted({key for key, _ in credentials})))


def walk(conf, prefix=""):
    """Every (key path, leaf value) in a resource, through nested blocks."""
    for key, found in conf.items():
        path = f"{prefix}{key}"
        items = found if isinstance(found, list) else [found]
        for item in items:
            if isinstance(item, dict):
                yield from walk(item, f"{path}/")
            else:
                yield path, item


def is_literal(found):
    return isinstance(found, str) and found != "" and not is_reference(found)


check = CKV_PAY_18()
