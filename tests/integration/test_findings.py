"""Findings: CreateSampleFindings, ListFindings, GetFindings, GetFindingsStatistics,
ArchiveFindings, UnarchiveFindings, UpdateFindingsFeedback, and filters that archive."""

import collections
import datetime
import json
import math
import time

import pytest
from botocore.exceptions import ClientError

from conftest import (
    ACCOUNT_A,
    ACCOUNT_B,
    HEX32_RE,
    ISO_MS_RE,
    NOT_OWNED,
    OTHER_REGION,
    REGION,
    UNKNOWN_ID,
    arn,
    assert_json_error,
    expect_error,
    page_through,
    parse_iso_ms,
    strip_metadata,
)

SSH = "UnauthorizedAccess:EC2/SSHBruteForce"
PORTSCAN = "Recon:EC2/Portscan"
EC2_CUSTOM = "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom"
ROOT = "Policy:IAMUser/RootCredentialUsage"
TOR_CLIENT = "UnauthorizedAccess:EC2/TorClient"
PORT_PROBE = "Recon:EC2/PortProbeUnprotectedPort"
DNS_EXFIL = "Trojan:EC2/DNSDataExfiltration"
S3_CUSTOM = "UnauthorizedAccess:S3/MaliciousIPCaller.Custom"

ACTION_MEMBERS = {
    "NETWORK_CONNECTION": "NetworkConnectionAction",
    "PORT_PROBE": "PortProbeAction",
    "DNS_REQUEST": "DnsRequestAction",
    "AWS_API_CALL": "AwsApiCallAction",
}
SAMPLE_THREAT_LIST = "GeneratedFindingThreatListName"

# String-valued criterion attributes from the ListFindings documentation (more than 51).
STRING_ATTRIBUTES = [
    "accountId", "region", "id", "type",
    "resource.accessKeyDetails.accessKeyId", "resource.accessKeyDetails.principalId",
    "resource.accessKeyDetails.userName", "resource.accessKeyDetails.userType",
    "resource.instanceDetails.iamInstanceProfile.id", "resource.instanceDetails.imageId",
    "resource.instanceDetails.instanceId", "resource.instanceDetails.outpostArn",
    "resource.instanceDetails.networkInterfaces.ipv6Addresses",
    "resource.instanceDetails.networkInterfaces.privateIpAddresses.privateIpAddress",
    "resource.instanceDetails.networkInterfaces.publicDnsName",
    "resource.instanceDetails.networkInterfaces.publicIp",
    "resource.instanceDetails.networkInterfaces.securityGroups.groupId",
    "resource.instanceDetails.networkInterfaces.securityGroups.groupName",
    "resource.instanceDetails.networkInterfaces.subnetId",
    "resource.instanceDetails.networkInterfaces.vpcId",
    "resource.instanceDetails.tags.key", "resource.instanceDetails.tags.value",
    "resource.resourceType", "service.action.actionType",
    "service.action.awsApiCallAction.api", "service.action.awsApiCallAction.callerType",
    "service.action.awsApiCallAction.errorCode", "service.action.awsApiCallAction.userAgent",
    "service.action.awsApiCallAction.serviceName",
    "service.action.awsApiCallAction.remoteIpDetails.city.cityName",
    "service.action.awsApiCallAction.remoteIpDetails.country.countryName",
    "service.action.awsApiCallAction.remoteIpDetails.ipAddressV4",
    "service.action.awsApiCallAction.remoteIpDetails.organization.asn",
    "service.action.awsApiCallAction.remoteIpDetails.organization.asnOrg",
    "service.action.dnsRequestAction.domain",
    "service.action.networkConnectionAction.connectionDirection",
    "service.action.networkConnectionAction.protocol",
    "service.action.networkConnectionAction.localIpDetails.ipAddressV4",
    "service.action.networkConnectionAction.remoteIpDetails.city.cityName",
    "service.action.networkConnectionAction.remoteIpDetails.country.countryName",
    "service.action.networkConnectionAction.remoteIpDetails.ipAddressV4",
    "service.action.networkConnectionAction.remoteIpDetails.organization.asn",
    "service.action.networkConnectionAction.remoteIpDetails.organization.asnOrg",
    "service.additionalInfo.threatListName",
    "resource.s3BucketDetails.publicAccess.effectivePermissions",
    "resource.s3BucketDetails.name", "resource.s3BucketDetails.tags.key",
    "resource.s3BucketDetails.tags.value", "resource.s3BucketDetails.type",
    "service.resourceRole",
    "service.action.awsApiCallAction.remoteAccountDetails.accountId",
    "service.action.dnsRequestAction.domainWithSuffix",
]
assert len(STRING_ATTRIBUTES) > 51 and len(set(STRING_ATTRIBUTES)) == len(STRING_ATTRIBUTES)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def crit(**conditions):
    """FindingCriteria from attribute=condition keywords (dotted names: crit(**{...}))."""
    return {"Criterion": conditions}


def criteria(mapping):
    return {"Criterion": mapping}


def list_ids(client, detector_id, finding_criteria=None, sort=None, max_results=50):
    """Every finding id ListFindings returns (all pages), in order."""
    params = dict(DetectorId=detector_id)
    if finding_criteria is not None:
        params["FindingCriteria"] = finding_criteria
    if sort is not None:
        params["SortCriteria"] = sort
    ids, _ = page_through(client.list_findings, "FindingIds", max_results, **params)
    return ids


def get_findings(client, detector_id, ids):
    """GetFindings in batches of 50."""
    out = []
    for start in range(0, len(ids), 50):
        out.extend(client.get_findings(DetectorId=detector_id,
                                       FindingIds=ids[start:start + 50])["Findings"])
    return out


def by_type(findings):
    result = {}
    for finding in findings:
        assert finding["Type"] not in result, f"two findings of type {finding['Type']}"
        result[finding["Type"]] = finding
    return result


def read_all(client, detector_id):
    """{type: finding} for every finding in the detector."""
    return by_type(get_findings(client, detector_id, list_ids(client, detector_id)))


def create_samples(client, detector_id, types=None):
    """Create sample findings and return {type: finding} for everything in the detector."""
    if types is None:
        client.create_sample_findings(DetectorId=detector_id)
    else:
        client.create_sample_findings(DetectorId=detector_id, FindingTypes=list(types))
    return read_all(client, detector_id)


def ms(iso_text):
    """An ISO-8601 finding time as epoch milliseconds (what updatedAt criteria take)."""
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return (parse_iso_ms(iso_text) - epoch) // datetime.timedelta(milliseconds=1)


def now_ms():
    return int(time.time() * 1000)


def ids_where(findings, predicate):
    return {f["Id"] for f in findings.values() if predicate(f)}


def samples_type(samples, finding_id):
    for type_name, f in samples.items():
        if f["Id"] == finding_id:
            return type_name
    return finding_id


def instance(f):
    return f["Resource"].get("InstanceDetails", {})


def statistics(client, detector_id, finding_criteria=None):
    params = dict(DetectorId=detector_id, FindingStatisticTypes=["COUNT_BY_SEVERITY"])
    if finding_criteria is not None:
        params["FindingCriteria"] = finding_criteria
    resp = client.get_findings_statistics(**params)
    return resp["FindingStatistics"]["CountBySeverity"]


def severity_counts(findings):
    return dict(collections.Counter(f"{float(f['Severity'])}" for f in findings))


@pytest.fixture
def samples(gd, detector_id):
    """One sample finding of every supported type in account A's detector: {type: finding}."""
    return create_samples(gd, detector_id)


