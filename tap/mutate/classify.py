"""Which misconfiguration class (the matrix's row) a mutant belongs to, and which field-report lesson.

Rules are tried in order; the first whose pattern finds the resource type, the attribute
or the operator wins. Patterns are regular expressions searched in "type attribute".
"""

from __future__ import annotations

import re

# (category, pattern over "<operator> <type> <attribute>")
RULES: tuple[tuple[str, str], ...] = (
    ("ordering (depends_on)", r"^unlink-order |^drop \S+ depends_on$"),
    ("naming", r"^unlink-suffix |random_id|\b(bucket|name|name_prefix|identifier|family)$"),
    ("IMDS", r"metadata_options|http_tokens|http_put_response_hop_limit"),
    ("TLS", r"ssl_policy|certificate|SecureTransport|tls|listener|redirect|protocol_version"),
    ("key management", r"aws_kms|key_rotation|deletion_window|kms_key_policy"),
    ("encryption", r"encrypt|kms|sse|server_side"),
    ("credentials", r"password|secret|credential|iam_database_authentication|iam_instance_profile|iam_role"),
    ("public exposure", r"public|acl|publicly_accessible|scheme|internal|ownership"),
    ("logging and retention", r"log|retention|audit|flow|trail|pgaudit|object_lock|event_rule|cloudwatch_event"),
    (
        "deletion safety",
        r"deletion_protection|skip_final_snapshot|force_destroy|prevent_destroy|versioning|lifecycle|skip_destroy"
        r"|final_snapshot",
    ),
    (
        "network reachability",
        r"cidr|port|security_group|route|egress|ingress|vpc_endpoint|subnet|nat_gateway|internet_gateway|eip"
        r"|aws_vpc|network_acl|wafv2|protocol|principal|condition|statement|policy",
    ),
    ("availability", r"alarm|sns|desired|min_size|max_size|multi_az|health|autoscaling|target_group|instance"),
)
COMPILED = tuple((category, re.compile(pattern, re.IGNORECASE)) for category, pattern in RULES)

# Field-report lessons (tap.mutate.model.LESSONS) a plan mutant exercises.
LESSON_RULES: tuple[tuple[int, str], ...] = (
    (1, r"^unlink-suffix |random_id"),
    (2, r" aws_db_instance engine_version$"),
    (3, r"^(unlink-order|drop) aws_(eip|nat_gateway|route|route_table) depends_on"),
    (6, r" aws_launch_template tag_specifications"),
    (7, r" aws_(nat_gateway|eip) | aws_route_table \S*nat_gateway_id"),
)
COMPILED_LESSONS = tuple((lesson, re.compile(pattern)) for lesson, pattern in LESSON_RULES)


def category_of(type_: str, attribute: str, operator: str) -> str:
    text = f"{operator} {type_} {attribute}"
    return next((category for category, pattern in COMPILED if pattern.search(text)), "other")


def lesson_of(type_: str, attribute: str, operator: str) -> int | None:
    text = f"{operator} {type_} {attribute}"
    return next((lesson for lesson, pattern in COMPILED_LESSONS if pattern.search(text)), None)
