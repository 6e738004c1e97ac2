"""The detection rules added on top of test_detection.py's: denial of service, spambot, EMR
port probes, domain generation algorithms, instance credentials used outside AWS
(--aws-ip-ranges), and the CloudTrail signals of RDS, Lambda, SES, S3, Organizations and
GuardDuty itself. Each attack is planted among the benign traffic of test_detection.py's
generators; the near misses next to each must make no finding.
"""

import json
import subprocess

import pytest

from conftest import VIGIL_BIN, VigilServer
from test_detection import (
    ACCOUNT,
    ATTACKER,
    ENI,
    HIGH,
    INSTANCE,
    LOCAL_IP,
    MEDIUM,
    T0,
    all_findings,
    assert_severity,
    benign_events,
    benign_flows,
    benign_queries,
    ct_event,
    dns_query,
    flow,
    ingest_ok,
    interleave,
    only,
    remote_ip,
    run_scan,
    seen,
    summary,
    text,
    threat_list,  # noqa: F401 (a fixture)
    trail_file,
)

VICTIM = "77.88.55.242"  # the flood's target on the internet
DAY = 24 * 60 * 60


# --------------------------------------------------------------------------------------------
# Denial of service
# --------------------------------------------------------------------------------------------


def flood(remote, start, *, minutes=3, proto=17, port=27015, packets_per_second=150_000,
          flows=1):
    """The instance sending `remote` a flood for `minutes` one-minute records, split over
    `flows` source ports."""
    lines = []
    for minute in range(minutes):
        for i in range(flows):
            lines.append(flow(LOCAL_IP, remote, 50000 + i, port, start + 60 * minute,
                              proto=proto, packets=packets_per_second * 60 // flows,
                              duration=60))
    return lines


DOS_VARIANTS = {
    "Backdoor:EC2/DenialOfService.Tcp": dict(proto=6, port=80),
    "Backdoor:EC2/DenialOfService.Udp": dict(proto=17, port=27015),
    "Backdoor:EC2/DenialOfService.Dns": dict(proto=17, port=53),
    "Backdoor:EC2/DenialOfService.UdpOnTcpPorts": dict(proto=17, port=443),
    "Backdoor:EC2/DenialOfService.UnusualProtocol": dict(proto=47, port=0),
}


@pytest.mark.parametrize("type_name", sorted(DOS_VARIANTS))
def test_an_outbound_flood_is_denial_of_service_by_protocol(vigil, gd, detector_id, type_name):
    lines = interleave(benign_flows(), flood(VICTIM, T0, **DOS_VARIANTS[type_name]))
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(lines))
    assert doc["findingsCreated"] == 1, doc
    [finding] = all_findings(gd, detector_id)
    assert finding["Type"] == type_name
    assert_severity(finding, HIGH)
    assert finding["Service"]["ResourceRole"] == "ACTOR"
    assert remote_ip(finding) == VICTIM
    connection = finding["Service"]["Action"]["NetworkConnectionAction"]
    assert connection["ConnectionDirection"] == "OUTBOUND"
    details = finding["Resource"]["InstanceDetails"]["NetworkInterfaces"][0]
    assert details["NetworkInterfaceId"] == ENI and details["PrivateIpAddress"] == LOCAL_IP
    first, last = seen(finding)
    assert T0 <= first and last <= T0 + 3 * 60


def test_a_flood_spread_over_many_flows_adds_up(vigil, gd, detector_id):
    lines = interleave(benign_flows(), flood(VICTIM, T0, flows=8))
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(lines))
    assert doc["findingsCreated"] == 1, doc
    assert [summary(f) for f in all_findings(gd, detector_id)] == [
        ("Backdoor:EC2/DenialOfService.Udp", "ACTOR", VICTIM)]


@pytest.mark.parametrize("scenario", ["one-minute-burst", "below-the-rate", "inbound-flood",
                                      "to-a-private-address"])
