"""One violation per custom policy, applied to a copy of a real plan.

Each mutation edits the plan's JSON and returns the address of the resource that must
now fail that policy: the audit has to name it.
"""

from __future__ import annotations

import json
from collections.abc import Callable

Document = dict


def _first(document: Document, type_: str, name_part: str = "") -> tuple[str, dict]:
    """The first resource of a type (whose name contains `name_part`): its address and body."""
    for name, body in document["resource"][type_].items():
        if name_part in name:
            return f"{type_}.{name}", body
    raise LookupError(f"no {type_} named *{name_part}* in the plan")


def _setter(type_: str, name_part: str = "", **changes) -> Callable[[Document], str]:
    """A mutation that sets (or, with None, removes) attributes of one resource."""

    def mutate(document: Document) -> str:
        address, body = _first(document, type_, name_part)
        for key, value in changes.items():
            if value is None:
                body.pop(key, None)
            else:
                body[key] = value
        return address

    return mutate


def _nested(type_: str, name_part: str, path: tuple, value) -> Callable[[Document], str]:
    """A mutation that sets one nested value, e.g. ("metadata_options", "http_tokens")."""

    def mutate(document: Document) -> str:
        address, body = _first(document, type_, name_part)
        for key in path[:-1]:
            body = body[key]
        body[path[-1]] = value
        return address

    return mutate


def _drop_companion(type_: str, bucket: str) -> Callable[[Document], str]:
    """Remove the resource of `type_` that belongs to a bucket; the bucket must then fail."""

    def mutate(document: Document) -> str:
        bucket_address, _ = _first(document, "aws_s3_bucket", f"_{bucket}_")
        companions = document["resource"][type_]
        name = next(name for name, body in companions.items() if bucket_address in json.dumps(body.get("bucket")))
        del companions[name]
        return bucket_address

    return mutate


def _force_ssl_off(document: Document) -> str:
    address, body = _first(document, "aws_db_parameter_group")
    body["parameter"] = [item for item in body["parameter"] if item["name"] != "rds.force_ssl"]
    return address