# --------------------------------------------------------------------------------------------
# CreateSampleFindings
# --------------------------------------------------------------------------------------------


def test_create_sample_findings_without_types_creates_one_of_every_type(gd, detector_id):
    resp = gd.create_sample_findings(DetectorId=detector_id)
    assert strip_metadata(resp) == {}
    ids = list_ids(gd, detector_id)
    assert len(ids) == len(set(ids))
    findings = get_findings(gd, detector_id, ids)
    assert sorted(f["Id"] for f in findings) == sorted(ids)
    types = [f["Type"] for f in findings]
    assert len(types) == len(set(types)), collections.Counter(types).most_common(3)
    assert len(types) > 50
    assert {SSH, PORTSCAN, EC2_CUSTOM, ROOT} <= set(types)
    assert all(f["Service"]["Count"] == 1 for f in findings)


def test_create_sample_findings_for_given_types_creates_exactly_those(gd, detector_id):
    found = create_samples(gd, detector_id, [SSH, ROOT, EC2_CUSTOM])
    assert set(found) == {SSH, ROOT, EC2_CUSTOM}
    assert len({f["Id"] for f in found.values()}) == 3


def test_every_supported_type_can_be_requested_by_name(gd, gd_b):
    """The types of the no-argument call can be asked for by name, including those longer
    than the model's 50-character FindingType (GuardDuty's own types run to 68)."""
    detector_a = gd.create_detector(Enable=True)["DetectorId"]
    all_types = set(create_samples(gd, detector_a))
    assert any(len(t) > 50 for t in all_types)
    assert len(all_types) > 50
    detector_b = gd_b.create_detector(Enable=True)["DetectorId"]
    requested = sorted(all_types)
    for start in range(0, len(requested), 50):
        gd_b.create_sample_findings(DetectorId=detector_b, FindingTypes=requested[start:start + 50])
    got = by_type(get_findings(gd_b, detector_b, list_ids(gd_b, detector_b)))
    assert set(got) == all_types


@pytest.mark.parametrize("types", [["Recon:EC2/NoSuchType"], [SSH, "Made:Up/Type"]],
                         ids=["unknown-only", "known-and-unknown"])
def test_unknown_finding_type_rejected(gd, detector_id, types):
    expect_error(lambda: gd.create_sample_findings(DetectorId=detector_id, FindingTypes=types),
                 param="findingTypes", invalid_input=True)
    assert list_ids(gd, detector_id) == []


def test_sample_again_updates_the_same_finding(gd, detector_id):
    first = create_samples(gd, detector_id, [SSH, PORTSCAN])
    time.sleep(0.01)
    second = create_samples(gd, detector_id, [SSH])
    assert set(second) == {SSH, PORTSCAN}
    before, after = first[SSH], second[SSH]
    assert after["Id"] == before["Id"]
    assert after["Arn"] == before["Arn"]
    assert after["Service"]["Count"] == 2
    assert after["CreatedAt"] == before["CreatedAt"]
    assert parse_iso_ms(after["UpdatedAt"]) >= parse_iso_ms(before["UpdatedAt"])
    assert after["Service"]["EventFirstSeen"] == before["Service"]["EventFirstSeen"]
    assert after["Service"]["EventLastSeen"] >= before["Service"]["EventLastSeen"]
    assert ISO_MS_RE.match(after["UpdatedAt"]), after["UpdatedAt"]
    # The other sample is untouched.
    assert second[PORTSCAN] == first[PORTSCAN]

    third = create_samples(gd, detector_id, [SSH])
    assert third[SSH]["Id"] == before["Id"]
    assert third[SSH]["Service"]["Count"] == 3
    assert len(list_ids(gd, detector_id)) == 2


def test_sample_findings_are_per_detector_region(gd, gd_eu):
    eu_detector = gd_eu.create_detector(Enable=True)["DetectorId"]
    found = create_samples(gd_eu, eu_detector, [SSH])[SSH]
    assert found["Region"] == OTHER_REGION
    assert found["AccountId"] == ACCOUNT_A
    assert found["Arn"] == arn(eu_detector, f"finding/{found['Id']}", region=OTHER_REGION)
    assert found["Service"]["DetectorId"] == eu_detector


# --------------------------------------------------------------------------------------------
# Sample finding shape
# --------------------------------------------------------------------------------------------


def test_every_sample_has_the_finding_envelope(samples, detector_id):
    for type_name, f in samples.items():
        where = f"{type_name}: {f}"
        assert f["Type"] == type_name
        assert HEX32_RE.match(f["Id"]), where
        assert f["Arn"] == f"arn:aws:guardduty:{REGION}:{ACCOUNT_A}:detector/{detector_id}" \
                           f"/finding/{f['Id']}", where
        assert f["SchemaVersion"] == "2.0", where
        assert f["AccountId"] == ACCOUNT_A, where
        assert f["Region"] == REGION, where
        assert f["Partition"] == "aws", where
        assert isinstance(f["Severity"], (int, float)) and f["Severity"] in (2, 5, 8), where
        assert isinstance(f["Confidence"], (int, float)), where
        assert isinstance(f["Title"], str) and f["Title"], where
        assert isinstance(f["Description"], str) and f["Description"], where
        assert ISO_MS_RE.match(f["CreatedAt"]), where
        assert ISO_MS_RE.match(f["UpdatedAt"]), where
        assert f["UpdatedAt"] >= f["CreatedAt"], where

        service = f["Service"]
        assert service["ServiceName"] == "guardduty", where
        assert service["DetectorId"] == detector_id, where
        assert service["Count"] == 1, where
        assert service["Archived"] is False, where
        assert ISO_MS_RE.match(service["EventFirstSeen"]), where
        assert ISO_MS_RE.match(service["EventLastSeen"]), where
        assert service["EventLastSeen"] >= service["EventFirstSeen"], where
        assert service["ResourceRole"] in ("ACTOR", "TARGET"), where
        assert "UserFeedback" not in service, where
        info = service["AdditionalInfo"]
        assert info["Type"] == "default", where
        assert json.loads(info["Value"])["sample"] is True, where


def test_sample_ids_are_distinct_and_created_together(samples):
    ids = [f["Id"] for f in samples.values()]
    assert len(set(ids)) == len(ids)
    created = sorted(parse_iso_ms(f["CreatedAt"]) for f in samples.values())
    assert created[-1] - created[0] < datetime.timedelta(seconds=30)
    assert abs(created[0].timestamp() - time.time()) < 60


def test_sample_action_member_matches_action_type(samples):
    seen = set()
    for type_name, f in samples.items():
        action = f["Service"]["Action"]
        action_type = action["ActionType"]
        assert action_type in ACTION_MEMBERS, (type_name, action)
        seen.add(action_type)
        present = {member for member in ACTION_MEMBERS.values() if member in action}
        assert present == {ACTION_MEMBERS[action_type]}, (type_name, action)
    assert seen == set(ACTION_MEMBERS)


@pytest.mark.parametrize("type_name,action_type,check", [
    (SSH, "NETWORK_CONNECTION",
     lambda a: a["NetworkConnectionAction"]["LocalPortDetails"]["Port"] == 22
     and a["NetworkConnectionAction"]["ConnectionDirection"] == "INBOUND"),
    (PORT_PROBE, "PORT_PROBE",
     lambda a: len(a["PortProbeAction"]["PortProbeDetails"]) >= 1
     and "Port" in a["PortProbeAction"]["PortProbeDetails"][0]["LocalPortDetails"]),
    (DNS_EXFIL, "DNS_REQUEST", lambda a: a["DnsRequestAction"]["Domain"]),
    (ROOT, "AWS_API_CALL",
     lambda a: a["AwsApiCallAction"]["Api"] and a["AwsApiCallAction"]["ServiceName"]),
])
def test_sample_action_details(gd, detector_id, type_name, action_type, check):
    f = create_samples(gd, detector_id, [type_name])[type_name]
    action = f["Service"]["Action"]
    assert action["ActionType"] == action_type
    assert check(action), action