def test_heavy_traffic_that_is_not_a_flood_makes_no_finding(vigil, gd, detector_id, scenario):
    if scenario == "one-minute-burst":
        lines = flood(VICTIM, T0, minutes=1)
    elif scenario == "below-the-rate":  # a busy uplink: 50,000 packets/s for ten minutes
        lines = flood(VICTIM, T0, minutes=10, proto=6, port=443, packets_per_second=50_000)
    elif scenario == "inbound-flood":  # the instance is the victim, not the attacker
        lines = [flow(VICTIM, LOCAL_IP, 50000, 80, T0 + 60 * m, packets=9_000_000, duration=60)
                 for m in range(3)]
    else:  # a load test inside the VPC
        lines = flood("10.0.2.20", T0, minutes=5)
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(), lines)))
    assert doc["findingsCreated"] == 0, doc
    assert all_findings(gd, detector_id) == []


# --------------------------------------------------------------------------------------------
# Spambot
# --------------------------------------------------------------------------------------------


def mail(start, hosts, *, first_host=1):
    """The instance opening SMTP connections to `hosts` public mail servers."""
    return [flow(LOCAL_IP, f"89.149.{first_host + i}.25", 41000 + i, 25, start + 20 * i,
                 packets=14) for i in range(hosts)]


def test_an_instance_that_starts_mailing_many_servers_is_a_spambot(vigil, gd, detector_id):
    ingest_ok(vigil, detector_id, "flowlogs", text(benign_flows(T0)))
    later = T0 + 2 * DAY
    doc = ingest_ok(vigil, detector_id, "flowlogs",
                    text(interleave(benign_flows(later), mail(later, 15))))
    assert doc["findingsCreated"] == 1, doc
    [finding] = all_findings(gd, detector_id)
    assert finding["Type"] == "Backdoor:EC2/Spambot"
    assert_severity(finding, MEDIUM)
    assert finding["Service"]["ResourceRole"] == "ACTOR"
    connection = finding["Service"]["Action"]["NetworkConnectionAction"]
    assert connection["RemotePortDetails"]["Port"] == 25
    assert remote_ip(finding).startswith("89.149.")


@pytest.mark.parametrize("scenario", ["mail-server-from-the-start", "a-few-mails"])
def test_mail_that_is_not_spam_makes_no_finding(vigil, gd, detector_id, scenario):
    if scenario == "mail-server-from-the-start":
        # Mails from the first record on, and keeps mailing days later: a mail server.
        for day in range(3):
            ingest_ok(vigil, detector_id, "flowlogs",
                      text(interleave(benign_flows(T0 + day * DAY), mail(T0 + day * DAY, 15))))
    else:
        ingest_ok(vigil, detector_id, "flowlogs", text(benign_flows(T0)))
        later = T0 + 2 * DAY
        ingest_ok(vigil, detector_id, "flowlogs",
                  text(interleave(benign_flows(later), mail(later, 3))))
    assert all_findings(gd, detector_id) == []


# --------------------------------------------------------------------------------------------
# EMR port probes
# --------------------------------------------------------------------------------------------


def test_an_accepted_probe_of_an_emr_port_is_the_emr_type(vigil, gd, detector_id, threat_list):
    threat_list(f"{ATTACKER}\n")
    probe = flow(ATTACKER, LOCAL_IP, 40000, 8088, T0 + 5, packets=1)
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(), [probe])))
    assert doc["findingsCreated"] == 2, doc  # the list match and the probe
    finding = only(all_findings(gd, detector_id), "Recon:EC2/PortProbeEMRUnprotectedPort")
    assert_severity(finding, HIGH)
    assert finding["Service"]["ResourceRole"] == "TARGET"
    detail = finding["Service"]["Action"]["PortProbeAction"]["PortProbeDetails"][0]
    assert detail["LocalPortDetails"]["Port"] == 8088
    assert detail["RemoteIpDetails"]["IpAddressV4"] == ATTACKER


# --------------------------------------------------------------------------------------------
# Domain generation algorithms
# --------------------------------------------------------------------------------------------

GENERATED = ["xjw3kd9qplmz.com", "qzvbnrtkwpls.net", "h7g2kq9xv4tm.org", "mnbvcxzlkjhg.info",
             "pqwrtzxcvbnm.biz", "k3j9x7q2w8zv.ru", "trgbnhyjmkqw.com", "zxq8v7b6n5m4.net",
             "lkjhgfdsqwrt.org", "bcdfghjklmnp.com", "wq9z8x7c6v5b.info", "vbnmqwrtzpkl.co"]
TYPOS = ["gooogle.com", "stackoverflw.com", "microsfot.com", "wikipedai.org", "githubb.com",
         "facebok.com", "cloudfare.com", "ubunto.com", "debain.org", "exampel.com",
         "printer-3.lan", "wpad.home"]