def _tls_statement_removed(document: Document) -> str:
    address, body = _first(document, "aws_s3_bucket_policy", "_data_")
    policy = json.loads(body["policy"])
    policy["Statement"] = [item for item in policy["Statement"] if item.get("Sid") != "DenyInsecureTransport"]
    policy["Statement"].append({"Sid": "ReadOwnAccount", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"})
    body["policy"] = json.dumps(policy)
    bucket_name = body["bucket"].removeprefix("${").removesuffix(".id}")
    return bucket_name


def _world_open_database(document: Document) -> str:
    address, body = _first(document, "aws_vpc_security_group_ingress_rule", "db-sg")
    body.pop("referenced_security_group_id", None)
    body["cidr_ipv4"] = "0.0.0.0/0"
    return address


def _inline_world_ingress(document: Document) -> str:
    address, body = _first(document, "aws_security_group", "app-sg")
    body["ingress"] = [{"from_port": 8080, "to_port": 8080, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]
    return address


def _app_egress_to_internet(document: Document) -> str:
    address, body = _first(document, "aws_vpc_security_group_egress_rule", "app-sg-to-s3")
    body.pop("prefix_list_id", None)
    body["cidr_ipv4"] = "0.0.0.0/0"
    return address


def _rate_limit_removed(document: Document) -> str:
    address, body = _first(document, "aws_wafv2_web_acl")
    body["rule"] = [rule for rule in body["rule"] if "rate_based_statement" not in rule["statement"]]
    return address


def _key_policy(name_part: str, edit: Callable[[list[dict]], list[dict]]) -> Callable[[Document], str]:
    """A mutation that rewrites the statements of one KMS key's policy."""

    def mutate(document: Document) -> str:
        address, body = _first(document, "aws_kms_key", name_part)
        policy = json.loads(body["policy"])
        policy["Statement"] = edit(policy["Statement"])
        body["policy"] = json.dumps(policy)
        return address

    return mutate


def _root_gets_everything(statements: list[dict]) -> list[dict]:
    """The policy AWS gives a key by default: the account root may do anything with it."""
    root = next(s["Principal"] for s in statements if s["Sid"] == "AccountAdministersThroughIam")
    return [{"Sid": "Default", "Effect": "Allow", "Principal": root, "Action": "kms:*", "Resource": "*"}]


def _without_destruction_deny(statements: list[dict]) -> list[dict]:
    return [s for s in statements if s["Effect"] != "Deny"]


def _unbound_service_grants(statements: list[dict]) -> list[dict]:
    return [{**s, "Condition": {}} if "Service" in s.get("Principal", {}) else s for s in statements]


def _subscriptions_deleted(document: Document) -> str:
    document["resource"].pop("aws_sns_topic_subscription")
    return _first(document, "aws_sns_topic")[0]


def _flow_log_deleted(document: Document) -> str:
    document["resource"].pop("aws_flow_log")
    return _first(document, "aws_vpc")[0]


def _bucket_policy_without(name_part: str, dropped: Callable[[dict], bool]) -> Callable[[Document], str]:
    """A mutation that removes statements from one bucket policy."""

    def mutate(document: Document) -> str:
        address, body = _first(document, "aws_s3_bucket_policy", name_part)
        policy = json.loads(body["policy"])
        policy["Statement"] = [item for item in policy["Statement"] if not dropped(item)]
        body["policy"] = json.dumps(policy)
        return address

    return mutate


def _pgaudit_unloaded(document: Document) -> str:
    address, body = _first(document, "aws_db_parameter_group")
    for item in body["parameter"]:
        if item["name"] == "shared_preload_libraries":
            item["value"] = "pg_stat_statements"
    return address


def _object_lock_for_a_month(document: Document) -> str:
    address, body = _first(document, "aws_s3_bucket_object_lock_configuration")
    body["rule"]["default_retention"]["days"] = 30
    return address


def _data_protection_without(sid: str) -> Callable[[Document], str]:
    """A mutation that drops one statement of the database log group's data protection policy."""

    def mutate(document: Document) -> str:
        address, body = _first(document, "aws_cloudwatch_log_data_protection_policy", "postgresql")
        policy = json.loads(body["policy_document"])
        policy["Statement"] = [item for item in policy["Statement"] if item.get("Sid") != sid]
        body["policy_document"] = json.dumps(policy)
        return address

    return mutate


def _event_pattern(name_part: str, edit: Callable[[dict], None]) -> Callable[[Document], str]:
    """A mutation that rewrites the event pattern of one EventBridge rule."""

    def mutate(document: Document) -> str:
        address, body = _first(document, "aws_cloudwatch_event_rule", name_part)
        pattern = json.loads(body["event_pattern"])
        edit(pattern)
        body["event_pattern"] = json.dumps(pattern)
        return address

    return mutate


def _database_log_group_unprotected(document: Document) -> str:
    """The database's log group loses its data protection policy: pgaudit's statements reach readers unmasked."""
    group, _ = _first(document, "aws_cloudwatch_log_group", "postgresql")
    policies = document["resource"]["aws_cloudwatch_log_data_protection_policy"]
    (name,) = [name for name, body in policies.items() if f"${{{group}.name}}" == body["log_group_name"]]
    del policies[name]
    return group


def _without_principal_arn(statements: list[dict]) -> list[dict]:
    """The EBS key as it was: any principal of the account may use it and create grants through EC2."""
    for statement in statements:
        statement.get("Condition", {}).pop("ArnEquals", None)
    return statements


def _old_log_versions_purged_early(document: Document) -> str:
    address, body = _first(document, "aws_s3_bucket_lifecycle_configuration", "alb-logs")
    body["rule"][0]["noncurrent_version_expiration"] = [{"noncurrent_days": 90}]
    return address


def _retention_change_unwatched(pattern: dict) -> None:
    pattern["detail"]["eventName"].remove("PutRetentionPolicy")


def _db_changes_unwatched(pattern: dict) -> None:
    pattern["detail"]["EventCategories"] = ["failure", "failover", "low storage"]


def _data_bucket_unwatched(document: Document) -> str:
    bucket, _ = _first(document, "aws_s3_bucket", "_data_")
    _event_pattern(
        "bucket-tampering",
        lambda pattern: pattern["detail"]["requestParameters"]["bucketName"].remove(f"${{{bucket}.bucket}}"),
    )(document)
    return bucket


def _database_log_quiet_unwatched(document: Document) -> str:
    database, _ = _first(document, "aws_db_instance")
    del document["resource"]["aws_cloudwatch_metric_alarm"][
        _first(document, "aws_cloudwatch_metric_alarm", "postgresql")[0].split(".")[1]
    ]
    return database


def _database_events_unwatched(document: Document) -> str:
    database, _ = _first(document, "aws_db_instance")
    rules = document["resource"]["aws_cloudwatch_event_rule"]
    del rules[next(name for name in rules if "db-failures" in name)]
    return database


def _subnet_left_on_the_default_acl(document: Document) -> str:
    subnet, _ = _first(document, "aws_subnet", "app-a")
    _, acl = _first(document, "aws_network_acl", "app-acl")
    acl["subnet_ids"].remove(f"${{{subnet}.id}}")
    return subnet


def _endpoint_open_to_any_accounts_resources(document: Document) -> str:
    address, body = _first(document, "aws_vpc_endpoint", "ssm-endpoint")
    policy = json.loads(body["policy"])
    del policy["Statement"][0]["Condition"]["StringEquals"]["aws:ResourceAccount"]
    body["policy"] = json.dumps(policy)
    return address


def _session_idle_for_twenty_minutes(document: Document) -> str:
    """Session Manager's default idle timeout, which 8.2.8 does not allow."""
    address, body = _first(document, "aws_ssm_document", "session-preferences")
    content = json.loads(body["content"])
    content["inputs"]["idleSessionTimeout"] = "20"
    body["content"] = json.dumps(content)
    return address


def _data_key_for_every_key(document: Document) -> str:
    address, body = _first(document, "aws_iam_role_policy", "app-policy")
    policy = json.loads(body["policy"])
    for statement in policy["Statement"]:
        if statement.get("Sid") == "DataKeyThroughS3":
            statement["Resource"] = "*"
    body["policy"] = json.dumps(policy)
    return address


def _app_role_made_administrator(document: Document) -> str:
    address, body = _first(document, "aws_iam_role_policy_attachment", "ssm-core")
    body["policy_arn"] = "arn:aws:iam::aws:policy/AdministratorAccess"
    return address


def _dns_queries_unlogged(document: Document) -> str:
    address, _ = _first(document, "aws_vpc")
    document["resource"].pop("aws_route53_resolver_query_log_config_association")
    return address


def _everyone_reads_the_data(document: Document) -> str:
    address, body = _first(document, "aws_s3_bucket_policy", "_data_")
    policy = json.loads(body["policy"])
    policy["Statement"].append({"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"})
    body["policy"] = json.dumps(policy)
    return address


def _patching_dropped(document: Document) -> str:
    del document["resource"]["aws_ssm_association"]
    return _first(document, "aws_autoscaling_group")[0]


# Policies on what only one profile carries (dev has no Object Lock: it is destroyed every
# night): mutated on that profile's plan, and the other's must give them nothing to check.
ONLY_IN = {"CKV_PAY_31": "prod", "CKV_PAY_65": "prod"}

MUTATIONS: dict[str, Callable[[Document], str]] = {
    "CKV_PAY_1": _setter("aws_db_instance", kms_key_id=None),
    "CKV_PAY_2": _nested("aws_launch_template", "", ("block_device_mappings", 0, "ebs", "encrypted"), "false"),
    "CKV_PAY_3": _setter("aws_cloudwatch_log_group", "flow-logs", kms_key_id=None),
    "CKV_PAY_4": _setter("aws_db_instance", master_user_secret_kms_key_id=None),
    "CKV_PAY_5": _setter("aws_kms_key", "data-key", enable_key_rotation=False),
    "CKV_PAY_6": _nested("aws_launch_template", "", ("metadata_options", "http_tokens"), "optional"),
    "CKV_PAY_7": _setter("aws_db_instance", publicly_accessible=True),
    "CKV_PAY_8": _inline_world_ingress,
    "CKV_PAY_9": _nested("aws_launch_template", "", ("network_interfaces", 0, "associate_public_ip_address"), "true"),
    "CKV_PAY_10": _setter("aws_subnet", "app-a", map_public_ip_on_launch=True),
    "CKV_PAY_11": _setter("aws_lb_listener", "https", ssl_policy="ELBSecurityPolicy-2016-08"),
    "CKV_PAY_12": _nested(
        "aws_lb_listener",
        "_http_",
        ("default_action", 0),
        {"type": "forward", "target_group_arn": "${aws_lb_target_group.x.arn}"},
    ),
    "CKV_PAY_13": _force_ssl_off,
    "CKV_PAY_14": _nested("aws_lb", "", ("access_logs", "enabled"), False),
    "CKV_PAY_15": _setter("aws_db_instance", enabled_cloudwatch_logs_exports=["upgrade"]),
    "CKV_PAY_16": _setter("aws_cloudwatch_log_group", "app-logs", retention_in_days=30),
    "CKV_PAY_17": _setter("aws_db_instance", manage_master_user_password=False),
    "CKV_PAY_18": _setter("aws_db_instance", password="Pl41ntext-In-The-Plan"),
    "CKV_PAY_19": _app_egress_to_internet,
    "CKV_PAY_20": _setter("aws_vpc_endpoint", "s3-endpoint", policy=None),
    "CKV_PAY_21": _setter("aws_vpc_endpoint", "ssm-endpoint", private_dns_enabled=False),
    "CKV_PAY_25": _rate_limit_removed,
    "CKV_PAY_26": _setter("aws_wafv2_web_acl_logging_configuration", redacted_fields=None),
    "CKV_PAY_27": _key_policy("data-key", _root_gets_everything),
    "CKV_PAY_28": _key_policy("data-key", _without_destruction_deny),
    "CKV_PAY_29": _key_policy("logs-key", _unbound_service_grants),
    "CKV_PAY_30": _bucket_policy_without("alb-logs", lambda item: item.get("Sid") == "DenyLogDeletion"),
    "CKV_PAY_31": _object_lock_for_a_month,
    "CKV_PAY_32": _pgaudit_unloaded,
    "CKV_PAY_33": _bucket_policy_without("_data_", lambda item: "aws:SourceVpce" in json.dumps(item)),
    "CKV2_PAY_1": _drop_companion("aws_s3_bucket_server_side_encryption_configuration", "data"),
    "CKV2_PAY_2": _drop_companion("aws_s3_bucket_public_access_block", "data"),
    "CKV2_PAY_3": _world_open_database,
    "CKV2_PAY_4": _tls_statement_removed,
    "CKV2_PAY_5": _setter("aws_db_instance", parameter_group_name=None),
    "CKV2_PAY_6": _flow_log_deleted,
    "CKV2_PAY_15": _setter("aws_db_instance", parameter_group_name=None),
    "CKV2_PAY_10": _subscriptions_deleted,
    "CKV_PAY_60": _data_protection_without("MaskCardData"),
    "CKV2_PAY_60": _database_log_group_unprotected,
    "CKV_PAY_61": _key_policy("ebs-key", _without_principal_arn),
    # Dev keeping a final snapshot again, encrypted with the key its nightly destroy schedules for deletion.
    "CKV2_PAY_61": _setter("aws_db_instance", skip_final_snapshot=False, final_snapshot_identifier="db-final"),
    "CKV_PAY_62": _bucket_policy_without(
        "alb-logs", lambda item: item.get("Sid") == "OnlyTheDeliveryServiceWritesLogs"
    ),
    "CKV_PAY_63": _old_log_versions_purged_early,
    "CKV_PAY_64": _setter("aws_db_instance", ca_cert_identifier="rds-ca-2019"),
    "CKV_PAY_65": _setter("aws_db_instance", skip_final_snapshot=True),
    "CKV_PAY_70": _event_pattern("log-group-tampering", _retention_change_unwatched),
    "CKV2_PAY_70": _data_bucket_unwatched,
    "CKV2_PAY_71": _database_log_quiet_unwatched,
    "CKV_PAY_71": _event_pattern("db-failures", _db_changes_unwatched),
    "CKV2_PAY_72": _database_events_unwatched,
    "CKV_PAY_50": _setter("aws_network_acl_rule", "public-ingress-100", from_port=22, to_port=22),
    "CKV_PAY_51": _endpoint_open_to_any_accounts_resources,
    "CKV2_PAY_50": _subnet_left_on_the_default_acl,
    "CKV2_PAY_51": _dns_queries_unlogged,
    "CKV_PAY_40": _setter("aws_autoscaling_group", max_instance_lifetime=None),
    "CKV_PAY_41": _nested("aws_ssm_association", "patching", ("parameters", "Operation"), "Scan"),
    "CKV_PAY_42": _session_idle_for_twenty_minutes,
    "CKV_PAY_43": _data_key_for_every_key,
    "CKV_PAY_45": _app_role_made_administrator,
    "CKV_PAY_44": _setter("aws_launch_template", user_data=None),
    "CKV2_PAY_40": _patching_dropped,
    "CKV_PAY_90": _setter("aws_s3_bucket", "_data_", acl="public-read"),
    "CKV_PAY_91": _everyone_reads_the_data,
}

# A policy judging a family of types gets one more mutation for each other type of its family the
# stack has (policies/families.toml; the policy's own mutation above covers one type).
FAMILY_MUTATIONS: dict[tuple[str, str], Callable[[Document], str]] = {
    # A key id written out: maybe an AWS-managed or another account's key, nothing the plan can show.
    ("CKV_PAY_1", "aws_cloudwatch_log_group"): _setter(
        "aws_cloudwatch_log_group",
        "postgresql",
        kms_key_id="arn:aws:kms:ap-southeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    ),
    ("CKV_PAY_1", "aws_sns_topic"): _setter("aws_sns_topic", "", kms_master_key_id="alias/aws/sns"),
    # The default group, which the stack keeps empty, opened to the internet.
    ("CKV_PAY_8", "aws_default_security_group"): _setter(
        "aws_default_security_group",
        ingress=[{"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "to_port": 22, "protocol": "tcp"}],
    ),
    # The load balancer's HTTPS rule widened from one port to every port.
    ("CKV_PAY_8", "aws_vpc_security_group_ingress_rule"): _setter(
        "aws_vpc_security_group_ingress_rule", "https-in", ip_protocol="-1", from_port=None, to_port=None
    ),
    # A bucket's own policy argument letting anyone read its objects.
    ("CKV_PAY_91", "aws_s3_bucket"): _setter(
        "aws_s3_bucket",
        "data",
        policy='{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}',
    ),
}