def test_sample_resource_details_match_resource_type(samples):
    seen = set()
    for type_name, f in samples.items():
        resource = f["Resource"]
        kind = resource["ResourceType"]
        seen.add(kind)
        where = (type_name, resource)
        if kind == "Instance":
            details = resource["InstanceDetails"]
            assert details["InstanceId"] == "i-99999999", where
            nics = details["NetworkInterfaces"]
            assert nics and nics[0]["VpcId"] == "GeneratedFindingVPCId", where
            assert nics[0]["SecurityGroups"][0]["GroupId"], where
            assert details["Tags"] and details["Tags"][0]["Key"], where
        elif kind == "AccessKey":
            details = resource["AccessKeyDetails"]
            assert details["AccessKeyId"] and details["UserName"], where
        elif kind == "S3Bucket":
            buckets = resource["S3BucketDetails"]
            assert isinstance(buckets, list) and buckets, where
            assert buckets[0]["Name"] and buckets[0]["Arn"].startswith("arn:aws:s3:::"), where
        else:
            pytest.fail(f"unexpected resource type {kind!r} for {type_name}")
    assert seen == {"Instance", "AccessKey", "S3Bucket"}
    assert samples[SSH]["Resource"]["ResourceType"] == "Instance"
    assert samples[ROOT]["Resource"]["ResourceType"] == "AccessKey"


def test_custom_samples_carry_threat_intelligence_evidence(samples):
    custom = {t: f for t, f in samples.items() if t.endswith(".Custom")}
    assert EC2_CUSTOM in custom and len(custom) >= 2
    for type_name, f in custom.items():
        details = f["Service"]["Evidence"]["ThreatIntelligenceDetails"]
        assert details[0]["ThreatListName"] == SAMPLE_THREAT_LIST, (type_name, details)
        info = json.loads(f["Service"]["AdditionalInfo"]["Value"])
        assert info["threatListName"] == SAMPLE_THREAT_LIST, (type_name, info)


@pytest.mark.parametrize("type_name,severity", [
    (SSH, 2), (ROOT, 2), (PORTSCAN, 5), (EC2_CUSTOM, 5), (TOR_CLIENT, 8), (S3_CUSTOM, 8),
])
def test_sample_severity_follows_the_documented_level(gd, detector_id, type_name, severity):
    assert create_samples(gd, detector_id, [type_name])[type_name]["Severity"] == severity


def test_all_three_severity_levels_occur(samples):
    assert {f["Severity"] for f in samples.values()} == {2, 5, 8}


# --------------------------------------------------------------------------------------------
# ListFindings: criteria
# --------------------------------------------------------------------------------------------

CRITERIA_CASES = [
    ("severity-gte-7", {"severity": {"Gte": 7}}, lambda f: f["Severity"] >= 7),
    ("severity-greaterThanOrEqual-7", {"severity": {"GreaterThanOrEqual": 7}},
     lambda f: f["Severity"] >= 7),
    ("severity-gt-5", {"severity": {"Gt": 5}}, lambda f: f["Severity"] > 5),
    ("severity-lt-4", {"severity": {"Lt": 4}}, lambda f: f["Severity"] < 4),
    ("severity-lessThanOrEqual-5", {"severity": {"LessThanOrEqual": 5}},
     lambda f: f["Severity"] <= 5),
    ("severity-medium-band", {"severity": {"Gt": 3, "Lt": 7}}, lambda f: 3 < f["Severity"] < 7),
    ("severity-eq-8", {"severity": {"Eq": ["8"]}}, lambda f: 8 <= f["Severity"] < 9),
    ("severity-eq-low-or-medium", {"severity": {"Equals": ["2", "5"]}},
     lambda f: f["Severity"] in (2, 5)),
    ("severity-neq-8", {"severity": {"Neq": ["8"]}}, lambda f: not 8 <= f["Severity"] < 9),
    ("type-eq", {"type": {"Eq": [SSH, PORTSCAN]}}, lambda f: f["Type"] in (SSH, PORTSCAN)),
    ("type-equals", {"type": {"Equals": [ROOT]}}, lambda f: f["Type"] == ROOT),
    ("type-neq", {"type": {"Neq": [SSH]}}, lambda f: f["Type"] != SSH),
    ("type-notEquals-two", {"type": {"NotEquals": [SSH, ROOT]}},
     lambda f: f["Type"] not in (SSH, ROOT)),
    ("resource-type-access-key", {"resource.resourceType": {"Eq": ["AccessKey"]}},
     lambda f: f["Resource"]["ResourceType"] == "AccessKey"),
    ("resource-type-s3", {"resource.resourceType": {"Equals": ["S3Bucket"]}},
     lambda f: f["Resource"]["ResourceType"] == "S3Bucket"),
    ("resource-type-neq-instance", {"resource.resourceType": {"Neq": ["Instance"]}},
     lambda f: f["Resource"]["ResourceType"] != "Instance"),
    ("action-type-port-probe", {"service.action.actionType": {"Eq": ["PORT_PROBE"]}},
     lambda f: f["Service"]["Action"]["ActionType"] == "PORT_PROBE"),
    ("action-type-dns-or-probe",
     {"service.action.actionType": {"Eq": ["DNS_REQUEST", "PORT_PROBE"]}},
     lambda f: f["Service"]["Action"]["ActionType"] in ("DNS_REQUEST", "PORT_PROBE")),
    ("resource-role-actor", {"service.resourceRole": {"Eq": ["ACTOR"]}},
     lambda f: f["Service"]["ResourceRole"] == "ACTOR"),
    ("threat-list-name",
     {"service.additionalInfo.threatListName": {"Eq": [SAMPLE_THREAT_LIST]}},
     lambda f: f["Type"].endswith(".Custom")),
    ("security-group-id",
     {"resource.instanceDetails.networkInterfaces.securityGroups.groupId":
      {"Eq": ["GeneratedFindingSecurityId"]}},
     lambda f: any(sg["GroupId"] == "GeneratedFindingSecurityId"
                   for nic in instance(f).get("NetworkInterfaces", [])
                   for sg in nic.get("SecurityGroups", []))),
    ("instance-tag-key",
     {"resource.instanceDetails.tags.key": {"Eq": ["GeneratedFindingInstaceTag1"]}},
     lambda f: any(t["Key"] == "GeneratedFindingInstaceTag1" for t in instance(f).get("Tags", []))),
    ("vpc-id",
     {"resource.instanceDetails.networkInterfaces.vpcId": {"Eq": ["GeneratedFindingVPCId"]}},
     lambda f: any(n.get("VpcId") == "GeneratedFindingVPCId"
                   for n in instance(f).get("NetworkInterfaces", []))),
    ("instance-id", {"resource.instanceDetails.instanceId": {"Eq": ["i-99999999"]}},
     lambda f: instance(f).get("InstanceId") == "i-99999999"),
    ("instance-and-high",
     {"resource.resourceType": {"Eq": ["Instance"]}, "severity": {"Gte": 7}},
     lambda f: f["Resource"]["ResourceType"] == "Instance" and f["Severity"] >= 7),
    ("actor-and-not-dns",
     {"service.resourceRole": {"Eq": ["ACTOR"]},
      "service.action.actionType": {"Neq": ["DNS_REQUEST"]}},
     lambda f: f["Service"]["ResourceRole"] == "ACTOR"
     and f["Service"]["Action"]["ActionType"] != "DNS_REQUEST"),
    ("type-eq-and-neq-same-attribute", {"type": {"Eq": [SSH, PORTSCAN], "Neq": [SSH]}},
     lambda f: f["Type"] == PORTSCAN),
    ("account-id", {"accountId": {"Eq": [ACCOUNT_A]}}, lambda f: True),
    ("other-account-id", {"accountId": {"Eq": [ACCOUNT_B]}}, lambda f: False),
    ("region", {"region": {"Eq": [OTHER_REGION]}}, lambda f: False),
    ("archived-false", {"service.archived": {"Eq": ["false"]}}, lambda f: True),
    ("archived-true", {"service.archived": {"Eq": ["true"]}}, lambda f: False),
]


