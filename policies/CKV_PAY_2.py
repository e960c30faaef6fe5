from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, is_true, literal, plan_key


def template_volumes(conf):
    return [ebs for mapping in blocks(conf, "block_device_mappings") for ebs in blocks(mapping, "ebs")]


def instance_volumes(conf):
    # No root_block_device: the image's snapshot decides the root volume's encryption, which the plan cannot show.
    root = blocks(conf, "root_block_device")
    return [*root, *blocks(conf, "ebs_block_device")] if root else []


def itself(conf):
    # A volume, a snapshot copy or an image copy: `encrypted` and `kms_key_id` are its own.
    return [conf]


TEMPLATE = (template_volumes, ("block_device_mappings",))
INSTANCE = (instance_volumes, ("root_block_device", "ebs_block_device"))
COPY = (itself, ("encrypted", "kms_key_id"))
# Each type of EC2 block storage: where it declares its volumes (each with `encrypted` and `kms_key_id`),
# and what the verdict rests on. A launch configuration names no key (its volumes take the account's
# default): checkov's CKV_AWS_8 judges its encryption.
VOLUMES = {
    "aws_launch_template": TEMPLATE,
    "aws_instance": INSTANCE,
    "aws_spot_instance_request": INSTANCE,
    "aws_ebs_volume": COPY,
    "aws_ebs_snapshot_copy": COPY,
    "aws_ami_copy": COPY,
}


class CKV_PAY_2(PaymentCheck):
    TITLE = "EC2 volumes, snapshot copies and image copies are encrypted with a customer-managed KMS key of the plan"
    CATEGORY = CheckCategories.ENCRYPTION
    SEVERITY = "high"
    REMEDIATION = (
        "Set encrypted = true and kms_key_id to the stack's EBS key (a reference to its aws_kms_key) on every "
        "volume, the instance's root_block_device included."
    )
    RESOURCES = tuple(VOLUMES)

    def scan_resource_conf(self, conf):
        read, reads = VOLUMES[self.entity_type]
        volumes = read(conf)
        encrypted = bool(volumes) and all(
            is_true(literal(volume, "encrypted")) and plan_key(volume, "kms_key_id") for volume in volumes
        )
        return self.verdict(encrypted, *reads)


check = CKV_PAY_2()
