"""Fixes to moto 5.2.5's RDS: `rds-parameter-source`, `rds-performance-insights`."""

from __future__ import annotations

from typing import Any

from tap.live.moto_fixes import fix


@fix(
    "rds-parameter-source",
    "rds: ModifyDBParameterGroup stores the parameters as given, so DescribeDBParameters returns them without "
    'Source; AWS marks a parameter set by ModifyDBParameterGroup with Source "user" (and `Source=user` filters '
    "on it).",
)
def _rds_modified_parameters_are_the_users() -> None:
    from moto.rds.models import DBParameterGroup

    update = DBParameterGroup.update_parameters

    def update_parameters(self: Any, new_parameters: Any) -> None:
        update(self, [{**parameter, "Source": "user"} for parameter in new_parameters])

    DBParameterGroup.update_parameters = update_parameters


@fix(
    "rds-performance-insights",
    "rds: CreateDBInstance and ModifyDBInstance ignore EnablePerformanceInsights, PerformanceInsightsKMSKeyId and "
    "PerformanceInsightsRetentionPeriod, and DescribeDBInstances returns none of them; AWS keeps them (retention "
    "7 days unless given).",
)
def _rds_keeps_performance_insights() -> None:
    from moto.rds.models import DBInstance

    init, update = DBInstance.__init__, DBInstance.update

    def keep(instance: Any, settings: dict[str, Any]) -> None:
        if "enable_performance_insights" in settings:
            enabled = bool(settings["enable_performance_insights"])
            instance.performance_insights_enabled = enabled
            instance.performance_insights_kms_key_id = (
                settings.get("performance_insights_kms_key_id") if enabled else None
            )
            retention = settings.get("performance_insights_retention_period") or 7
            instance.performance_insights_retention_period = int(retention) if enabled else None

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.performance_insights_enabled = False
        keep(self, kwargs)

    def update_instance(self: Any, **kwargs: Any) -> Any:
        result = update(self, **kwargs)
        keep(self, kwargs)
        return result

    DBInstance.__init__ = __init__
    DBInstance.update = update_instance