@pytest.mark.parametrize("criterion,predicate", [c[1:] for c in CRITERIA_CASES],
                         ids=[c[0] for c in CRITERIA_CASES])
def test_list_findings_criteria(gd, detector_id, samples, criterion, predicate):
    expected = ids_where(samples, predicate)
    got = list_ids(gd, detector_id, criteria(criterion))
    assert len(got) == len(set(got))
    wrong = {samples_type(samples, i) for i in set(got) ^ expected}
    assert set(got) == expected, f"types wrongly in/out of the result: {sorted(wrong)}"


def test_severity_gte_7_is_exactly_the_high_findings(gd, detector_id, samples):
    high = list_ids(gd, detector_id, crit(severity={"Gte": 7}))
    assert high
    found = get_findings(gd, detector_id, high)
    assert all(f["Severity"] >= 7 for f in found)
    assert len(high) == sum(1 for f in samples.values() if f["Severity"] >= 7)
    assert len(high) < len(samples)


def test_finding_id_criterion(gd, detector_id, samples):
    wanted = [samples[SSH]["Id"], samples[ROOT]["Id"]]
    got = list_ids(gd, detector_id, crit(id={"Eq": wanted}))
    assert sorted(got) == sorted(wanted)


def test_no_criteria_and_empty_criterion_list_everything(gd, detector_id, samples):
    everything = {f["Id"] for f in samples.values()}
    assert set(list_ids(gd, detector_id)) == everything
    assert set(list_ids(gd, detector_id, {"Criterion": {}})) == everything


def test_updated_at_criteria_in_epoch_milliseconds(gd, detector_id):
    before = now_ms() - 2000
    first = create_samples(gd, detector_id, [SSH])[SSH]
    time.sleep(0.05)
    both = create_samples(gd, detector_id, [PORTSCAN])
    second = both[PORTSCAN]
    t1, t2 = ms(first["UpdatedAt"]), ms(second["UpdatedAt"])
    assert t1 < t2, (first["UpdatedAt"], second["UpdatedAt"])
    a, b = first["Id"], second["Id"]
    cases = [
        ({"Lt": before}, set()),
        ({"LessThan": before}, set()),
        ({"Gte": before}, {a, b}),
        ({"Gt": now_ms() + 3_600_000}, set()),
        ({"Lt": now_ms() + 3_600_000}, {a, b}),
        ({"Gte": t1}, {a, b}),
        ({"Gt": t1}, {b}),
        ({"GreaterThan": t1}, {b}),
        ({"Lt": t2}, {a}),
        ({"Lte": t2}, {a, b}),
        ({"LessThanOrEqual": t1}, {a}),
        ({"Gte": t1, "Lt": t2}, {a}),
    ]
    for condition, expected in cases:
        got = set(list_ids(gd, detector_id, crit(updatedAt=condition)))
        assert got == expected, (condition, t1, t2)


def test_updated_at_criterion_follows_an_update(gd, detector_id):
    first = create_samples(gd, detector_id, [SSH, PORTSCAN])
    created = ms(first[SSH]["UpdatedAt"])
    time.sleep(0.05)
    updated = create_samples(gd, detector_id, [SSH])[SSH]
    assert ms(updated["UpdatedAt"]) > created
    got = list_ids(gd, detector_id, crit(updatedAt={"Gt": ms(first[PORTSCAN]["UpdatedAt"])}))
    assert got == [first[SSH]["Id"]]


# ---- invalid criteria --------------------------------------------------------------------


@pytest.mark.parametrize("attribute", ["resource.nope", "severityy", "service.action"])
def test_unknown_criterion_attribute_rejected(gd, detector_id, attribute):
    expect_error(lambda: gd.list_findings(DetectorId=detector_id,
                                          FindingCriteria=crit(**{attribute: {"Eq": ["x"]}})),
                 param=attribute, invalid_input=True)


@pytest.mark.parametrize("condition", [{"between": [1, 5]}, {"like": ["x"]}, {}],
                         ids=["between", "like", "no-operator"])
def test_unknown_criterion_operator_rejected(raw_http, detector_id, condition):
    body = {"findingCriteria": {"criterion": {"severity": condition}}}
    status, headers, payload = raw_http("POST", f"/detector/{detector_id}/findings", body,
                                        account=ACCOUNT_A)
    doc = assert_json_error(status, headers, payload)
    assert "severity" in doc["message"] or "findingCriteria" in doc["message"], doc


def test_criteria_attribute_count_limit(gd, detector_id, samples):
    def with_attributes(count):
        return criteria({name: {"Neq": ["no-such-value"]} for name in STRING_ATTRIBUTES[:count]})

    gd.list_findings(DetectorId=detector_id, FindingCriteria=with_attributes(50))
    expect_error(lambda: gd.list_findings(DetectorId=detector_id,
                                          FindingCriteria=with_attributes(51)),
                 param="findingCriteria", invalid_input=True)
    expect_error(lambda: gd.get_findings_statistics(
        DetectorId=detector_id, FindingStatisticTypes=["COUNT_BY_SEVERITY"],
        FindingCriteria=with_attributes(51)), param="findingCriteria", invalid_input=True)


@pytest.mark.parametrize("operator", ["Eq", "Neq", "Equals", "NotEquals"])
def test_criteria_value_count_limit(gd, detector_id, samples, operator):
    fifty = [SSH] + [f"Made:Up/Type{i}" for i in range(49)]
    got = gd.list_findings(DetectorId=detector_id,
                           FindingCriteria=crit(type={operator: fifty}))["FindingIds"]
    if operator in ("Eq", "Equals"):
        assert got == [samples[SSH]["Id"]]
    expect_error(lambda: gd.list_findings(
        DetectorId=detector_id, FindingCriteria=crit(type={operator: fifty + ["One:More/Type"]})),
        param="type", invalid_input=True)


@pytest.mark.parametrize("criterion", [
    {"severity": {"Eq": ["high"]}},
    {"service.archived": {"Eq": ["maybe"]}},
    {"updatedAt": {"Eq": ["yesterday"]}},
], ids=["severity-not-number", "archived-not-boolean", "updatedAt-not-time"])
def test_criterion_value_of_the_wrong_kind_rejected(gd, detector_id, criterion):
    attribute = next(iter(criterion))
    expect_error(lambda: gd.list_findings(DetectorId=detector_id,
                                          FindingCriteria=criteria(criterion)),
                 param=attribute, invalid_input=True)


