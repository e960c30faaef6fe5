"""Who outside the account a KMS key policy statement or grant admits: the exposure no planned resource shows.

A principal is of this account when it names it (an account id, or an ARN in it). A statement that
admits every principal (`*`, or NotPrincipal), or an AWS service, is confined to this account only by
a condition that binds an account-naming key to it alone: `kms:CallerAccount`, `aws:PrincipalAccount`,
`aws:SourceAccount`, `aws:SourceOwner`, `aws:PrincipalArn`, `aws:SourceArn` or an ARN in the encryption
context, under StringEquals, StringLike, ArnEquals or ArnLike (a negated or IfExists operator confines
nothing), every value naming this account.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

CONFINING_OPERATORS = {"StringEquals", "StringLike", "ArnEquals", "ArnLike"}
ACCOUNT_KEYS = {
    "kms:calleraccount",
    "aws:principalaccount",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:principalarn",
    "aws:sourcearn",
}


def _listed(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def account_of(principal: str) -> str | None:
    """The account a principal or condition value names: an id, an ARN's account field; None for anyone else."""
    if principal.isdigit() and len(principal) == 12:
        return principal
    if principal.startswith("arn:"):
        parts = principal.split(":")
        return parts[4] if len(parts) > 4 else None
    return None


def _names_this_account(value: Any, account: str) -> bool:
    return isinstance(value, str) and account_of(value) == account


def _confined(statement: dict, account: str) -> bool:
    for operator, conditions in statement.get("Condition", {}).items():
        if operator not in CONFINING_OPERATORS:
            continue
        for key, values in conditions.items():
            binding = key.lower() in ACCOUNT_KEYS or key.lower().startswith("kms:encryptioncontext:")
            if binding and all(_names_this_account(value, account) for value in _listed(values)):
                return True
    return False


def _principals(statement: dict) -> Iterator[tuple[str, str]]:
    """(kind, value) of every principal an allowing statement admits; NotPrincipal admits nearly everyone."""
    if "NotPrincipal" in statement:
        yield "AWS", "*"
        return
    principal = statement.get("Principal")
    if principal == "*":
        yield "AWS", "*"
        return
    for kind, values in (principal or {}).items():
        for value in _listed(values):
            yield kind, value


def outsiders(statement: dict, account: str) -> list[str]:
    """Who outside `account` an allowing key policy statement admits, as a person would name them."""
    if statement.get("Effect") != "Allow":
        return []
    confined = _confined(statement, account)
    found = []
    for kind, value in _principals(statement):
        if kind == "AWS" and value != "*":
            if account_of(value) != account:
                found.append(f"{value} (another account)")
        elif not confined:
            who = "every principal" if value == "*" else f"{kind} {value}"
            found.append(f"{who} of any account (no condition binds it to {account})")
    return found


def grant_outsider(grant: dict, account: str) -> str | None:
    """The grantee of a KMS grant if it is another account's principal (an AWS service's is not)."""
    grantee = grant.get("GranteePrincipal", "")
    if grantee.endswith(".amazonaws.com"):
        return None
    return None if account_of(grantee) == account else grantee
