from dataclasses import dataclass

from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, holds, is_true, literal, plan_key


@dataclass(frozen=True)
class Store:
    """Where a type of data store names its key, and what turns its encryption on."""

    key: str | None  # the attribute naming the key (a path: `a/[0]/b`); None: the type stores nothing itself
    switch: str | None = None  # the attribute turning encryption on; None: always on, with AWS's key by default
    on: object = True  # the value of `switch` that does
    replicas: str | None = None  # blocks of copies in other regions, each naming its own key (`key`'s last step)
    insights: bool = False  # Performance Insights keeps query text, which can carry card data: its key too


# Every type that keeps data a payment workload can write (rows, files, items, messages, log
# events, secrets, stream records, backups, snapshot copies): a resource of any of them, not only
# the types the stack uses today, is held to a key of the plan.
STORES = {
    "aws_db_instance": Store("kms_key_id", "storage_encrypted", insights=True),
    "aws_rds_cluster": Store("kms_key_id", "storage_encrypted", insights=True),
    "aws_rds_cluster_instance": Store(None, insights=True),  # its storage is the cluster's
    "aws_docdb_cluster": Store("kms_key_id", "storage_encrypted"),
    "aws_neptune_cluster": Store("kms_key_arn", "storage_encrypted"),
    "aws_redshift_cluster": Store("kms_key_id", "encrypted"),
    "aws_db_snapshot_copy": Store("kms_key_id"),
    "aws_efs_file_system": Store("kms_key_id", "encrypted"),
    "aws_fsx_lustre_file_system": Store("kms_key_id"),  # a scratch file system cannot name one: it fails
    "aws_fsx_ontap_file_system": Store("kms_key_id"),
    "aws_fsx_openzfs_file_system": Store("kms_key_id"),
    "aws_fsx_windows_file_system": Store("kms_key_id"),
    "aws_dynamodb_table": Store(
        "server_side_encryption/[0]/kms_key_arn", "server_side_encryption/[0]/enabled", replicas="replica"
    ),
    "aws_elasticache_replication_group": Store("kms_key_id", "at_rest_encryption_enabled"),
    "aws_elasticache_serverless_cache": Store("kms_key_id"),
    "aws_memorydb_cluster": Store("kms_key_arn"),
    "aws_opensearch_domain": Store("encrypt_at_rest/[0]/kms_key_id", "encrypt_at_rest/[0]/enabled"),
    "aws_elasticsearch_domain": Store("encrypt_at_rest/[0]/kms_key_id", "encrypt_at_rest/[0]/enabled"),
    "aws_sns_topic": Store("kms_master_key_id"),
    "aws_sqs_queue": Store("kms_master_key_id"),
    "aws_kinesis_stream": Store("kms_key_id", "encryption_type", on="KMS"),
    "aws_cloudwatch_log_group": Store("kms_key_id"),
    "aws_secretsmanager_secret": Store("kms_key_id", replicas="replica"),
    "aws_backup_vault": Store("kms_key_arn"),
}


class CKV_PAY_1(PaymentCheck):
    TITLE = "Stored data is encrypted with a customer-managed KMS key of the plan"
    CATEGORY = CheckCategories.ENCRYPTION
    SEVERITY = "high"
    REMEDIATION = (
        "Turn encryption at rest on and name the stack's customer-managed key (a reference to its aws_kms_key) "
        "for the store, each replica and Performance Insights."
    )
    RESOURCES = tuple(STORES)

    def scan_resource_conf(self, conf):
        # A key created in this stack: not an AWS-managed key (aws/rds, aws/sns...), an alias nor a literal id.
        store = STORES[self.entity_type]
        wanted = self.wanted_keys(conf, store)
        if not wanted:
            return self.out_of_scope("it stores nothing of its own, and Performance Insights is off")
        switched = [] if store.switch is None else [store.switch]
        encrypted = not switched or holds(conf, store.switch, store.on)
        unkeyed = [key for key in wanted if not plan_key(conf, key)]
        off = [f"{key} is not {store.on}" for key in switched if not encrypted]
        self.details.extend([*off, *(f"{key} names no aws_kms_key of the plan" for key in unkeyed)])
        return self.verdict(encrypted and not unkeyed, *switched, *wanted)

    @staticmethod
    def wanted_keys(conf, store):
        """The paths that must each name a key of the plan."""
        wanted = [] if store.key is None else [store.key]
        if store.replicas:
            attribute = store.key.rsplit("/", 1)[-1]
            replicas = range(len(blocks(conf, store.replicas)))
            wanted += [f"{store.replicas}/[{number}]/{attribute}" for number in replicas]
        if store.insights and is_true(literal(conf, "performance_insights_enabled")):
            wanted.append("performance_insights_kms_key_id")
        return wanted


check = CKV_PAY_1()