def test_a_burst_of_made_up_missing_domains_is_dga(vigil, gd, detector_id):
    burst = [dns_query(name, T0 + 100 + 3 * i, rcode="NXDOMAIN", answers=[])
             for i, name in enumerate(GENERATED)]
    doc = ingest_ok(vigil, detector_id, "dns", text(interleave(benign_queries(), burst)))
    assert doc["findingsCreated"] == 1, doc
    [finding] = all_findings(gd, detector_id)
    assert finding["Type"] == "Trojan:EC2/DGADomainRequest.C!DNS"
    assert_severity(finding, HIGH)
    assert finding["Resource"]["InstanceDetails"]["InstanceId"] == INSTANCE
    action = finding["Service"]["Action"]
    assert action["ActionType"] == "DNS_REQUEST"
    assert action["DnsRequestAction"]["Domain"] in GENERATED


def test_typos_and_made_up_names_that_resolve_are_not_dga(vigil, gd, detector_id):
    typos = [dns_query(name, T0 + 100 + i, rcode="NXDOMAIN", answers=[])
             for i, name in enumerate(TYPOS)]
    resolving = [dns_query(name, T0 + 200 + i) for i, name in enumerate(GENERATED)]
    doc = ingest_ok(vigil, detector_id, "dns",
                    text(interleave(benign_queries(), typos, resolving)))
    assert doc["findingsCreated"] == 0, doc


# --------------------------------------------------------------------------------------------
# Instance credentials used outside AWS
# --------------------------------------------------------------------------------------------

AWS_IP_RANGES = {
    "syncToken": "1767225600", "createDate": "2026-01-01-00-00-00",
    "prefixes": [
        {"ip_prefix": "3.5.140.0/22", "region": "ap-northeast-2", "service": "AMAZON",
         "network_border_group": "ap-northeast-2"},
        {"ip_prefix": "52.94.0.0/16", "region": "us-east-1", "service": "AMAZON",
         "network_border_group": "us-east-1"},
    ],
    "ipv6_prefixes": [
        {"ipv6_prefix": "2600:1f18::/36", "region": "us-east-1", "service": "EC2",
         "network_border_group": "us-east-1"},
    ],
}
ROLE_KEY = "ASIAZ3EXAMPLEROLE001"
STOLEN_FROM = "95.217.163.246"


def instance_role(key=ROLE_KEY, session=INSTANCE):
    return {"type": "AssumedRole", "principalId": f"AROAZ3EXAMPLEWEBROLE:{session}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/web/{session}", "accountId": ACCOUNT,
            "accessKeyId": key,
            "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "web"},
                               "attributes": {"mfaAuthenticated": "false"}}}


def credential_events():
    """The instance's role used from the instance (an AWS address) and, later, from outside."""
    return [
        ct_event("DescribeInstances", "ec2.amazonaws.com", t=T0 + 40, ip="52.94.12.7",
                 identity=instance_role(), read_only=True),
        ct_event("GetObject", "s3.amazonaws.com", t=T0 + 41, ip="2600:1f18:0abc::5",
                 identity=instance_role(), read_only=True),
        ct_event("ListBuckets", "s3.amazonaws.com", t=T0 + 50, ip=STOLEN_FROM,
                 identity=instance_role(), read_only=True),
        ct_event("ListUsers", "iam.amazonaws.com", t=T0 + 55, ip=STOLEN_FROM,
                 identity=instance_role(), read_only=True),
    ]


@pytest.fixture
def ranged_server(tmp_path):
    ranges = tmp_path / "ip-ranges.json"
    ranges.write_text(json.dumps(AWS_IP_RANGES))
    server = VigilServer(in_memory=True, extra_args=["--aws-ip-ranges", str(ranges)]).start()
    yield server, ranges
    assert server.stop() == 0, server.stderr()


