"""Requests built from botocore's GuardDuty model, for tests that must cover every operation.

`OPERATIONS` lists the model's operations. `Estate` holds real resources of one account (a
detector with a filter, an IPSet, a ThreatIntelSet, a publishing destination and sample
findings, all tagged). `build_params(operation, estate)` makes a valid request for any
operation: identifiers and values whose meaning matters (ids, ARNs, locations, criteria)
come from the estate or from VALUES below, the rest from the shapes (an enum's first
value, a string of the minimum length, one-item lists). `check_output(operation, result)`
checks a parsed result against the operation's output shape. A new operation in the model
needs nothing here unless one of its members carries meaning not yet in VALUES.
"""

import datetime
import time
from dataclasses import dataclass, field

import botocore
import botocore.session

from conftest import (ACCOUNT_A, ACCOUNT_B, IPSET, REGION, SAMPLE_CRITERIA, THREAT_INTEL_SET, arn,
                      wait_for_status)

MODEL = botocore.session.get_session().get_service_model("guardduty")
OPERATIONS = sorted(MODEL.operation_names)

BUCKET_ARN = "arn:aws:s3:::vigil-walk-bucket"
KMS_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT_A}:key/0a1b2c3d-1111-2222-3333-444455556666"

# Members whose value means something; a callable takes the estate.
VALUES = {
    "DetectorId": lambda e: e.detector_id,
    "FilterName": lambda e: e.filter_name,
    "IpSetId": lambda e: e.ip_set_id,
    "ThreatIntelSetId": lambda e: e.threat_intel_set_id,
    "DestinationId": lambda e: e.destination_id,
    "ResourceArn": lambda e: arn(e.detector_id, account=e.account, region=e.region),
    "FindingIds": lambda e: list(e.finding_ids),
    "FindingCriteria": lambda e: SAMPLE_CRITERIA,
    "Name": lambda e: "walk-name",
    "Location": lambda e: "s3://vigil-walk-bucket/list.txt",
    "Tags": lambda e: {"walk": "yes"},
    "TagKeys": lambda e: ["walk"],
    "DestinationProperties": lambda e: {"DestinationArn": BUCKET_ARN, "KmsKeyArn": KMS_ARN},
    "AccountIds": lambda e: [e.other_account],
    "AccountDetails": lambda e: [{"AccountId": e.other_account, "Email": "b@example.com"}],
    "AdminAccountId": lambda e: e.other_account,
    "AdministratorId": lambda e: e.other_account,
    "MasterId": lambda e: e.other_account,
    "InvitationId": lambda e: "0" * 32,
    "UsageCriteria": lambda e: {"DataSources": ["FLOW_LOGS", "CLOUD_TRAIL", "DNS_LOGS"]},
}


@dataclass
class Estate:
    """Real resources of one account and region, each named the way requests name it."""
    account: str
    region: str
    other_account: str = ACCOUNT_B
    detector_id: str = ""
    filter_name: str = "walk-filter"
    ip_set_id: str = ""
    threat_intel_set_id: str = ""
    destination_id: str = ""
    finding_ids: list = field(default_factory=list)


def build_estate(client, account=ACCOUNT_A, region=REGION, skip=()):
    """Creates one of everything with `client`. `skip` names kinds to leave out ("ipset",
    "destination") so that their one-per-detector Create can be called."""
    estate = Estate(account=account, region=region)
    estate.detector_id = client.create_detector(Enable=True, Tags={"owner": "a"})["DetectorId"]
    d = estate.detector_id
    client.create_filter(DetectorId=d, Name=estate.filter_name, FindingCriteria=SAMPLE_CRITERIA,
                         Tags={"owner": "a"})
    if "ipset" not in skip:
        estate.ip_set_id = IPSET.create(client, d, Tags={"owner": "a"})
    estate.threat_intel_set_id = THREAT_INTEL_SET.create(client, d, Tags={"owner": "a"})
    if "destination" not in skip:
        estate.destination_id = client.create_publishing_destination(
            DetectorId=d, DestinationType="S3",
            DestinationProperties={"DestinationArn": BUCKET_ARN, "KmsKeyArn": KMS_ARN},
        )["DestinationId"]
    # The sets' location cannot be read by the test server: they settle in ERROR, and are
    # waited for so that snapshots taken later compare equal.
    if estate.ip_set_id:
        wait_for_status(IPSET, client, d, estate.ip_set_id)
    wait_for_status(THREAT_INTEL_SET, client, d, estate.threat_intel_set_id)
    client.create_sample_findings(DetectorId=d, FindingTypes=["Recon:EC2/PortProbeUnprotectedPort"])
    estate.finding_ids = client.list_findings(DetectorId=d)["FindingIds"]
    assert estate.finding_ids, "CreateSampleFindings made no finding"
    if estate.destination_id:
        wait_for_failed_export(client, estate)
    return estate


