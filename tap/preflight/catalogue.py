"""AWS's RDS catalogue answers, shaped like AWS's, for the two operations moto lacks or fakes: emulated accounts only.

moto has no DescribeDBEngineVersions and its orderable-instance data is not AWS's; preflight
asks both. Responses follow the RDS API reference (DBEngineVersion, OrderableDBInstanceOption).
"""

from __future__ import annotations

from botocore.awsrequest import AWSResponse

# postgres 15 as offered in late 2026: 15.4 retired long ago, 15.14 the default minor.
POSTGRES_15 = ["15.10", "15.12", "15.13", "15.14"]
DEFAULT_MINOR = "15.14"
ORDERABLE_CLASSES = ["db.t4g.medium", "db.r6g.large", "db.m6g.large"]
ZONES = ["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"]


def engine_version(version: str) -> dict:
    return {
        "Engine": "postgres",
        "EngineVersion": version,
        "DBParameterGroupFamily": "postgres15",
        "DBEngineDescription": "PostgreSQL",
        "DBEngineVersionDescription": f"PostgreSQL {version}-R1",
        "Status": "available",
        "SupportsReadReplica": True,
    }


def orderable(version: str, instance_class: str) -> dict:
    return {
        "Engine": "postgres",
        "EngineVersion": version,
        "DBInstanceClass": instance_class,
        "LicenseModel": "postgresql-license",
        "AvailabilityZones": [{"Name": zone} for zone in ZONES],
        "MultiAZCapable": True,
        "StorageType": "gp3",
        "SupportsStorageEncryption": True,
        "SupportsPerformanceInsights": True,
    }


def engine_versions(Engine, EngineVersion=None, DefaultOnly=False, **_):  # noqa: N803 - the API's names
    versions = [v for v in POSTGRES_15 if Engine == "postgres"]
    if EngineVersion:
        versions = [v for v in versions if v == EngineVersion or v.startswith(f"{EngineVersion}.")]
    if DefaultOnly:
        versions = [v for v in versions if v == DEFAULT_MINOR]
    return {"DBEngineVersions": [engine_version(v) for v in versions]}


def orderable_options(Engine, EngineVersion, DBInstanceClass, **_):  # noqa: N803
    offered = Engine == "postgres" and EngineVersion in POSTGRES_15 and DBInstanceClass in ORDERABLE_CLASSES
    return {"OrderableDBInstanceOptions": [orderable(EngineVersion, DBInstanceClass)] if offered else []}


ANSWERS = {"DescribeDBEngineVersions": engine_versions, "DescribeOrderableDBInstanceOptions": orderable_options}


def answer_catalogue(session) -> None:
    """Answer the catalogue operations on every RDS client of `session`; the rest go to moto."""

    def remember(params, context, **_):
        context["catalogue_question"] = dict(params)

    def respond(model, context, **_):
        return AWSResponse(None, 200, {}, None), ANSWERS[model.name](**context["catalogue_question"])

    for operation in ANSWERS:
        session.events.register(f"before-parameter-build.rds.{operation}", remember)
        session.events.register(f"before-call.rds.{operation}", respond)