@pytest.mark.parametrize("body", [
    {"findingCriteria": "severity > 4"},
    {"findingCriteria": {"criterion": [{"severity": {"gte": 4}}]}},
    {"findingCriteria": {"criterion": "severity"}},
    {"findingCriteria": {"criterion": {"severity": "high"}}},
    {"findingCriteria": {"criterion": {"type": {"eq": "not-a-list"}}}},
    {"findingCriteria": {"criterion": {"type": {"eq": [1, 2]}}}},
    {"findingCriteria": {"criterion": {"severity": {"gte": "7"}}}},
    {"findingCriteria": {"criterion": {"severity": {"gte": [7]}}}},
    {"findingCriteria": {"criterion": {"severity": {"gte": 7.5}}}},
    {"findingCriteria": [1, 2]},
    {"sortCriteria": "severity"},
    {"sortCriteria": {"attributeName": 7}},
    {"sortCriteria": {"attributeName": "severity", "orderBy": "UP"}},
    {"maxResults": "7"},
    {"nextToken": 5},
], ids=["criteria-string", "criterion-list", "criterion-string", "condition-string",
        "eq-not-list", "eq-ints", "gte-string", "gte-list", "gte-fraction", "criteria-list",
        "sort-string", "sort-attribute-number", "sort-order-unknown", "maxResults-string",
        "nextToken-number"])
def test_malformed_list_findings_bodies_are_json_400(gd, raw_http, detector_id, body):
    gd.create_sample_findings(DetectorId=detector_id, FindingTypes=[SSH])
    status, headers, payload = raw_http("POST", f"/detector/{detector_id}/findings", body,
                                        account=ACCOUNT_A)
    assert_json_error(status, headers, payload)


@pytest.mark.parametrize("path,body", [
    ("findings/get", {"findingIds": "abc"}),
    ("findings/get", {"findingIds": [1, 2]}),
    ("findings/get", {}),
    ("findings/statistics", {"findingStatisticTypes": ["COUNT_BY_SEVERITY"],
                             "findingCriteria": {"criterion": ["severity"]}}),
    ("findings/statistics", {"findingStatisticTypes": "COUNT_BY_SEVERITY"}),
    ("findings/archive", {"findingIds": {"id": "x"}}),
    ("findings/feedback", {"findingIds": ["x"], "feedback": 1}),
    ("findings/create", {"findingTypes": SSH}),
], ids=["get-ids-string", "get-ids-ints", "get-no-ids", "stats-criterion-list",
        "stats-types-string", "archive-ids-object", "feedback-number", "create-types-string"])
def test_malformed_findings_bodies_are_json_400(raw_http, detector_id, path, body):
    status, headers, payload = raw_http("POST", f"/detector/{detector_id}/{path}", body,
                                        account=ACCOUNT_A)
    assert_json_error(status, headers, payload)


# --------------------------------------------------------------------------------------------
# ListFindings: sorting and paging
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["DESC", "ASC"])
def test_list_findings_sorted_by_severity(gd, detector_id, samples, order):
    sort = {"AttributeName": "severity", "OrderBy": order}
    ids = list_ids(gd, detector_id, sort=sort, max_results=50)
    assert sorted(ids) == sorted(f["Id"] for f in samples.values())
    severity = {f["Id"]: f["Severity"] for f in samples.values()}
    got = [severity[i] for i in ids]
    assert got == sorted(got, reverse=(order == "DESC"))
    assert got[0] != got[-1]


def test_sorted_paging_stays_sorted_across_pages(gd, detector_id, samples):
    sort = {"AttributeName": "severity", "OrderBy": "DESC"}
    ids = list_ids(gd, detector_id, sort=sort, max_results=7)
    assert len(ids) == len(set(ids)) == len(samples)
    severity = {f["Id"]: f["Severity"] for f in samples.values()}
    got = [severity[i] for i in ids]
    assert got == sorted(got, reverse=True)


def test_list_findings_sorted_by_type(gd, detector_id, samples):
    ids = list_ids(gd, detector_id, sort={"AttributeName": "type", "OrderBy": "ASC"},
                   max_results=11)
    type_of = {f["Id"]: f["Type"] for f in samples.values()}
    assert [type_of[i] for i in ids] == sorted(samples)


@pytest.mark.parametrize("order", ["ASC", "DESC"])
def test_list_findings_sorted_by_updated_at(gd, detector_id, order):
    batches = [[SSH], [ROOT, PORTSCAN], [TOR_CLIENT]]
    for batch in batches:
        gd.create_sample_findings(DetectorId=detector_id, FindingTypes=batch)
        time.sleep(0.02)
    ids = list_ids(gd, detector_id, sort={"AttributeName": "updatedAt", "OrderBy": order})
    found = {f["Id"]: f for f in get_findings(gd, detector_id, ids)}
    stamps = [ms(found[i]["UpdatedAt"]) for i in ids]
    assert stamps == sorted(stamps, reverse=(order == "DESC"))
    types = [found[i]["Type"] for i in ids]
    expected_edges = (SSH, TOR_CLIENT) if order == "ASC" else (TOR_CLIENT, SSH)
    assert (types[0], types[-1]) == expected_edges


@pytest.mark.parametrize("order", ["ASC", "DESC"])
@pytest.mark.parametrize("attribute", ["severity", "type", "service.count", "confidence",
                                       "updatedAt", "resource.instanceDetails.instanceId"])
def test_sorted_paging_returns_each_finding_once(gd, detector_id, samples, attribute, order):
    """Many samples tie on these attributes; pages must still neither repeat nor skip."""
    ids = list_ids(gd, detector_id, sort={"AttributeName": attribute, "OrderBy": order},
                   max_results=7)
    assert len(ids) == len(set(ids))
    assert set(ids) == {f["Id"] for f in samples.values()}


def test_paging_with_a_criterion_on_a_list_attribute(gd, detector_id, samples):
    criterion = criteria({
        "resource.instanceDetails.tags.key": {"Eq": ["GeneratedFindingInstaceTag1"]},
        "severity": {"Gte": 5},
    })
    ids, pages = page_through(gd.list_findings, "FindingIds", 4, DetectorId=detector_id,
                              FindingCriteria=criterion,
                              SortCriteria={"AttributeName": "severity", "OrderBy": "ASC"})
    expected = ids_where(samples, lambda f: bool(instance(f).get("Tags")) and f["Severity"] >= 5)
    assert expected and len(ids) == len(set(ids))
    assert set(ids) == expected
    assert pages == math.ceil(len(expected) / 4)


@pytest.mark.parametrize("attribute", ["resource.instanceDetails.tags.key", "title",
                                       "no.such.attribute"])
def test_unsortable_attribute_rejected(gd, detector_id, attribute):
    sort = {"AttributeName": attribute, "OrderBy": "ASC"}
    expect_error(lambda: gd.list_findings(DetectorId=detector_id, SortCriteria=sort),
                 param="attributeName", invalid_input=True)
    expect_error(lambda: gd.get_findings(DetectorId=detector_id, FindingIds=[UNKNOWN_ID],
                                         SortCriteria=sort),
                 param="attributeName", invalid_input=True)


def test_paging_returns_each_finding_once(gd, detector_id, samples):
    ids, pages = page_through(gd.list_findings, "FindingIds", 7, DetectorId=detector_id)
    assert len(ids) == len(set(ids))
    assert set(ids) == {f["Id"] for f in samples.values()}
    assert pages == math.ceil(len(samples) / 7)


def test_paging_with_criteria(gd, detector_id, samples):
    criterion = crit(**{"resource.resourceType": {"Eq": ["AccessKey"]}})
    ids, pages = page_through(gd.list_findings, "FindingIds", 3, DetectorId=detector_id,
                              FindingCriteria=criterion)
    expected = ids_where(samples, lambda f: f["Resource"]["ResourceType"] == "AccessKey")
    assert len(ids) == len(set(ids))
    assert set(ids) == expected
    assert pages == math.ceil(len(expected) / 3)