def test_instance_credentials_used_outside_aws_are_exfiltration(ranged_server):
    server, _ = ranged_server
    client = server.client()
    detector_id = client.create_detector(Enable=True)["DetectorId"]
    events = benign_events() + credential_events()
    doc = ingest_ok(server, detector_id, "cloudtrail", trail_file(events))
    assert doc["findingsCreated"] == 1, doc
    [finding] = all_findings(client, detector_id)
    assert finding["Type"] == ("UnauthorizedAccess:IAMUser/"
                               "InstanceCredentialExfiltration.OutsideAWS")
    assert_severity(finding, HIGH)
    assert finding["Resource"]["AccessKeyDetails"]["AccessKeyId"] == ROLE_KEY
    assert remote_ip(finding) == STOLEN_FROM
    assert finding["Service"]["Count"] == 2  # both calls from outside, one stolen credential
    assert seen(finding) == (T0 + 50, T0 + 55)


def test_without_aws_ip_ranges_the_rule_is_off(vigil, gd, detector_id):
    doc = ingest_ok(vigil, detector_id, "cloudtrail",
                    trail_file(benign_events() + credential_events()))
    assert doc["findingsCreated"] == 0, doc


def test_scan_takes_aws_ip_ranges_too(ranged_server, tmp_path):
    _, ranges = ranged_server
    log = tmp_path / "trail.json"
    log.write_text(trail_file(benign_events() + credential_events()))
    proc = run_scan("--source", "cloudtrail", "--aws-ip-ranges", str(ranges), str(log))
    types = [json.loads(line)["type"] for line in proc.stdout.splitlines() if line.strip()]
    assert types == ["UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"]


@pytest.mark.parametrize("content", ["not json", '{"prefixes":[{"ip_prefix":"3.5.140.0"}]}'],
                         ids=["not-json", "bad-prefix"])
def test_a_bad_aws_ip_ranges_file_stops_serve_and_scan_with_a_clear_error(tmp_path, content):
    ranges = tmp_path / "ip-ranges.json"
    ranges.write_text(content)
    for command in (["serve", "--in-memory", "--listen", "127.0.0.1:0"],
                    ["scan", "--source", "cloudtrail", str(tmp_path)]):
        proc = subprocess.run([str(VIGIL_BIN), *command, "--aws-ip-ranges", str(ranges)],
                              capture_output=True, text=True, timeout=30)
        assert proc.returncode == 2, (command, proc.stderr)
        assert "--aws-ip-ranges" in proc.stderr and str(ranges) in proc.stderr, proc.stderr


# --------------------------------------------------------------------------------------------
# CloudTrail signals of other services
# --------------------------------------------------------------------------------------------

SIGNALS = {
    "CredentialAccess:RDS/ModifyAuthenticationProcess": (ct_event(
        "ModifyDBInstance", "rds.amazonaws.com",
        request={"dBInstanceIdentifier": "orders",
                 "masterUserPassword": "HIDDEN_DUE_TO_SECURITY_REASONS"}), HIGH),
    "DefenseImpairment:RDS/ModifyAuthenticationProcess": (ct_event(
        "ModifyDBCluster", "rds.amazonaws.com",
        request={"dBClusterIdentifier": "orders", "enableIAMDatabaseAuthentication": False}),
        MEDIUM),
    "InitialAccess:RDS/ExploitPublicFacingApplication": (ct_event(
        "ModifyDBInstance", "rds.amazonaws.com",
        request={"dBInstanceIdentifier": "orders", "publiclyAccessible": True}), HIGH),
    "Exfiltration:RDS/TransferDataToCloudAccount": (ct_event(
        "ModifyDBSnapshotAttribute", "rds.amazonaws.com",
        request={"dBSnapshotIdentifier": "orders-2026-01-01", "attributeName": "restore",
                 "valuesToAdd": ["all"]}), HIGH),
    "Persistence:Lambda/AccountManipulation": (ct_event(
        "AddPermission20150331v2", "lambda.amazonaws.com",
        request={"functionName": "billing", "statementId": "open", "principal": "*",
                 "action": "lambda:InvokeFunction"}), HIGH),
    "Persistence:Lambda/ModifyAuthenticationProcess": (ct_event(
        "CreateFunctionUrlConfig20211031", "lambda.amazonaws.com",
        request={"functionName": "billing", "authType": "NONE"}), HIGH),
    "Impact:SES/ResourceHijacking": (ct_event(
        "UpdateAccountSendingEnabled", "ses.amazonaws.com", request={"enabled": True}), None),
    "ResourceDevelopment:SES/CompromiseAccounts": (ct_event(
        "VerifyDomainIdentity", "ses.amazonaws.com", request={"domain": "totally-legit.shop"}),
        MEDIUM),
    "Exfiltration:S3/TransferDataToCloudAccount": (ct_event(
        "PutBucketPolicy", "s3.amazonaws.com",
        request={"bucketName": "customer-data", "bucketPolicy": {
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                "Action": "s3:GetObject", "Resource": "arn:aws:s3:::customer-data/*"}]},
            "policy": ""}), HIGH),
    "Impact:S3/DataDestruction": (ct_event(
        "PutBucketLifecycle", "s3.amazonaws.com",
        request={"bucketName": "customer-data", "LifecycleConfiguration": {"Rule": {
            "ID": "wipe", "Status": "Enabled", "Filter": {"Prefix": ""},
            "Expiration": {"Days": 1}}}, "lifecycle": ""}), MEDIUM),
    "DefenseImpairment:Organizations/DisableOrModifyTools": (ct_event(
        "DisablePolicyType", "organizations.amazonaws.com",
        request={"rootId": "r-abcd", "policyType": "SERVICE_CONTROL_POLICY"}), HIGH),
    "Stealth:IAMUser/CloudTrailLoggingDisabled": (ct_event(
        "DeleteDetector", "guardduty.amazonaws.com",
        request={"detectorId": "12abc34d567e8fa901bc2d34e56789f0"}), None),
}

