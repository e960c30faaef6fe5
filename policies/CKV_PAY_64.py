from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, text


class CKV_PAY_64(PaymentCheck):
    TITLE = "Databases present a server certificate from a current RDS CA"
    CATEGORY = CheckCategories.ENCRYPTION
    SEVERITY = "medium"
    REMEDIATION = "Set ca_cert_identifier to rds-ca-rsa2048-g1, rds-ca-rsa4096-g1 or rds-ca-ecc384-g1."
    RESOURCES = ("aws_db_instance", "aws_rds_cluster_instance")

    # The CAs RDS offers since rds-ca-2019 expired (August 2024), each valid for decades:
    # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html
    CURRENT = {"rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"}

    def scan_resource_conf(self, conf):
        # Absent, the region's default decides, which a plan cannot show.
        return self.verdict(text(conf, "ca_cert_identifier") in self.CURRENT, "ca_cert_identifier")


check = CKV_PAY_64()