def test_default_page_is_at_most_50(gd, detector_id, samples):
    resp = gd.list_findings(DetectorId=detector_id)
    assert len(resp["FindingIds"]) == min(50, len(samples))
    assert bool(resp.get("NextToken")) == (len(samples) > 50)


def test_list_findings_paginator(gd, detector_id, samples):
    paginator = gd.get_paginator("list_findings")
    pages = list(paginator.paginate(DetectorId=detector_id, PaginationConfig={"PageSize": 7}))
    ids = [i for page in pages for i in page["FindingIds"]]
    assert len(ids) == len(set(ids))
    assert set(ids) == {f["Id"] for f in samples.values()}
    assert all(len(page["FindingIds"]) <= 7 for page in pages)
    limited = paginator.paginate(
        DetectorId=detector_id, PaginationConfig={"PageSize": 7, "MaxItems": 10}
    ).build_full_result()
    assert len(set(limited["FindingIds"])) == 10


def test_list_findings_garbage_next_token(gd, gd_raw, detector_id, samples):
    expect_error(lambda: gd_raw.list_findings(DetectorId=detector_id, NextToken="garbage!"),
                 param="nextToken", invalid_input=True)


@pytest.mark.parametrize("max_results", [0, 51, -1])
def test_list_findings_max_results_out_of_range(gd_raw, detector_id, max_results):
    expect_error(lambda: gd_raw.list_findings(DetectorId=detector_id, MaxResults=max_results),
                 param="maxResults", invalid_input=True)


def test_empty_detector_lists_nothing(gd, detector_id):
    resp = gd.list_findings(DetectorId=detector_id)
    assert resp["FindingIds"] == []
    assert not resp.get("NextToken")


# --------------------------------------------------------------------------------------------
# GetFindings
# --------------------------------------------------------------------------------------------


def test_get_findings_returns_the_listed_findings(gd, detector_id):
    found = create_samples(gd, detector_id, [SSH, ROOT])
    resp = gd.get_findings(DetectorId=detector_id, FindingIds=[found[SSH]["Id"]])
    assert [f["Type"] for f in resp["Findings"]] == [SSH]
    assert resp["Findings"][0] == found[SSH]


def test_get_findings_up_to_50(gd, gd_raw, detector_id, samples):
    ids = [f["Id"] for f in samples.values()]
    assert len(ids) > 50
    assert len(gd.get_findings(DetectorId=detector_id, FindingIds=ids[:50])["Findings"]) == 50
    expect_error(lambda: gd_raw.get_findings(DetectorId=detector_id, FindingIds=ids[:51]),
                 param="findingIds", invalid_input=True)


@pytest.mark.parametrize("operation", ["archive", "unarchive", "feedback"])
def test_finding_id_lists_are_capped_at_50(gd, gd_raw, detector_id, samples, operation):
    ids = [f["Id"] for f in samples.values()]
    call = {
        "archive": lambda chunk: gd_raw.archive_findings(DetectorId=detector_id,
                                                         FindingIds=chunk),
        "unarchive": lambda chunk: gd_raw.unarchive_findings(DetectorId=detector_id,
                                                             FindingIds=chunk),
        "feedback": lambda chunk: gd_raw.update_findings_feedback(
            DetectorId=detector_id, FindingIds=chunk, Feedback="USEFUL"),
    }[operation]
    expect_error(lambda: call(ids[:51]), param="findingIds", invalid_input=True)
    assert read_all(gd, detector_id) == samples
    call(ids[:50])


def test_get_findings_skips_unknown_ids(gd, detector_id):
    found = create_samples(gd, detector_id, [SSH, ROOT])
    wanted = [found[SSH]["Id"], UNKNOWN_ID, found[ROOT]["Id"], "not-even-hex"]
    got = gd.get_findings(DetectorId=detector_id, FindingIds=wanted)["Findings"]
    assert sorted(f["Id"] for f in got) == sorted([found[SSH]["Id"], found[ROOT]["Id"]])
    assert gd.get_findings(DetectorId=detector_id, FindingIds=[UNKNOWN_ID])["Findings"] == []


@pytest.mark.parametrize("order", ["ASC", "DESC"])
def test_get_findings_sort_criteria_orders_the_result(gd, detector_id, order):
    found = create_samples(gd, detector_id, [TOR_CLIENT, SSH, PORTSCAN])
    ids = [found[SSH]["Id"], found[TOR_CLIENT]["Id"], found[PORTSCAN]["Id"]]
    got = gd.get_findings(DetectorId=detector_id, FindingIds=ids,
                          SortCriteria={"AttributeName": "severity", "OrderBy": order})["Findings"]
    expected = [SSH, PORTSCAN, TOR_CLIENT]
    assert [f["Type"] for f in got] == (expected if order == "ASC" else expected[::-1])


# --------------------------------------------------------------------------------------------
# GetFindingsStatistics
# --------------------------------------------------------------------------------------------


def test_count_by_severity_covers_every_finding(gd, detector_id, samples):
    counts = statistics(gd, detector_id)
    assert counts == severity_counts(samples.values())
    assert sum(counts.values()) == len(samples)
    assert set(counts) == {"2.0", "5.0", "8.0"}


@pytest.mark.parametrize("criterion", [
    {"resource.resourceType": {"Eq": ["Instance"]}},
    {"severity": {"Gte": 7}},
    {"type": {"Eq": [SSH, PORTSCAN]}},
    {"service.additionalInfo.threatListName": {"Eq": [SAMPLE_THREAT_LIST]}},
], ids=["instance", "high", "two-types", "custom"])
def test_count_by_severity_with_criteria(gd, detector_id, samples, criterion):
    matching = get_findings(gd, detector_id, list_ids(gd, detector_id, criteria(criterion)))
    assert matching
    counts = statistics(gd, detector_id, criteria(criterion))
    assert counts == severity_counts(matching)
    assert sum(counts.values()) == len(matching)


def test_count_by_severity_of_nothing(gd, detector_id, samples):
    counts = statistics(gd, detector_id, crit(type={"Eq": ["Made:Up/Type"]}))
    assert sum(counts.values()) == 0
    assert sum(statistics(gd, detector_id, crit(severity={"Lt": 1})).values()) == 0


def test_unknown_statistic_type_rejected(gd_raw, detector_id):
    expect_error(lambda: gd_raw.get_findings_statistics(
        DetectorId=detector_id, FindingStatisticTypes=["COUNT_BY_TYPE"]),
        param="findingStatisticTypes", invalid_input=True)


# --------------------------------------------------------------------------------------------
# ArchiveFindings / UnarchiveFindings
# --------------------------------------------------------------------------------------------


def archived_flags(gd, detector_id):
    found = get_findings(gd, detector_id, list_ids(gd, detector_id))
    return {f["Type"]: f["Service"]["Archived"] for f in found}


