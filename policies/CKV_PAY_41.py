import re

from checkov.common.models.enums import CheckCategories

from policies.support import NotEvaluated, PaymentCheck, mapping, text, value


class CKV_PAY_41(PaymentCheck):
    TITLE = "Patch baseline associations install patches at least once a week"
    CATEGORY = CheckCategories.GENERAL_SECURITY
    SEVERITY = "high"
    REMEDIATION = (
        "Run AWS-RunPatchBaseline with Operation = Install on a schedule of at least once a week "
        "(a cron on a weekday or every day, or a rate of 7 days or less)."
    )
    RESOURCES = ("aws_ssm_association",)

    PATCH_DOCUMENT = "AWS-RunPatchBaseline"
    WEEK_DAYS = 7
    # cron(minutes hours day-of-month month day-of-week year): every week when only the weekday is chosen.
    WEEKLY_CRON = re.compile(
        r"cron\(\S+ \S+ \? \* (\*|MON|TUE|WED|THU|FRI|SAT|SUN|[1-7])(,[A-Z1-7]+)* \*\)|cron\(\S+ \S+ \* \* \? \*\)"
    )
    RATE = re.compile(r"rate\((\d+) (minutes?|hours?|days?)\)")
    DAYS_PER = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1}

    def scan_resource_conf(self, conf):
        if text(conf, "name") != self.PATCH_DOCUMENT:
            return self.out_of_scope(f"runs another document than {self.PATCH_DOCUMENT}")
        installs = value(mapping(conf, "parameters"), "Operation") == "Install"
        return self.verdict(installs and self.weekly(text(conf, "schedule_expression")), "parameters")

    def weekly(self, schedule):
        if schedule is None:
            return False
        rate = self.RATE.fullmatch(schedule)
        if rate:
            return int(rate.group(1)) * self.DAYS_PER[rate.group(2).rstrip("s")] <= self.WEEK_DAYS
        if schedule.startswith("cron("):
            return bool(self.WEEKLY_CRON.fullmatch(schedule))
        raise NotEvaluated("schedule_expression", f"{schedule!r} is neither a cron nor a rate expression")


check = CKV_PAY_41()
