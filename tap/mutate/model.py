"""What a campaign is made of: mutants, the layers that may kill them, and their outcomes.

A mutant is one misconfiguration: of a plan (for the unit and policy layers, and
preflight) or of a provisioned rehearsal account (for the live layer). Its id is stable
for the same change, so the survivors file can name it and two campaigns can be compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LAYERS = ("unit", "policy", "live", "preflight")

# The matrix's rows: what kind of misconfiguration a mutant is.
CATEGORIES = (
    "encryption",
    "public exposure",
    "network reachability",
    "IMDS",
    "TLS",
    "logging and retention",
    "key management",
    "credentials",
    "ordering (depends_on)",
    "naming",
    "deletion safety",
    "availability",
    "other",
)

# The PCI DSS v4.0.1 principal requirement (1 to 12) a misconfiguration class threatens; the classes absent
# (naming, ordering, availability, deletion safety, other) threaten no requirement of the standard.
CATEGORY_FAMILIES = {
    "public exposure": 1,
    "network reachability": 1,
    "IMDS": 2,
    "encryption": 3,
    "key management": 3,
    "TLS": 4,
    "credentials": 8,
    "logging and retention": 10,
}

# The field report's seven lessons, each a named row of the matrix.
LESSONS = {
    1: "names that collide on redeploy",
    2: "a database engine version that no longer exists",
    3: "EIP, NAT and internet gateway created out of order",
    4: "CDKTF's nested outputs misread",
    5: "boto3's nested S3 encryption response misread",
    6: "launch template tag specifications",
    7: "NAT gateways per zone",
}


@dataclass(frozen=True)
class Mutant:
    kind: str  # "plan" or "account"
    deployment: str  # the test deployment (plan) or profile (account) it was made from
    target: str  # a resource address (plan) or what the account change touches
    operator: str  # flip, zero, smaller, larger, swap, drop, widen, unlink, delete, add, ...
    attribute: str = ""  # dotted path inside the resource ("" for the whole resource)
    detail: str = ""  # the change, for people: "true -> false"
    category: str = "other"
    lesson: int | None = None

    @property
    def id(self) -> str:
        return ":".join((self.kind, self.deployment, self.target, self.attribute, self.operator, self.detail))


@dataclass
class Outcome:
    mutant: Mutant
    # layer -> what killed it there (a test id, or "check id on address"); a layer absent did not run
    killed: dict[str, str | None] = field(default_factory=dict)

    @property
    def survived(self) -> bool:
        return not any(self.killed.values())