def test_archive_and_unarchive(gd, detector_id):
    found = create_samples(gd, detector_id, [SSH, ROOT, PORTSCAN, TOR_CLIENT])
    ids = {t: f["Id"] for t, f in found.items()}
    resp = gd.archive_findings(DetectorId=detector_id, FindingIds=[ids[SSH], ids[ROOT]])
    assert strip_metadata(resp) == {}
    assert archived_flags(gd, detector_id) == {SSH: True, ROOT: True, PORTSCAN: False,
                                               TOR_CLIENT: False}

    def listed(value):
        return set(list_ids(gd, detector_id, crit(**{"service.archived": {"Eq": [value]}})))

    assert listed("true") == {ids[SSH], ids[ROOT]}
    assert listed("false") == {ids[PORTSCAN], ids[TOR_CLIENT]}
    assert set(list_ids(gd, detector_id)) == set(ids.values())
    archived_stats = statistics(gd, detector_id, crit(**{"service.archived": {"Eq": ["true"]}}))
    assert archived_stats == {"2.0": 2}
    active_stats = statistics(gd, detector_id, crit(**{"service.archived": {"Eq": ["false"]}}))
    assert active_stats == {"5.0": 1, "8.0": 1}
    assert sum(statistics(gd, detector_id).values()) == 4

    gd.unarchive_findings(DetectorId=detector_id, FindingIds=[ids[ROOT]])
    assert archived_flags(gd, detector_id) == {SSH: True, ROOT: False, PORTSCAN: False,
                                               TOR_CLIENT: False}
    assert listed("true") == {ids[SSH]}
    assert listed("false") == {ids[ROOT], ids[PORTSCAN], ids[TOR_CLIENT]}
    assert statistics(gd, detector_id, crit(**{"service.archived": {"Eq": ["true"]}})) == {
        "2.0": 1}


def test_archive_is_idempotent_and_combines_with_other_criteria(gd, detector_id, samples):
    high = [f["Id"] for f in samples.values() if f["Severity"] == 8]
    for start in range(0, len(high), 50):
        gd.archive_findings(DetectorId=detector_id, FindingIds=high[start:start + 50])
    gd.archive_findings(DetectorId=detector_id, FindingIds=high[:1])
    got = list_ids(gd, detector_id, crit(**{"service.archived": {"Eq": ["true"]},
                                           "severity": {"Gte": 7}}))
    assert sorted(got) == sorted(high)
    got = list_ids(gd, detector_id, crit(**{"service.archived": {"Eq": ["false"]},
                                           "severity": {"Gte": 7}}))
    assert got == []
    low_active = list_ids(gd, detector_id, crit(**{"service.archived": {"Eq": ["false"]}}))
    assert set(low_active) == ids_where(samples, lambda f: f["Severity"] < 8)


def test_archived_finding_updated_by_a_new_sample_stays_archived(gd, detector_id):
    found = create_samples(gd, detector_id, [SSH])
    gd.archive_findings(DetectorId=detector_id, FindingIds=[found[SSH]["Id"]])
    again = create_samples(gd, detector_id, [SSH])[SSH]
    assert again["Id"] == found[SSH]["Id"]
    assert again["Service"]["Count"] == 2
    assert again["Service"]["Archived"] is True


def test_archive_unknown_finding_id_changes_nothing(gd, detector_id):
    found = create_samples(gd, detector_id, [SSH])
    for call in (gd.archive_findings, gd.unarchive_findings):
        try:
            call(DetectorId=detector_id, FindingIds=[UNKNOWN_ID])
        except ClientError as error:  # either a no-op or a 400, never a 500
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400, error
    assert read_all(gd, detector_id) == found


# --------------------------------------------------------------------------------------------
# UpdateFindingsFeedback
# --------------------------------------------------------------------------------------------


def test_findings_feedback(gd, detector_id):
    found = create_samples(gd, detector_id, [SSH, ROOT, PORTSCAN])
    resp = gd.update_findings_feedback(DetectorId=detector_id,
                                       FindingIds=[found[SSH]["Id"], found[ROOT]["Id"]],
                                       Feedback="USEFUL", Comments="good catch")
    assert strip_metadata(resp) == {}
    now = by_type(get_findings(gd, detector_id, list_ids(gd, detector_id)))
    assert now[SSH]["Service"]["UserFeedback"] == "USEFUL"
    assert now[ROOT]["Service"]["UserFeedback"] == "USEFUL"
    assert "UserFeedback" not in now[PORTSCAN]["Service"]

    gd.update_findings_feedback(DetectorId=detector_id, FindingIds=[found[SSH]["Id"]],
                                Feedback="NOT_USEFUL")
    now = by_type(get_findings(gd, detector_id, list_ids(gd, detector_id)))
    assert now[SSH]["Service"]["UserFeedback"] == "NOT_USEFUL"
    assert now[ROOT]["Service"]["UserFeedback"] == "USEFUL"
    # Feedback is not archiving.
    assert all(f["Service"]["Archived"] is False for f in now.values())


@pytest.mark.parametrize("feedback", ["MAYBE", "useful", ""])
def test_invalid_feedback_rejected(gd, gd_raw, detector_id, feedback):
    found = create_samples(gd, detector_id, [SSH])
    expect_error(lambda: gd_raw.update_findings_feedback(
        DetectorId=detector_id, FindingIds=[found[SSH]["Id"]], Feedback=feedback),
        param="feedback", invalid_input=True)
    assert read_all(gd, detector_id) == found


# --------------------------------------------------------------------------------------------
# Filters that act on findings
# --------------------------------------------------------------------------------------------


def test_archive_filter_archives_new_matching_findings(gd, detector_id):
    gd.create_filter(DetectorId=detector_id, Name="hide-portscans", Action="ARCHIVE",
                     FindingCriteria=crit(type={"Eq": [PORTSCAN]}))
    found = create_samples(gd, detector_id, [PORTSCAN, SSH, ROOT])
    assert found[PORTSCAN]["Service"]["Archived"] is True
    assert found[SSH]["Service"]["Archived"] is False
    assert found[ROOT]["Service"]["Archived"] is False
    active = list_ids(gd, detector_id, crit(**{"service.archived": {"Eq": ["false"]}}))
    assert sorted(active) == sorted([found[SSH]["Id"], found[ROOT]["Id"]])
    # Unarchived by hand, it is archived again by its next occurrence.
    gd.unarchive_findings(DetectorId=detector_id, FindingIds=[found[PORTSCAN]["Id"]])
    assert archived_flags(gd, detector_id)[PORTSCAN] is False
    again = create_samples(gd, detector_id, [PORTSCAN])
    assert again[PORTSCAN]["Service"]["Count"] == 2
    assert again[PORTSCAN]["Service"]["Archived"] is True
    assert again[SSH]["Service"]["Archived"] is False


def test_any_matching_archive_filter_archives(gd, detector_id):
    gd.create_filter(DetectorId=detector_id, Name="hide-ssh", Action="ARCHIVE", Rank=1,
                     FindingCriteria=crit(type={"Eq": [SSH]}))
    gd.create_filter(DetectorId=detector_id, Name="hide-access-keys", Action="ARCHIVE", Rank=2,
                     FindingCriteria=crit(**{"resource.resourceType": {"Eq": ["AccessKey"]}}))
    found = create_samples(gd, detector_id, [SSH, ROOT, PORTSCAN])
    assert {t: f["Service"]["Archived"] for t, f in found.items()} == {
        SSH: True, ROOT: True, PORTSCAN: False}


def test_archive_filter_on_severity_archives_every_high_sample(gd, detector_id):
    gd.create_filter(DetectorId=detector_id, Name="hide-high", Action="ARCHIVE",
                     FindingCriteria=crit(severity={"Gte": 7}))
    found = create_samples(gd, detector_id)
    for type_name, f in found.items():
        assert f["Service"]["Archived"] is (f["Severity"] >= 7), type_name


def test_noop_filter_archives_nothing(gd, detector_id):
    gd.create_filter(DetectorId=detector_id, Name="just-a-view", Action="NOOP",
                     FindingCriteria=crit(type={"Eq": [PORTSCAN]}))
    gd.create_filter(DetectorId=detector_id, Name="default-action",
                     FindingCriteria=crit(severity={"Gte": 1}))
    found = create_samples(gd, detector_id, [PORTSCAN, SSH])
    assert all(f["Service"]["Archived"] is False for f in found.values())