NOT_SIGNALS = {
    "rds-iam-auth-on": ct_event("ModifyDBInstance", "rds.amazonaws.com",
                                request={"dBInstanceIdentifier": "orders",
                                         "enableIAMDatabaseAuthentication": True}),
    "rds-snapshot-shared-with-one-account": ct_event(
        "ModifyDBSnapshotAttribute", "rds.amazonaws.com",
        request={"dBSnapshotIdentifier": "s", "attributeName": "restore",
                 "valuesToAdd": ["222233334444"]}),
    "lambda-permission-for-a-service": ct_event(
        "AddPermission20150331v2", "lambda.amazonaws.com",
        request={"functionName": "billing", "principal": "s3.amazonaws.com",
                 "action": "lambda:InvokeFunction"}),
    "lambda-url-with-iam-auth": ct_event("CreateFunctionUrlConfig20211031",
                                         "lambda.amazonaws.com",
                                         request={"functionName": "billing",
                                                  "authType": "AWS_IAM"}),
    "bucket-policy-for-the-own-account": ct_event(
        "PutBucketPolicy", "s3.amazonaws.com",
        request={"bucketName": "b", "bucketPolicy": {"Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"},
            "Action": "s3:GetObject"}]}}),
    "lifecycle-of-ninety-days": ct_event(
        "PutBucketLifecycle", "s3.amazonaws.com",
        request={"bucketName": "b", "LifecycleConfiguration": {"Rule": [{
            "Status": "Enabled", "Expiration": {"Days": 90}}]}}),
    "guardduty-detector-enabled": ct_event("UpdateDetector", "guardduty.amazonaws.com",
                                           request={"detectorId": "d", "enable": True}),
    "delete-detector-denied": ct_event("DeleteDetector", "guardduty.amazonaws.com",
                                       request={"detectorId": "d"}, error="AccessDenied"),
}


@pytest.mark.parametrize("type_name", sorted(SIGNALS))
def test_cloudtrail_signal_of_another_service(vigil, gd, detector_id, type_name):
    event, band = SIGNALS[type_name]
    events = benign_events()
    events.insert(3, event)
    doc = ingest_ok(vigil, detector_id, "cloudtrail", trail_file(events))
    assert doc["findingsCreated"] == 1, doc
    [finding] = all_findings(gd, detector_id)
    assert finding["Type"] == type_name
    if band:
        assert_severity(finding, band)
    call = finding["Service"]["Action"]["AwsApiCallAction"]
    assert call["Api"] == event["eventName"] and call["ServiceName"] == event["eventSource"]
    assert finding["Resource"]["AccessKeyDetails"]["UserName"] == "alice"


@pytest.mark.parametrize("case", sorted(NOT_SIGNALS))
def test_cloudtrail_calls_of_other_services_that_are_not_attacks(vigil, gd, detector_id, case):
    doc = ingest_ok(vigil, detector_id, "cloudtrail",
                    trail_file(benign_events() + [NOT_SIGNALS[case]]))
    assert doc["findingsCreated"] == 0, doc
    assert all_findings(gd, detector_id) == []