def wait_for_failed_export(client, estate, timeout=15.0):
    """The new findings go to the S3 destination at once, and fail there (the test server
    has no S3): waits for that, so snapshots taken later compare equal."""
    deadline = time.monotonic() + timeout
    while True:
        status = client.describe_publishing_destination(
            DetectorId=estate.detector_id, DestinationId=estate.destination_id)["Status"]
        if status != "PUBLISHING":
            return
        assert time.monotonic() < deadline, f"the destination is still PUBLISHING after {timeout}s"
        time.sleep(0.05)


def example(shape, estate, depth=0):
    """A valid value for `shape` made from its constraints alone."""
    kind = shape.type_name
    if kind == "structure":
        return {name: value_of(name, member, estate, depth + 1)
                for name, member in shape.members.items() if name in shape.required_members}
    if kind == "list":
        return [example(shape.member, estate, depth + 1)
                for _ in range(max(1, shape.metadata.get("min", 1)))]
    if kind == "map":
        return {example(shape.key, estate, depth + 1): example(shape.value, estate, depth + 1)}
    if kind == "string":
        if shape.enum:
            return shape.enum[0]
        return "x" * max(1, shape.metadata.get("min", 1))
    if kind in ("integer", "long"):
        return max(1, shape.metadata.get("min", 1))
    if kind == "boolean":
        return True
    if kind == "double":
        return 1.0
    if kind == "timestamp":
        return datetime.datetime.now(datetime.timezone.utc)
    raise AssertionError(f"no example for shape type {kind}")


def value_of(name, shape, estate, depth=0):
    if name in VALUES:
        return VALUES[name](estate)
    return example(shape, estate, depth)


def build_params(operation, estate):
    """boto3 keyword arguments of a valid `operation` request against `estate`."""
    shape = MODEL.operation_model(operation).input_shape
    if shape is None:
        return {}
    return {name: value_of(name, member, estate)
            for name, member in shape.members.items() if name in shape.required_members}


def method_of(client, operation):
    return getattr(client, botocore.xform_name(operation))


def check_output(operation, result):
    """Problems of `result` (a parsed boto3 result) against the output shape; [] when none."""
    shape = MODEL.operation_model(operation).output_shape
    problems = []
    if shape is not None:
        _check(shape, {k: v for k, v in result.items() if k != "ResponseMetadata"}, operation,
               problems)
    return problems


_PY_TYPES = {"string": str, "boolean": bool, "integer": int, "long": int, "double": (int, float),
             "float": (int, float), "timestamp": datetime.datetime, "blob": bytes}


def _check(shape, value, path, problems):
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a structure, got {value!r}")
            return
        for name in shape.required_members:
            if name not in value:
                problems.append(f"{path}.{name}: required but missing")
        for name, member_value in value.items():
            if name not in shape.members:
                problems.append(f"{path}.{name}: not in the model")
            else:
                _check(shape.members[name], member_value, f"{path}.{name}", problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list, got {value!r}")
            return
        for i, item in enumerate(value):
            _check(shape.member, item, f"{path}[{i}]", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a map, got {value!r}")
            return
        for key, item in value.items():
            _check(shape.key, key, f"{path}{{key}}", problems)
            _check(shape.value, item, f"{path}[{key!r}]", problems)
    else:
        if not isinstance(value, _PY_TYPES[kind]) or (kind != "boolean" and isinstance(value, bool)
                                                       and kind in ("integer", "long")):
            problems.append(f"{path}: expected {kind}, got {value!r}")
        elif kind == "string" and shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not one of {shape.enum}")