def test_creating_an_archive_filter_leaves_existing_findings_alone(gd, detector_id):
    before = create_samples(gd, detector_id, [PORTSCAN, SSH])
    gd.create_filter(DetectorId=detector_id, Name="late-filter", Action="ARCHIVE",
                     FindingCriteria=crit(type={"Eq": [PORTSCAN]}))
    assert archived_flags(gd, detector_id) == {PORTSCAN: False, SSH: False}
    # The next occurrence (an update of the same finding) is archived by the filter.
    after = create_samples(gd, detector_id, [PORTSCAN, SSH])
    assert after[PORTSCAN]["Id"] == before[PORTSCAN]["Id"]
    assert after[PORTSCAN]["Service"]["Archived"] is True
    assert after[SSH]["Service"]["Archived"] is False


def test_filter_updated_to_archive_then_deleted(gd, detector_id):
    gd.create_filter(DetectorId=detector_id, Name="switch", Action="NOOP",
                     FindingCriteria=crit(type={"Eq": [SSH]}))
    assert create_samples(gd, detector_id, [SSH])[SSH]["Service"]["Archived"] is False
    gd.update_filter(DetectorId=detector_id, FilterName="switch", Action="ARCHIVE")
    assert create_samples(gd, detector_id, [ROOT, SSH])[SSH]["Service"]["Archived"] is True
    gd.delete_filter(DetectorId=detector_id, FilterName="switch")
    fresh = create_samples(gd, detector_id, [PORTSCAN])
    assert fresh[PORTSCAN]["Service"]["Archived"] is False
    assert fresh[ROOT]["Service"]["Archived"] is False


def test_archive_filter_of_another_detector_does_not_act(gd, gd_eu):
    us = gd.create_detector(Enable=True)["DetectorId"]
    eu = gd_eu.create_detector(Enable=True)["DetectorId"]
    gd_eu.create_filter(DetectorId=eu, Name="eu-only", Action="ARCHIVE",
                        FindingCriteria=crit(type={"Eq": [SSH]}))
    assert create_samples(gd, us, [SSH])[SSH]["Service"]["Archived"] is False
    assert create_samples(gd_eu, eu, [SSH])[SSH]["Service"]["Archived"] is True


@pytest.mark.parametrize("attribute", ["resource.nope", "service.archivedd"])
def test_create_filter_with_unknown_attribute_rejected(gd, detector_id, attribute):
    expect_error(lambda: gd.create_filter(DetectorId=detector_id, Name="bad-attr",
                                          Action="ARCHIVE",
                                          FindingCriteria=crit(**{attribute: {"Eq": ["x"]}})),
                 param=attribute, invalid_input=True)
    assert gd.list_filters(DetectorId=detector_id)["FilterNames"] == []


# --------------------------------------------------------------------------------------------
# Ownership and isolation
# --------------------------------------------------------------------------------------------


def findings_calls(client, detector_id, finding_ids):
    return {
        "CreateSampleFindings": lambda: client.create_sample_findings(DetectorId=detector_id,
                                                                      FindingTypes=[SSH]),
        "ListFindings": lambda: client.list_findings(DetectorId=detector_id),
        "GetFindings": lambda: client.get_findings(DetectorId=detector_id,
                                                   FindingIds=finding_ids),
        "GetFindingsStatistics": lambda: client.get_findings_statistics(
            DetectorId=detector_id, FindingStatisticTypes=["COUNT_BY_SEVERITY"]),
        "ArchiveFindings": lambda: client.archive_findings(DetectorId=detector_id,
                                                           FindingIds=finding_ids),
        "UnarchiveFindings": lambda: client.unarchive_findings(DetectorId=detector_id,
                                                               FindingIds=finding_ids),
        "UpdateFindingsFeedback": lambda: client.update_findings_feedback(
            DetectorId=detector_id, FindingIds=finding_ids, Feedback="USEFUL"),
    }


OPERATIONS = sorted(findings_calls(None, "", []))


@pytest.mark.parametrize("operation", OPERATIONS)
def test_unknown_detector_rejected(gd, operation):
    gd.create_detector(Enable=True)
    call = findings_calls(gd, UNKNOWN_ID, [UNKNOWN_ID])[operation]
    expect_error(call, message=NOT_OWNED, invalid_input=True)


@pytest.mark.parametrize("who", ["other-account", "other-region"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_foreign_detector_rejected(gd, gd_b, gd_eu, who, operation):
    detector_id = gd.create_detector(Enable=True)["DetectorId"]
    found = create_samples(gd, detector_id, [SSH, ROOT])
    ids = [f["Id"] for f in found.values()]
    gd.archive_findings(DetectorId=detector_id, FindingIds=[found[ROOT]["Id"]])
    before = get_findings(gd, detector_id, ids)
    client = {"other-account": gd_b, "other-region": gd_eu}[who]
    expect_error(findings_calls(client, detector_id, ids)[operation], message=NOT_OWNED,
                 invalid_input=True)
    assert get_findings(gd, detector_id, ids) == before


@pytest.mark.parametrize("who", ["other-account", "other-region"])
def test_other_tenant_cannot_see_or_change_findings(gd, gd_b, gd_eu, who):
    client = {"other-account": gd_b, "other-region": gd_eu}[who]
    mine = gd.create_detector(Enable=True)["DetectorId"]
    found = create_samples(gd, mine, [SSH, ROOT])
    my_ids = sorted(f["Id"] for f in found.values())
    theirs = client.create_detector(Enable=True)["DetectorId"]

    assert client.list_findings(DetectorId=theirs)["FindingIds"] == []
    assert client.get_findings(DetectorId=theirs, FindingIds=my_ids)["Findings"] == []
    assert sum(statistics(client, theirs).values()) == 0
    for call in (client.archive_findings, client.unarchive_findings):
        try:
            call(DetectorId=theirs, FindingIds=my_ids)
        except ClientError as error:  # a 400 is acceptable; touching A's findings is not
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400, error
    try:
        client.update_findings_feedback(DetectorId=theirs, FindingIds=my_ids,
                                        Feedback="NOT_USEFUL")
    except ClientError as error:
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400, error
    now = get_findings(gd, mine, my_ids)
    assert all(f["Service"]["Archived"] is False for f in now)
    assert all("UserFeedback" not in f["Service"] for f in now)

    # Their own samples get different ids and stay out of A's detector.
    their_found = create_samples(client, theirs, [SSH])
    assert their_found[SSH]["Id"] not in my_ids
    assert sorted(list_ids(gd, mine)) == my_ids
    gd.archive_findings(DetectorId=mine, FindingIds=my_ids)
    assert read_all(client, theirs) == their_found


def test_delete_detector_removes_its_findings(gd):
    old = gd.create_detector(Enable=True)["DetectorId"]
    found = create_samples(gd, old, [SSH, ROOT])
    gd.delete_detector(DetectorId=old)
    expect_error(lambda: gd.list_findings(DetectorId=old), message=NOT_OWNED)
    new = gd.create_detector(Enable=True)["DetectorId"]
    assert new != old
    assert gd.list_findings(DetectorId=new)["FindingIds"] == []
    assert gd.get_findings(DetectorId=new,
                           FindingIds=[f["Id"] for f in found.values()])["Findings"] == []
    assert sum(statistics(gd, new).values()) == 0
    fresh = create_samples(gd, new, [SSH])
    assert fresh[SSH]["Service"]["Count"] == 1
    assert fresh[SSH]["Service"]["DetectorId"] == new
