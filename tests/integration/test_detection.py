"""The detection engine: POST /_vigil/ingest/{detectorId}/{source} (VPC Flow Logs, CloudTrail,
Route 53 Resolver query logs; plain or gzip), the findings it stores (types, resource, action,
role, threat list, counts, event times), aggregation, ARCHIVE filters, and the offline
`vigil scan` command.

Every attack is planted among benign traffic built by the generators below; benign-only logs
must produce no finding. Log formats follow /work/shared/reference/guardduty-detection.md
section 1, finding types section 3. Addresses used as "the internet" are ordinary public
unicast addresses (no documentation ranges), so no reading of "publicly routable" can exclude
them; nothing is ever sent to them.
"""

import base64
import datetime
import gzip
import http.client
import json
import random
import socket
import subprocess
import time
import uuid

import pytest

from conftest import (
    ACCOUNT_A,
    ACCOUNT_B,
    IPSET,
    NOT_OWNED,
    OTHER_REGION,
    REGION,
    THREAT_INTEL_SET,
    UNKNOWN_ID,
    VIGIL_BIN,
    VigilServer,
    auth_header,
    parse_iso_ms,
    wait_for_status,
)

# --------------------------------------------------------------------------------------------
# Finding types
# --------------------------------------------------------------------------------------------

EC2_CUSTOM = "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom"
SSH_BRUTE = "UnauthorizedAccess:EC2/SSHBruteForce"
RDP_BRUTE = "UnauthorizedAccess:EC2/RDPBruteForce"
WINRM_BRUTE = "Impact:EC2/WinRMBruteForce"
PORTSCAN = "Recon:EC2/Portscan"
ROOT = "Policy:IAMUser/RootCredentialUsage"
KALI = "PenTest:IAMUser/KaliLinux"
TRAIL_OFF = "Stealth:IAMUser/CloudTrailLoggingDisabled"
PASSWORD_POLICY = "Stealth:IAMUser/PasswordPolicyChange"
RECON_CUSTOM = "Recon:IAMUser/MaliciousIPCaller.Custom"
IAM_CUSTOM = "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom"
PUBLIC_SSH = "Persistence:EC2/ExternalRemoteServices"
FLOW_LOGS_DELETED = "DefenseImpairment:EC2/DisableOrModifyTools"
ADMIN_ATTACHED = "PrivilegeEscalation:IAM/AccountManipulation"
NO_MFA_LOGIN = "InitialAccess:IAM/ValidAccounts"
DOMAIN_CUSTOM = "Impact:EC2/MaliciousDomainRequest.Custom"
BITCOIN = "CryptoCurrency:EC2/BitcoinTool.B!DNS"
DNS_REBIND = "UnauthorizedAccess:EC2/MetadataDNSRebind"
DNS_EXFIL = "Trojan:EC2/DNSDataExfiltration"

LOW, MEDIUM, HIGH = (1.0, 4.0), (4.0, 7.0), (7.0, 9.0)

# --------------------------------------------------------------------------------------------
# The monitored network and the internet
# --------------------------------------------------------------------------------------------

ACCOUNT = ACCOUNT_A
T0 = 1767225600  # 2026-01-01T00:00:00Z: log times, far from any ingest time

ENI = "eni-0a1b2c3d4e5f60001"
LOCAL_IP = "10.0.1.10"
ENI_2 = "eni-0a1b2c3d4e5f60002"
LOCAL_IP_2 = "10.0.1.11"
INSTANCE = "i-0123456789abcdef0"
VPC = "vpc-0abc1234def567890"
SUBNET = "subnet-0fedcba9876543210"
RESOLVER = "10.0.0.2"

# Benign peers.
HTTPS_SERVERS = ["52.94.236.248", "151.101.1.69", "140.82.112.3", "104.16.132.229"]
WEB_CLIENTS = ["81.2.69.142", "24.48.0.1"]
ADMIN_IP = "86.12.40.7"  # the administrators' office: a few real SSH logins

# Attackers and malicious infrastructure.
ATTACKER = "45.155.205.233"
ATTACKER_2 = "193.32.162.70"
SCAN_TARGET = "45.33.32.156"
THREAT_IP = "185.220.101.34"
THREAT_IP_2 = "91.219.236.222"
THREAT_CIDR = "194.26.29.0/24"
THREAT_IN_CIDR = "194.26.29.113"


# --------------------------------------------------------------------------------------------
# Flow log generators
# --------------------------------------------------------------------------------------------


def flow(src, dst, sport, dport, start, *, proto=6, packets=10, nbytes=None, duration=5,
         action="ACCEPT", eni=ENI):
    """One default-format (v2) record."""
    nbytes = packets * 84 if nbytes is None else nbytes
    return (f"2 {ACCOUNT} {eni} {src} {dst} {sport} {dport} {proto} {packets} {nbytes} "
            f"{start} {start + duration} {action} OK")


def session(local, remote, local_port, remote_port, start, *, inbound, packets=20, eni=ENI,
            duration=30):
    """Both records of one TCP connection (request and reply), as flow logs show it."""
    if inbound:
        request = flow(remote, local, remote_port, local_port, start, packets=packets,
                       duration=duration, eni=eni)
        reply = flow(local, remote, local_port, remote_port, start, packets=packets,
                     duration=duration, eni=eni)
    else:
        request = flow(local, remote, local_port, remote_port, start, packets=packets,
                       duration=duration, eni=eni)
        reply = flow(remote, local, remote_port, local_port, start, packets=packets,
                     duration=duration, eni=eni)
    return [request, reply]


def benign_flows(start=T0, eni=ENI, local=LOCAL_IP):
    """A handful of HTTPS sessions to public servers (with their replies), two web clients
    using the instance's web server, a few SSH logins by the administrators, and DNS to the
    VPC resolver."""
    lines = []
    for i, server in enumerate(HTTPS_SERVERS):
        lines += session(local, server, 49152 + i, 443, start + 7 * i, inbound=False,
                         packets=40 + i, eni=eni)
    for i, client in enumerate(WEB_CLIENTS):
        for j in range(3):
            lines += session(local, client, 443, 51000 + 10 * i + j, start + 20 + 11 * j,
                             inbound=True, packets=12, eni=eni)
    for i in range(3):  # interactive SSH sessions: long, many packets
        lines += session(local, ADMIN_IP, 22, 60100 + i, start + 60 + 90 * i, inbound=True,
                         packets=400 + i, eni=eni, duration=55)
    for i in range(4):
        lines.append(flow(local, RESOLVER, 35000 + i, 53, start + 5 * i, proto=17, packets=1,
                          eni=eni))
        lines.append(flow(RESOLVER, local, 53, 35000 + i, start + 5 * i, proto=17, packets=1,
                          eni=eni))
    return lines


def brute_force(attacker, start, *, attempts=25, port=22, inbound=True, eni=ENI,
                local=LOCAL_IP, spacing=10, packets=8, replies=False, first_port=40000):
    """Short TCP connections to a login service: inbound (attacker -> instance) or outbound
    (instance -> attacker's port). Each attempt uses a new client port."""
    lines = []
    for i in range(attempts):
        t = start + i * spacing
        client_port = first_port + i
        if inbound:
            lines.append(flow(attacker, local, client_port, port, t, packets=packets,
                              action="ACCEPT", eni=eni))
            if replies:
                lines.append(flow(local, attacker, port, client_port, t, packets=packets,
                                  eni=eni))
        else:
            lines.append(flow(local, attacker, client_port, port, t, packets=packets, eni=eni))
            if replies:
                lines.append(flow(attacker, local, port, client_port, t, packets=packets,
                                  eni=eni))
    return lines


def port_scan(target, start, *, ports=60, first_port=8000, spacing=1, eni=ENI, local=LOCAL_IP):
    """The instance probing many ports of one remote host: one SYN each, refused."""
    return [flow(local, target, 55000, first_port + i, start + i * spacing, packets=1,
                 duration=1, action="REJECT", eni=eni) for i in range(ports)]


def interleave(*groups):
    """Mix record lists the way a log file mixes them: records of different sources
    alternate at random (deterministically), each source's records keep their order."""
    rng = random.Random(1234)
    queues = [list(group) for group in groups if group]
    merged = []
    while queues:
        queue = rng.choice(queues)
        merged.append(queue.pop(0))
        if not queue:
            queues.remove(queue)
    return merged


def text(lines):
    return "\n".join(lines) + "\n"


CUSTOM_FIELDS = ("version vpc-id subnet-id instance-id interface-id account-id type srcaddr "
                 "dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start "
                 "end action tcp-flags log-status")


def custom_flow(src, dst, sport, dport, start, *, packets=10, action="ACCEPT", flags=2,
                instance=INSTANCE, eni=ENI, pkt_src=None, pkt_dst=None):
    """One record of the custom v3 format CUSTOM_FIELDS (pkt-*addr default to src/dst)."""
    return (f"3 {VPC} {SUBNET} {instance} {eni} {ACCOUNT} IPv4 {src} {dst} {sport} {dport} "
            f"{pkt_src or src} {pkt_dst or dst} 6 {packets * 60} {packets} {start} {start + 5} "
            f"{action} {flags} OK")


# --------------------------------------------------------------------------------------------
# CloudTrail generators
# --------------------------------------------------------------------------------------------

ALICE_KEY = "AKIAZ3EXAMPLEALICE01"
BOB_KEY = "AKIAZ3EXAMPLEBOB0001"
ROOT_KEY = "AKIAZ3EXAMPLEROOT001"
OFFICE_IP = "86.12.40.9"
CLI_AGENT = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-18-amd64 exe/x86_64.debian.12 prompt/off"
KALI_AGENT = ("aws-cli/2.13.25 Python/3.11.5 Linux/6.5.0-kali3-amd64 exe/x86_64.kali.2023 "
              "prompt/off command/iam.list-users")


def iso(seconds):
    """CloudTrail / Resolver timestamp of epoch seconds."""
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}"


def iam_user(name="alice", key=ALICE_KEY):
    identity = {"type": "IAMUser", "principalId": f"AIDA{name.upper():0<16}"[:21],
                "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "accountId": ACCOUNT,
                "userName": name}
    if key:
        identity["accessKeyId"] = key
    return identity


def root_user(key=ROOT_KEY):
    return {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root",
            "accountId": ACCOUNT, "accessKeyId": key}


def ct_event(name, source, *, t=T0, identity=None, ip=OFFICE_IP, agent=CLI_AGENT,
             request=None, response=None, error=None, read_only=None, event_type="AwsApiCall",
             extra=None, event_id=None):
    """One CloudTrail record (eventVersion 1.08)."""
    event = {
        "eventVersion": "1.08",
        "userIdentity": identity if identity is not None else iam_user(),
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": ip,
        "userAgent": agent,
        "requestParameters": request,
        "responseElements": response,
        "requestID": str(uuid.uuid4()),
        "eventID": event_id or str(uuid.uuid4()),
        "eventType": event_type,
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }
    if read_only is not None:
        event["readOnly"] = read_only
    if error:
        event["errorCode"] = error
        event["errorMessage"] = f"User is not authorized to perform {name}"
    if extra:
        event.update(extra)
    return event


def benign_events(start=T0):
    """Everyday management activity by IAM users and services."""
    return [
        ct_event("DescribeInstances", "ec2.amazonaws.com", t=start, read_only=True,
                 request={"maxResults": 100}),
        ct_event("ListBuckets", "s3.amazonaws.com", t=start + 3, read_only=True),
        ct_event("GetCallerIdentity", "sts.amazonaws.com", t=start + 5, read_only=True,
                 identity=iam_user("bob", BOB_KEY)),
        ct_event("RunInstances", "ec2.amazonaws.com", t=start + 9, read_only=False,
                 request={"instanceType": "t3.micro", "minCount": 1, "maxCount": 1}),
        ct_event("PutBucketVersioning", "s3.amazonaws.com", t=start + 12, read_only=False,
                 request={"bucketName": "team-artifacts",
                          "VersioningConfiguration": {"Status": "Enabled"}}),
        ct_event("AssumeRole", "sts.amazonaws.com", t=start + 15, ip="ec2.amazonaws.com",
                 agent="ec2.amazonaws.com", event_type="AwsApiCall",
                 identity={"type": "AWSService", "invokedBy": "ec2.amazonaws.com"},
                 request={"roleArn": f"arn:aws:iam::{ACCOUNT}:role/web",
                          "roleSessionName": INSTANCE}),
        ct_event("ConsoleLogin", "signin.amazonaws.com", t=start + 20,
                 identity=iam_user("bob", None), agent="Mozilla/5.0 (X11; Linux x86_64)",
                 event_type="AwsConsoleSignIn", response={"ConsoleLogin": "Success"},
                 extra={"additionalEventData": {"LoginTo": "https://console.aws.amazon.com/",
                                                "MobileVersion": "No", "MFAUsed": "Yes"}}),
        ct_event("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", t=start + 25,
                 request=sg_ingress([(443, 443, "0.0.0.0/0")])),
        ct_event("AttachUserPolicy", "iam.amazonaws.com", t=start + 30,
                 request={"userName": "bob",
                          "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
    ]


def sg_ingress(rules, group="sg-0123456789abcdef0"):
    """requestParameters of AuthorizeSecurityGroupIngress: [(fromPort, toPort, cidr)]."""
    items = [{"ipProtocol": "tcp", "fromPort": lo, "toPort": hi, "groups": {},
              "ipRanges": {"items": [{"cidrIp": cidr}]}, "ipv6Ranges": {}, "prefixListIds": {}}
             for lo, hi, cidr in rules]
    return {"groupId": group, "ipPermissions": {"items": items}}


def trail_file(events):
    return json.dumps({"Records": events})


# --------------------------------------------------------------------------------------------
# Route 53 Resolver query log generators
# --------------------------------------------------------------------------------------------


def dns_query(name, t=T0, *, instance=INSTANCE, src=LOCAL_IP, answers=None, qtype="A",
              rcode="NOERROR"):
    """One resolver query log record (one JSON line); `name` without the trailing dot."""
    if answers is None:
        answers = [{"Rdata": "93.184.215.14", "Type": qtype, "Class": "IN"}]
    elif answers and isinstance(answers[0], str):
        answers = [{"Rdata": a, "Type": qtype, "Class": "IN"} for a in answers]
    return json.dumps({
        "version": "1.100000", "account_id": ACCOUNT, "region": "us-east-1", "vpc_id": VPC,
        "query_timestamp": iso(t), "query_name": name + ".", "query_type": qtype,
        "query_class": "IN", "rcode": rcode, "answers": answers, "srcaddr": src,
        "srcport": str(40000 + int(t) % 20000), "transport": "UDP",
        "srcids": {"instance": instance},
    })


def benign_queries(start=T0, instance=INSTANCE):
    names = ["ec2.us-east-1.amazonaws.com", "s3.amazonaws.com", "github.com", "www.google.com",
             "api.stripe.com", "deb.debian.org", "security.debian.org",
             "ntp.ubuntu.com", "img1.cdn.shopify.com", "img2.cdn.shopify.com"]
    lines = [dns_query(name, start + i, instance=instance) for i, name in enumerate(names)]
    # The metadata service's own name resolves to the metadata address: not a rebinding.
    lines.append(dns_query("instance-data.ec2.internal", start + 30, instance=instance,
                           answers=["169.254.169.254"]))
    # Many short distinct subdomains of one CDN: not exfiltration.
    lines += [dns_query(f"edge-{i}.fastly-cdn.net", start + 40 + i, instance=instance)
              for i in range(60)]
    return lines


def random_labels(count, *, alphabet="base32", length=52, seed=5):
    rng = random.Random(seed)
    labels = set()
    while len(labels) < count:
        if alphabet == "base32":
            label = base64.b32encode(rng.randbytes(length)).decode().lower().rstrip("=")
        else:
            label = rng.randbytes(length).hex()
        labels.add(label[:length])
    return sorted(labels)


# --------------------------------------------------------------------------------------------
# Server helpers
# --------------------------------------------------------------------------------------------


def ingest(server, detector_id, source, body, *, account=ACCOUNT_A, compress=False,
           region=REGION):
    """POST /_vigil/ingest/{detectorId}/{source}; returns (status, parsed JSON or raw body)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if compress:
        body = gzip.compress(body)
    status, _, raw = server.request("POST", f"/_vigil/ingest/{detector_id}/{source}", body,
                                    headers={"Content-Type": "application/octet-stream"},
                                    account=account, region=region)
    try:
        doc = json.loads(raw)
    except ValueError:
        doc = raw
    return status, doc


def ingest_ok(server, detector_id, source, body, **kwargs):
    status, doc = ingest(server, detector_id, source, body, **kwargs)
    assert status == 200, (status, doc)
    assert isinstance(doc, dict), doc
    for key in ("records", "rejected", "findingsCreated", "findingsUpdated"):
        assert isinstance(doc.get(key), int), doc
    assert isinstance(doc.get("rejectedRecords"), list), doc
    return doc


def all_findings(client, detector_id, criteria=None):
    ids, token = [], None
    while True:
        kwargs = {"DetectorId": detector_id, "MaxResults": 50}
        if criteria:
            kwargs["FindingCriteria"] = criteria
        if token:
            kwargs["NextToken"] = token
        resp = client.list_findings(**kwargs)
        ids += resp["FindingIds"]
        token = resp.get("NextToken")
        if not token:
            break
    found = []
    for i in range(0, len(ids), 50):
        found += client.get_findings(DetectorId=detector_id, FindingIds=ids[i:i + 50])["Findings"]
    assert len(found) == len(ids), (ids, found)
    return found


def remote_ip(finding):
    action = finding["Service"].get("Action", {})
    for member in ("NetworkConnectionAction", "AwsApiCallAction"):
        if member in action:
            return action[member].get("RemoteIpDetails", {}).get("IpAddressV4")
    return None


def summary(finding):
    return (finding["Type"], finding["Service"].get("ResourceRole"), remote_ip(finding))


def types_of(findings):
    return sorted(f["Type"] for f in findings)


def only(findings, type_name):
    """The one finding of `type_name` (there must be exactly one)."""
    matching = [f for f in findings if f["Type"] == type_name]
    assert len(matching) == 1, f"expected one {type_name}; got {[summary(f) for f in findings]}"
    return matching[0]


def threat_list_name(finding):
    info = finding["Service"].get("AdditionalInfo") or {}
    value = info.get("Value")
    assert isinstance(value, str), f"AdditionalInfo has no JSON Value: {finding['Service']}"
    return json.loads(value).get("threatListName")


def assert_severity(finding, band):
    low, high = band
    assert low <= finding["Severity"] < high, (finding["Type"], finding["Severity"], band)


def seen(finding):
    service = finding["Service"]
    return (parse_iso_ms(service["EventFirstSeen"]).timestamp(),
            parse_iso_ms(service["EventLastSeen"]).timestamp())


# Vigil reports a list ACTIVE a moment before detection uses it (that is what
# test_a_list_is_used_as_soon_as_it_is_active checks); the other tests wait this long after
# ACTIVE so that each tests what it is about.
SETTLE_AFTER_ACTIVE = 0.2


def make_set(kind, client, detector_id, list_file, content, name, *, activate=True):
    """Create an IPSet / ThreatIntelSet from a TXT file; wait until it is ACTIVE."""
    location = list_file(content, name=f"{name}.txt")
    set_id = kind.create(client, detector_id, name=name, location=location, activate=activate)
    if activate:
        wait_for_status(kind, client, detector_id, set_id, expected="ACTIVE")
        time.sleep(SETTLE_AFTER_ACTIVE)
    return set_id


@pytest.fixture
def threat_list(gd, detector_id, list_file):
    """threat_list(content, name="known-bad") -> set id (ACTIVE) on the test's detector."""
    def create(content, name="known-bad"):
        return make_set(THREAT_INTEL_SET, gd, detector_id, list_file, content, name)
    return create


# --------------------------------------------------------------------------------------------
# The ingest endpoint
# --------------------------------------------------------------------------------------------


def test_ingest_answers_counts_and_benign_flow_logs_make_no_finding(vigil, gd, detector_id):
    lines = benign_flows()
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(lines))
    assert doc == {"records": len(lines), "rejected": 0, "findingsCreated": 0,
                   "findingsUpdated": 0, "rejectedRecords": []}
    assert all_findings(gd, detector_id) == []


def test_ingest_unknown_detector_is_not_owned(vigil, gd, detector_id):
    status, doc = ingest(vigil, UNKNOWN_ID, "flowlogs", text(benign_flows()))
    assert status == 400, doc
    assert doc["message"] == NOT_OWNED, doc


def test_ingest_into_another_accounts_detector_is_not_owned(vigil, gd, gd_b):
    foreign = gd_b.create_detector(Enable=True)["DetectorId"]
    status, doc = ingest(vigil, foreign, "flowlogs", text(brute_force(ATTACKER, T0)),
                         account=ACCOUNT_A)
    assert status == 400, doc
    assert doc["message"] == NOT_OWNED, doc
    assert all_findings(gd_b, foreign) == []


def test_ingest_reaches_a_detector_only_in_its_region(vigil, gd, gd_eu):
    eu_detector = gd_eu.create_detector(Enable=True)["DetectorId"]
    status, doc = ingest(vigil, eu_detector, "flowlogs", text(brute_force(ATTACKER, T0)))
    assert status == 400, doc
    assert doc["message"] == NOT_OWNED, doc
    doc = ingest_ok(vigil, eu_detector, "flowlogs", text(brute_force(ATTACKER, T0)),
                    region=OTHER_REGION)
    assert doc["findingsCreated"] == 1, doc
    findings = all_findings(gd_eu, eu_detector)
    assert types_of(findings) == [SSH_BRUTE]
    assert findings[0]["Region"] == OTHER_REGION


@pytest.mark.parametrize("source", ["vpcflowlogs", "FlowLogs", "s3"])
def test_ingest_unknown_source_names_the_source(vigil, detector_id, source):
    status, doc = ingest(vigil, detector_id, source, text(benign_flows()))
    assert status == 400, doc
    assert "source" in doc["message"], doc


def test_ingest_into_a_disabled_detector_is_rejected(vigil, gd, detector_id):
    gd.update_detector(DetectorId=detector_id, Enable=False)
    status, doc = ingest(vigil, detector_id, "flowlogs", text(brute_force(ATTACKER, T0)))
    assert status == 400, doc
    assert "disabled" in doc["message"].lower(), doc
    assert all_findings(gd, detector_id) == []
    gd.update_detector(DetectorId=detector_id, Enable=True)
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(brute_force(ATTACKER, T0)))
    assert doc["findingsCreated"] == 1, doc


@pytest.mark.parametrize("extra_args", [
    ["--max-ingest-bytes", "1000"],
    ["--max-ingest-bytes", "1000", "--max-body-bytes", "500"],
], ids=["ingest-limit", "ingest-limit-above-api-limit"])
def test_ingest_body_over_the_limit_is_413(extra_args):
    server = VigilServer(in_memory=True, extra_args=extra_args).start()
    try:
        client = server.client()
        detector_id = client.create_detector(Enable=True)["DetectorId"]
        small = text(brute_force(ATTACKER, T0, attempts=8))
        assert len(small) < 1000
        doc = ingest_ok(server, detector_id, "flowlogs", small)
        assert doc["records"] == 8, doc
        big = text(brute_force(ATTACKER, T0 + 100, attempts=25))
        assert len(big) > 1000
        status, doc = ingest(server, detector_id, "flowlogs", big)
        assert status == 413, (status, doc)
        # Nothing of the refused body was evaluated: 8 + 25 attempts would be a brute force.
        assert all_findings(client, detector_id) == []
    finally:
        assert server.stop() == 0, server.stderr()


# --------------------------------------------------------------------------------------------
# Ingest bodies are parsed as they stream in
# --------------------------------------------------------------------------------------------

FLOW_HEADER = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol "
               "packets bytes start end action log-status")


def streamed_flow_body():
    """About 6 MB of flow logs (more than one 4 MiB piece of the server): a header line, benign
    traffic, brute forces spread through it, the header repeated mid-file, and 150 malformed
    lines (more than the 100 reported). Returns (text, line numbers of the malformed lines)."""
    lines = [FLOW_HEADER]
    malformed = []
    for i in range(2000):
        lines += benign_flows(T0 + 600 * i)
        if i % 250 == 0:
            lines += brute_force(ATTACKER if i % 500 else ATTACKER_2, T0 + 600 * i)
        if i == 1000:
            lines.append(FLOW_HEADER)
        if i % 13 == 0 and len(malformed) < 150:
            lines.append(f"not a flow record {i}")
            malformed.append(len(lines))
    return text(lines), malformed


def raw_post(server, path, head_extra=b"", pieces=(), account=ACCOUNT_A, length=None,
             chunked=False):
    """POST over a plain socket, writing `pieces` one send each; returns (status, doc)."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=60)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        framing = (b"Transfer-Encoding: chunked\r\n" if chunked else
                   f"Content-Length: {length}\r\n".encode())
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     f"Authorization: {auth_header(account)}\r\n".encode() + framing +
                     head_extra + b"\r\n")
        for piece in pieces:
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        if chunked:
            sock.sendall(b"0\r\n\r\n")
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, json.loads(response.read())
    finally:
        sock.close()


def finding_summaries(client, detector_id):
    return sorted((f["Type"], f["Service"]["Count"], f["Service"]["EventFirstSeen"],
                   f["Service"]["EventLastSeen"], remote_ip(f))
                  for f in all_findings(client, detector_id))


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_a_body_in_chunks_or_many_writes_is_answered_as_in_one_piece(vigil, compress):
    body, malformed = streamed_flow_body()
    payload = gzip.compress(body.encode(), compresslevel=1) if compress else body.encode()
    rng = random.Random(7)
    pieces = []
    at = 0
    while at < len(payload):
        size = rng.randrange(1, 40_000)
        pieces.append(payload[at:at + size])
        at += size
    answers, findings = [], []
    for how, account in (("one piece", ACCOUNT_A), ("chunked", ACCOUNT_B),
                         ("many writes", "333333333333")):
        client = vigil.client(account)
        detector_id = client.create_detector(Enable=True)["DetectorId"]
        path = f"/_vigil/ingest/{detector_id}/flowlogs"
        if how == "one piece":
            status, doc = ingest(vigil, detector_id, "flowlogs", payload, account=account)
        elif how == "chunked":
            conn = http.client.HTTPConnection("127.0.0.1", vigil.port, timeout=60)
            try:
                conn.request("POST", path, body=iter(pieces), encode_chunked=True,
                             headers={"Authorization": auth_header(account),
                                      "Transfer-Encoding": "chunked"})
                response = conn.getresponse()
                status, doc = response.status, json.loads(response.read())
            finally:
                conn.close()
        else:
            status, doc = raw_post(vigil, path, pieces=pieces, account=account,
                                   length=len(payload))
        assert status == 200, (how, doc)
        answers.append(doc)
        findings.append(finding_summaries(client, detector_id))
    assert answers[0]["records"] > 60_000, answers[0]
    assert answers[0]["rejected"] == len(malformed), answers[0]["rejected"]
    # Positions are line numbers of the whole body, however it was cut.
    assert [r["position"] for r in answers[0]["rejectedRecords"]] == malformed[:100]
    assert {f[0] for f in findings[0]} == {SSH_BRUTE}, findings[0]
    assert answers[1] == answers[0]
    assert answers[2] == answers[0]
    assert findings[1] == findings[0]
    assert findings[2] == findings[0]


def test_a_streamed_body_over_the_limit_is_413():
    server = VigilServer(in_memory=True, extra_args=["--max-ingest-bytes", "100000"]).start()
    try:
        client = server.client()
        detector_id = client.create_detector(Enable=True)["DetectorId"]
        path = f"/_vigil/ingest/{detector_id}/flowlogs"
        attack = text(brute_force(ATTACKER, T0)).encode()
        pieces = [attack] * (200_000 // len(attack))
        status, doc = raw_post(server, path, pieces=pieces, chunked=True)
        assert status == 413, doc
        assert doc["__type"] == "PayloadTooLargeException", doc
        assert "100000" in doc["message"], doc
        assert all_findings(client, detector_id) == []
        # Inflated past ten times the limit: refused as before, whatever the pieces.
        bomb = gzip.compress(attack + b"\n" * 1_100_000)
        assert len(bomb) < 100_000
        status, doc = raw_post(server, path, pieces=[bomb[:10], bomb[10:]], length=len(bomb))
        assert status == 400, doc
        assert doc["message"] == "The decompressed content is over the limit of 1000000 bytes."
        assert all_findings(client, detector_id) == []
        assert ingest_ok(server, detector_id, "flowlogs", attack)["findingsCreated"] == 1
    finally:
        assert server.stop() == 0, server.stderr()


def read_some_response(sock, timeout=10):
    """Bytes of a response read until the headers and Content-Length body are in."""
    sock.settimeout(timeout)
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
        head, sep, rest = data.partition(b"\r\n\r\n")
        if sep and head.startswith(b"HTTP/1.1 100 "):
            data = rest
            continue
        if sep:
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            if len(rest) >= length:
                return data


@pytest.mark.parametrize("expect", [False, True], ids=["body-sent", "expect-100-continue"])
def test_a_disabled_detector_is_refused_before_the_body_is_read(vigil, gd, detector_id, expect):
    gd.update_detector(DetectorId=detector_id, Enable=False)
    sock = socket.create_connection(("127.0.0.1", vigil.port), timeout=10)
    try:
        # 100 MB announced; only a little sent (or nothing, when the client waits for 100).
        sock.sendall(f"POST /_vigil/ingest/{detector_id}/flowlogs HTTP/1.1\r\n"
                     f"Host: 127.0.0.1\r\nAuthorization: {auth_header(ACCOUNT_A)}\r\n"
                     f"Content-Length: 100000000\r\n".encode() +
                     (b"Expect: 100-continue\r\n" if expect else b"") + b"\r\n")
        if not expect:
            sock.sendall(text(brute_force(ATTACKER, T0)).encode() * 20)
        started = time.monotonic()
        data = read_some_response(sock)
        assert time.monotonic() - started < 5
    finally:
        sock.close()
    assert data.startswith(b"HTTP/1.1 400 "), data[:300]
    doc = json.loads(data.partition(b"\r\n\r\n")[2])
    assert "disabled" in doc["message"], doc
    assert all_findings(gd, detector_id) == []
    assert vigil.request("GET", "/_vigil/health")[0] == 200


def test_an_accepted_upload_is_told_to_continue(vigil, detector_id):
    sock = socket.create_connection(("127.0.0.1", vigil.port), timeout=10)
    try:
        body = text(brute_force(ATTACKER, T0)).encode()
        sock.sendall(f"POST /_vigil/ingest/{detector_id}/flowlogs HTTP/1.1\r\n"
                     f"Host: 127.0.0.1\r\nAuthorization: {auth_header(ACCOUNT_A)}\r\n"
                     f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n".encode())
        sock.settimeout(5)
        assert sock.recv(4096) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        data = read_some_response(sock)
    finally:
        sock.close()
    assert data.startswith(b"HTTP/1.1 200 "), data[:300]
    assert json.loads(data.partition(b"\r\n\r\n")[2])["findingsCreated"] == 1


# --------------------------------------------------------------------------------------------
# Flow log parsing
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_nodata_and_skipdata_lines_are_skipped_not_rejected(vigil, gd, detector_id, newline):
    lines = benign_flows()
    lines.insert(3, f"2 {ACCOUNT} {ENI} - - - - - - - {T0} {T0 + 60} - NODATA")
    lines.insert(8, f"2 {ACCOUNT} {ENI_2} - - - - - - - {T0} {T0 + 60} - SKIPDATA")
    # An IPv6 record (section 1a's sample) is a record, not a reject.
    lines.append(f"2 {ACCOUNT} {ENI} 2001:db8:1234:a100:8d6e:3477:df66:f105 "
                 f"2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 {T0} {T0 + 60} "
                 "ACCEPT OK")
    doc = ingest_ok(vigil, detector_id, "flowlogs", newline.join(lines) + newline)
    assert doc["rejected"] == 0 and doc["rejectedRecords"] == [], doc
    assert doc["records"] == len(lines) - 2, doc
    assert doc["findingsCreated"] == 0, doc


def test_malformed_lines_are_rejected_by_line_number_and_the_rest_processed(vigil, gd,
                                                                           detector_id):
    lines = brute_force(ATTACKER, T0, attempts=25)
    lines.insert(2, f"2 {ACCOUNT} {ENI} {ATTACKER} {LOCAL_IP} 40100 22 6 8")  # line 3: short
    lines.insert(6, f"2 {ACCOUNT} {ENI} {ATTACKER} {LOCAL_IP} ssh 22 6 8 672 {T0} {T0 + 5} "
                    "ACCEPT OK")  # line 7: port not a number
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(lines))
    assert doc["records"] == 25, doc
    assert doc["rejected"] == 2, doc
    assert [r["position"] for r in doc["rejectedRecords"]] == [3, 7], doc
    assert all(isinstance(r["reason"], str) and r["reason"] for r in doc["rejectedRecords"]), doc
    assert doc["findingsCreated"] == 1, doc
    assert types_of(all_findings(gd, detector_id)) == [SSH_BRUTE]


def test_custom_format_header_fills_the_instance_resource(vigil, gd, detector_id):
    lines = [CUSTOM_FIELDS]
    lines += [custom_flow(ATTACKER, LOCAL_IP, 41000 + i, 22, T0 + 5 * i, packets=6)
              for i in range(25)]
    lines += [custom_flow(LOCAL_IP, server, 50000 + i, 443, T0 + i, packets=30)
              for i, server in enumerate(HTTPS_SERVERS)]
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(lines))
    assert doc["records"] == 29 and doc["rejected"] == 0, doc
    finding = only(all_findings(gd, detector_id), SSH_BRUTE)
    resource = finding["Resource"]
    assert resource["ResourceType"] == "Instance", resource
    assert resource["InstanceDetails"]["InstanceId"] == INSTANCE, resource
    nic = resource["InstanceDetails"]["NetworkInterfaces"][0]
    assert nic["NetworkInterfaceId"] == ENI, nic
    assert nic["PrivateIpAddress"] == LOCAL_IP, nic
    assert nic["VpcId"] == VPC, nic
    assert nic["SubnetId"] == SUBNET, nic


# --------------------------------------------------------------------------------------------
# Threat lists and flow logs: UnauthorizedAccess:EC2/MaliciousIPCaller.Custom
# --------------------------------------------------------------------------------------------


def test_inbound_traffic_from_a_listed_ip_targets_the_instance(vigil, gd, detector_id,
                                                              threat_list):
    threat_list(f"{THREAT_IP}\n{THREAT_CIDR}\n", name="partner-feed")
    attack = [flow(THREAT_IP, LOCAL_IP, 33000 + i, 443, T0 + 100 + 60 * i, packets=4)
              for i in range(3)]
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(), attack)))
    assert doc["findingsCreated"] == 1, doc
    findings = all_findings(gd, detector_id)
    assert [summary(f) for f in findings] == [(EC2_CUSTOM, "TARGET", THREAT_IP)]
    finding = findings[0]
    assert_severity(finding, MEDIUM)
    assert finding["Resource"]["ResourceType"] == "Instance"
    nic = finding["Resource"]["InstanceDetails"]["NetworkInterfaces"][0]
    assert (nic["NetworkInterfaceId"], nic["PrivateIpAddress"]) == (ENI, LOCAL_IP), nic
    action = finding["Service"]["Action"]
    assert action["ActionType"] == "NETWORK_CONNECTION", action
    conn = action["NetworkConnectionAction"]
    assert conn["ConnectionDirection"] == "INBOUND", conn
    assert conn["LocalPortDetails"]["Port"] == 443, conn
    assert conn["RemotePortDetails"]["Port"] in (33000, 33001, 33002), conn
    assert conn["Protocol"] == "TCP", conn
    assert conn["Blocked"] is False, conn
    assert threat_list_name(finding) == "partner-feed"
    evidence = finding["Service"]["Evidence"]["ThreatIntelligenceDetails"]
    assert evidence[0]["ThreatListName"] == "partner-feed", evidence
    assert finding["Service"]["Count"] == 3
    assert seen(finding) == (T0 + 100, T0 + 220 + 5)  # log times, not ingest time
    by_list = all_findings(gd, detector_id, {"Criterion": {
        "service.additionalInfo.threatListName": {"Eq": ["partner-feed"]}}})
    assert [f["Id"] for f in by_list] == [finding["Id"]]


def test_outbound_traffic_to_a_listed_cidr_makes_the_instance_the_actor(vigil, gd,
                                                                        detector_id,
                                                                        threat_list):
    threat_list(f"{THREAT_CIDR}\n", name="c2-ranges")
    attack = [flow(LOCAL_IP, THREAT_IN_CIDR, 52000, 4444, T0 + 30, packets=3, action="REJECT")]
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(), attack)))
    assert doc["findingsCreated"] == 1, doc
    finding = only(all_findings(gd, detector_id), EC2_CUSTOM)
    assert summary(finding) == (EC2_CUSTOM, "ACTOR", THREAT_IN_CIDR)
    conn = finding["Service"]["Action"]["NetworkConnectionAction"]
    assert conn["ConnectionDirection"] == "OUTBOUND", conn
    assert conn["RemotePortDetails"]["Port"] == 4444, conn
    assert conn["LocalPortDetails"]["Port"] == 52000, conn
    assert conn["Blocked"] is True, conn
    assert threat_list_name(finding) == "c2-ranges"
    assert finding["Service"]["Count"] == 1


def test_the_packet_source_address_names_the_remote_side(vigil, gd, detector_id, threat_list):
    """Behind a transit gateway the record's srcaddr is the gateway's private address;
    pkt-srcaddr is the real sender (section 1a: prefer pkt-*addr when present)."""
    threat_list(f"{THREAT_IP}\n", name="feed")
    gateway = "10.0.200.9"
    lines = [CUSTOM_FIELDS]
    lines += [custom_flow(LOCAL_IP, server, 50000 + i, 443, T0 + i, packets=30)
              for i, server in enumerate(HTTPS_SERVERS)]
    lines.append(custom_flow(gateway, LOCAL_IP, 33000, 443, T0 + 20, pkt_src=THREAT_IP))
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(lines))
    assert doc["rejected"] == 0, doc
    findings = all_findings(gd, detector_id)
    assert [summary(f) for f in findings] == [(EC2_CUSTOM, "TARGET", THREAT_IP)]
    assert findings[0]["Resource"]["InstanceDetails"]["InstanceId"] == INSTANCE


def test_traffic_both_ways_with_a_listed_ip_has_a_finding_per_role(vigil, gd, detector_id,
                                                                   threat_list):
    """The listed host connects in to the instance, and separately the instance connects
    out to it: it is TARGET of the first and ACTOR of the second."""
    threat_list(f"{THREAT_IP}\n")
    attack = [flow(THREAT_IP, LOCAL_IP, 33000, 8080, T0 + 10, packets=3, action="REJECT"),
              flow(LOCAL_IP, THREAT_IP, 52000, 4444, T0 + 400, packets=6)]
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(), attack)))
    assert doc["findingsCreated"] == 2, doc
    findings = all_findings(gd, detector_id)
    assert sorted(summary(f) for f in findings) == [(EC2_CUSTOM, "ACTOR", THREAT_IP),
                                                    (EC2_CUSTOM, "TARGET", THREAT_IP)]
    directions = {f["Service"]["ResourceRole"]:
                  f["Service"]["Action"]["NetworkConnectionAction"]["ConnectionDirection"]
                  for f in findings}
    assert directions == {"TARGET": "INBOUND", "ACTOR": "OUTBOUND"}


def test_each_listed_remote_gets_its_own_finding(vigil, gd, detector_id, threat_list):
    threat_list(f"{THREAT_IP}\n{THREAT_IP_2}\n")
    attack = [flow(THREAT_IP, LOCAL_IP, 33000 + i, 443, T0 + 10 * i) for i in range(4)]
    attack += [flow(THREAT_IP_2, LOCAL_IP, 34000 + i, 443, T0 + 10 * i) for i in range(2)]
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(), attack)))
    assert doc["findingsCreated"] == 2 and doc["findingsUpdated"] == 0, doc
    findings = all_findings(gd, detector_id)
    counts = {remote_ip(f): f["Service"]["Count"] for f in findings}
    assert counts == {THREAT_IP: 4, THREAT_IP_2: 2}, [summary(f) for f in findings]


def test_an_address_on_the_trusted_ipset_wins_over_the_threat_list(vigil, gd, detector_id,
                                                                  threat_list, list_file):
    threat_list(f"{THREAT_IP}\n{THREAT_IP_2}\n")
    make_set(IPSET, gd, detector_id, list_file, f"{THREAT_IP}\n", "trusted-partners")
    attack = [flow(THREAT_IP, LOCAL_IP, 33000 + i, 443, T0 + 10 * i) for i in range(3)]
    attack += [flow(THREAT_IP_2, LOCAL_IP, 34000, 443, T0 + 50)]
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(), attack)))
    assert [summary(f) for f in all_findings(gd, detector_id)] == [
        (EC2_CUSTOM, "TARGET", THREAT_IP_2)], doc


def test_a_threat_list_that_is_not_active_matches_nothing(vigil, gd, detector_id, list_file):
    make_set(THREAT_INTEL_SET, gd, detector_id, list_file, f"{THREAT_IP}\n", "dormant",
             activate=False)
    attack = [flow(THREAT_IP, LOCAL_IP, 33000, 443, T0)]
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(benign_flows() + attack))
    assert doc["findingsCreated"] == 0, doc
    assert all_findings(gd, detector_id) == []


def big_ip_list(count, *extra):
    """`count` random public addresses (plus `extra`), one a line: a realistic feed size
    (GuardDuty allows 250,000 entries a threat list)."""
    rng = random.Random(99)
    lines = {f"{rng.randrange(1, 100)}.{rng.randrange(256)}.{rng.randrange(256)}."
             f"{rng.randrange(1, 255)}" for _ in range(count)}
    return "\n".join(sorted(lines) + list(extra)) + "\n"


@pytest.mark.parametrize("kind", [THREAT_INTEL_SET, IPSET], ids=["threat", "trusted"])
def test_a_list_is_used_as_soon_as_it_is_active(vigil, gd, list_file, kind):
    """GuardDuty uses a list while it is ACTIVE: an ingest right after GetThreatIntelSet /
    GetIPSet first answers ACTIVE must already match (or trust) the list's addresses. A
    50,000-entry feed makes the detector's lists take a moment to compile."""
    feed = big_ip_list(50000, THREAT_IP)
    misses = []
    for attempt in range(4):
        detector_id = gd.create_detector(Enable=True)["DetectorId"]
        if kind is IPSET:  # the feed first, settled; then the trusted list
            make_set(THREAT_INTEL_SET, gd, detector_id, list_file, feed, f"feed-{attempt}")
        content = feed if kind is THREAT_INTEL_SET else f"{THREAT_IP}\n"
        location = list_file(content, name=f"list-{attempt}.txt")
        set_id = kind.create(gd, detector_id, name=f"list-{attempt}", location=location)
        deadline = time.monotonic() + 10
        while (status := kind.get(gd, detector_id, set_id)["Status"]) == "ACTIVATING":
            assert time.monotonic() < deadline, "still ACTIVATING after 10 s"
        assert status == "ACTIVE", status
        doc = ingest_ok(vigil, detector_id, "flowlogs",
                        text([flow(THREAT_IP, LOCAL_IP, 33000, 443, T0)]))
        expected = 1 if kind is THREAT_INTEL_SET else 0
        if doc["findingsCreated"] != expected:
            # Does the list work a moment later? (It must, or this test is broken.)
            time.sleep(SETTLE_AFTER_ACTIVE)
            later = ingest_ok(vigil, detector_id, "flowlogs",
                              text([flow(THREAT_IP, LOCAL_IP, 33001, 443, T0 + 1)]))
            misses.append((attempt, "later: findingsCreated=%d findingsUpdated=%d"
                           % (later["findingsCreated"], later["findingsUpdated"])))
        gd.delete_detector(DetectorId=detector_id)
    assert misses == [], f"ingests right after ACTIVE that ignored the {kind.noun}: {misses}"


def test_benign_flow_logs_with_an_active_threat_list_make_no_finding(vigil, gd, detector_id,
                                                                     threat_list):
    threat_list(f"{THREAT_IP}\n{THREAT_CIDR}\n")
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(benign_flows()))
    assert doc["findingsCreated"] == 0, doc
    assert all_findings(gd, detector_id) == []


# --------------------------------------------------------------------------------------------
# Brute force
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("port, type_name", [(22, SSH_BRUTE), (3389, RDP_BRUTE),
                                             (5985, WINRM_BRUTE)])
def test_inbound_brute_force_targets_the_instance(vigil, gd, detector_id, port, type_name):
    attack = brute_force(ATTACKER, T0 + 30, attempts=30, port=port)
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(), attack)))
    assert doc["findingsCreated"] == 1, doc  # one finding, not one per record
    findings = all_findings(gd, detector_id)
    assert [summary(f) for f in findings] == [(type_name, "TARGET", ATTACKER)]
    finding = findings[0]
    assert finding["Severity"] == 2
    nic = finding["Resource"]["InstanceDetails"]["NetworkInterfaces"][0]
    assert (nic["NetworkInterfaceId"], nic["PrivateIpAddress"]) == (ENI, LOCAL_IP), nic
    conn = finding["Service"]["Action"]["NetworkConnectionAction"]
    assert conn["ConnectionDirection"] == "INBOUND", conn
    assert conn["LocalPortDetails"]["Port"] == port, conn
    assert conn["Protocol"] == "TCP", conn
    assert finding["Service"]["Count"] >= 1
    first, last = seen(finding)
    assert T0 + 30 <= first <= last == T0 + 30 + 29 * 10 + 5, finding["Service"]


def test_outbound_ssh_brute_force_makes_the_instance_the_actor(vigil, gd, detector_id):
    attack = brute_force(ATTACKER_2, T0, attempts=25, inbound=False)
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(), attack)))
    assert doc["findingsCreated"] == 1, doc
    finding = only(all_findings(gd, detector_id), SSH_BRUTE)
    assert summary(finding) == (SSH_BRUTE, "ACTOR", ATTACKER_2)
    assert finding["Severity"] == 8
    conn = finding["Service"]["Action"]["NetworkConnectionAction"]
    assert conn["ConnectionDirection"] == "OUTBOUND", conn
    assert conn["RemotePortDetails"]["Port"] == 22, conn
    assert len(all_findings(gd, detector_id)) == 1


def test_brute_force_recorded_in_both_directions_is_only_a_brute_force(vigil, gd, detector_id):
    """Flow logs record each direction: the instance's answers go from port 22 to the
    attacker's many client ports. Those replies are not the instance port-scanning."""
    attack = brute_force(ATTACKER, T0, attempts=70, spacing=3, replies=True)
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(), attack)))
    findings = all_findings(gd, detector_id)
    assert [summary(f) for f in findings] == [(SSH_BRUTE, "TARGET", ATTACKER)], doc


@pytest.mark.parametrize("scenario", ["five-logins", "nineteen-attempts", "slow-attempts",
                                      "long-sessions", "udp", "same-client-port"])
def test_ssh_traffic_short_of_a_brute_force_makes_no_finding(vigil, gd, detector_id,
                                                              scenario):
    if scenario == "five-logins":
        attack = brute_force(ATTACKER, T0, attempts=5)
    elif scenario == "nineteen-attempts":
        attack = brute_force(ATTACKER, T0, attempts=19)
    elif scenario == "slow-attempts":  # 25 attempts, but never 20 within 10 minutes
        attack = brute_force(ATTACKER, T0, attempts=25, spacing=40)
    elif scenario == "long-sessions":  # over 30 packets each: working sessions
        attack = brute_force(ATTACKER, T0, attempts=25, packets=31)
    elif scenario == "udp":
        attack = [flow(ATTACKER, LOCAL_IP, 40000 + i, 22, T0 + 10 * i, proto=17, packets=2)
                  for i in range(25)]
    else:  # one connection's records over its life: a single client port
        attack = [flow(ATTACKER, LOCAL_IP, 40000, 22, T0 + 20 * i, packets=6)
                  for i in range(25)]
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(), attack)))
    assert doc["findingsCreated"] == 0, doc
    assert all_findings(gd, detector_id) == []


def test_brute_force_threshold_is_reached_across_batches(vigil, gd, detector_id):
    attack = brute_force(ATTACKER, T0, attempts=20)
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(attack[:19]))
    assert doc["findingsCreated"] == 0, doc
    assert all_findings(gd, detector_id) == []
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(attack[19:]))
    assert doc["findingsCreated"] == 1, doc
    assert [summary(f) for f in all_findings(gd, detector_id)] == [
        (SSH_BRUTE, "TARGET", ATTACKER)]


def test_a_continuing_brute_force_updates_the_same_finding(vigil, gd, detector_id):
    doc = ingest_ok(vigil, detector_id, "flowlogs",
                    text(interleave(benign_flows(), brute_force(ATTACKER, T0, attempts=25))))
    assert (doc["findingsCreated"], doc["findingsUpdated"]) == (1, 0), doc
    before = only(all_findings(gd, detector_id), SSH_BRUTE)
    more = brute_force(ATTACKER, T0 + 300, attempts=25, first_port=45000)
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(more))
    assert (doc["findingsCreated"], doc["findingsUpdated"]) == (0, 1), doc
    after = only(all_findings(gd, detector_id), SSH_BRUTE)
    assert after["Id"] == before["Id"]
    assert after["CreatedAt"] == before["CreatedAt"]
    assert after["Service"]["Count"] > before["Service"]["Count"]
    assert after["Service"]["EventFirstSeen"] == before["Service"]["EventFirstSeen"]
    assert seen(after)[1] == T0 + 300 + 24 * 10 + 5


def test_brute_force_against_two_instances_makes_two_findings(vigil, gd, detector_id):
    attack = brute_force(ATTACKER, T0, attempts=25)
    attack += brute_force(ATTACKER, T0, attempts=25, eni=ENI_2, local=LOCAL_IP_2)
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(), attack)))
    assert doc["findingsCreated"] == 2, doc
    findings = all_findings(gd, detector_id)
    assert types_of(findings) == [SSH_BRUTE, SSH_BRUTE]
    enis = {f["Resource"]["InstanceDetails"]["NetworkInterfaces"][0]["NetworkInterfaceId"]
            for f in findings}
    assert enis == {ENI, ENI_2}


@pytest.mark.parametrize("batches", [1, 2], ids=["one-batch", "two-batches"])
def test_an_instance_both_attacked_and_attacking_has_a_finding_for_each_role(vigil, gd,
                                                                              detector_id,
                                                                              batches):
    """Brute-forced from outside and brute-forcing others: a TARGET finding (Low) and an
    ACTOR finding (High) for the same instance; neither absorbs the other."""
    inbound = brute_force(ATTACKER, T0, attempts=25)
    outbound = brute_force(ATTACKER_2, T0 + 30, attempts=25, inbound=False, first_port=47000)
    if batches == 1:
        docs = [ingest_ok(vigil, detector_id, "flowlogs",
                          text(interleave(benign_flows(), inbound, outbound)))]
    else:
        docs = [ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(),
                                                                          inbound))),
                ingest_ok(vigil, detector_id, "flowlogs", text(outbound))]
    assert sum(d["findingsCreated"] for d in docs) == 2, docs
    findings = all_findings(gd, detector_id)
    assert sorted(summary(f) for f in findings) == [(SSH_BRUTE, "ACTOR", ATTACKER_2),
                                                    (SSH_BRUTE, "TARGET", ATTACKER)]
    severity = {f["Service"]["ResourceRole"]: f["Severity"] for f in findings}
    assert severity == {"TARGET": 2, "ACTOR": 8}


def test_a_brute_force_file_delivered_late_still_counts(vigil, gd, detector_id):
    """Flow log files arrive minutes late and out of order: the file with the first 10
    attempts comes after the file with the next 15. Together they are 25 attempts within
    10 minutes."""
    attack = brute_force(ATTACKER, T0, attempts=25)
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(T0 + 100),
                                                                    attack[10:])))
    assert doc["findingsCreated"] == 0, doc
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(attack[:10]))
    assert doc["findingsCreated"] == 1, doc
    assert [summary(f) for f in all_findings(gd, detector_id)] == [
        (SSH_BRUTE, "TARGET", ATTACKER)]


# --------------------------------------------------------------------------------------------
# Port scan
# --------------------------------------------------------------------------------------------


def test_outbound_port_scan_makes_the_instance_the_actor(vigil, gd, detector_id):
    doc = ingest_ok(vigil, detector_id, "flowlogs",
                    text(interleave(benign_flows(), port_scan(SCAN_TARGET, T0 + 10, ports=80))))
    assert doc["findingsCreated"] == 1, doc
    findings = all_findings(gd, detector_id)
    assert [summary(f) for f in findings] == [(PORTSCAN, "ACTOR", SCAN_TARGET)]
    finding = findings[0]
    assert_severity(finding, MEDIUM)
    nic = finding["Resource"]["InstanceDetails"]["NetworkInterfaces"][0]
    assert (nic["NetworkInterfaceId"], nic["PrivateIpAddress"]) == (ENI, LOCAL_IP), nic
    conn = finding["Service"]["Action"]["NetworkConnectionAction"]
    assert conn["ConnectionDirection"] == "OUTBOUND", conn
    first, last = seen(finding)
    assert T0 + 10 <= first <= last == T0 + 10 + 79 + 1


@pytest.mark.parametrize("scenario", ["49-ports", "slow-scan", "two-targets"])
def test_probing_short_of_a_port_scan_makes_no_finding(vigil, gd, detector_id, scenario):
    if scenario == "49-ports":
        attack = port_scan(SCAN_TARGET, T0, ports=49)
    elif scenario == "slow-scan":  # 60 ports over 10 minutes: never 50 within 5
        attack = port_scan(SCAN_TARGET, T0, ports=60, spacing=10)
    else:  # 30 ports on each of two hosts
        attack = port_scan(SCAN_TARGET, T0, ports=30) + port_scan(ATTACKER, T0, ports=30,
                                                                  first_port=9000)
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(), attack)))
    assert doc["findingsCreated"] == 0, doc
    assert all_findings(gd, detector_id) == []


def test_a_web_server_answering_one_busy_client_is_not_port_scanning(vigil, gd, detector_id):
    """Sixty HTTPS connections from one client (say, an office behind NAT): the server's
    replies go from port 443 to sixty client ports, which is not the instance scanning."""
    office_nat = "82.165.177.154"
    lines = []
    for i in range(60):
        lines += session(LOCAL_IP, office_nat, 443, 50000 + i, T0 + 2 * i, inbound=True,
                         packets=14)
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(), lines)))
    assert [summary(f) for f in all_findings(gd, detector_id)] == [], doc


# --------------------------------------------------------------------------------------------
# CloudTrail
# --------------------------------------------------------------------------------------------

ATTACK_EVENTS = {
    ROOT: (ct_event("DescribeRegions", "ec2.amazonaws.com", identity=root_user(),
                    read_only=True), LOW),
    KALI: (ct_event("ListUsers", "iam.amazonaws.com", agent=KALI_AGENT, read_only=True), MEDIUM),
    TRAIL_OFF + "/StopLogging": (ct_event("StopLogging", "cloudtrail.amazonaws.com",
                                          request={"name": "management-events"}), LOW),
    TRAIL_OFF + "/DeleteTrail": (ct_event("DeleteTrail", "cloudtrail.amazonaws.com",
                                          request={"name": "management-events"}), LOW),
    PASSWORD_POLICY: (ct_event("DeleteAccountPasswordPolicy", "iam.amazonaws.com"), None),
    PUBLIC_SSH: (ct_event("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com",
                          request=sg_ingress([(22, 22, "0.0.0.0/0")])), MEDIUM),
    PUBLIC_SSH + "/range": (ct_event("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com",
                                     request=sg_ingress([(0, 1024, "0.0.0.0/0")])), MEDIUM),
    PUBLIC_SSH + "/second-rule": (ct_event(
        "AuthorizeSecurityGroupIngress", "ec2.amazonaws.com",
        request=sg_ingress([(443, 443, "0.0.0.0/0"), (22, 22, "0.0.0.0/0")])), MEDIUM),
    FLOW_LOGS_DELETED: (ct_event("DeleteFlowLogs", "ec2.amazonaws.com",
                                 request={"DeleteFlowLogsRequest": {"FlowLogId": {
                                     "tag": 1, "content": "fl-0123456789abcdef0"}}}), HIGH),
    ADMIN_ATTACHED: (ct_event("AttachUserPolicy", "iam.amazonaws.com",
                              request={"userName": "bob", "policyArn":
                                       "arn:aws:iam::aws:policy/AdministratorAccess"}), HIGH),
    NO_MFA_LOGIN: (ct_event("ConsoleLogin", "signin.amazonaws.com",
                            identity=iam_user("alice", None), agent="Mozilla/5.0 (Windows NT 10.0)",
                            event_type="AwsConsoleSignIn", response={"ConsoleLogin": "Success"},
                            extra={"additionalEventData": {
                                "LoginTo": "https://console.aws.amazon.com/",
                                "MobileVersion": "No", "MFAUsed": "No"}}), MEDIUM),
}


@pytest.mark.parametrize("case", sorted(ATTACK_EVENTS))
def test_cloudtrail_rule(vigil, gd, detector_id, case):
    type_name = case.split("/")[0] + "/" + case.split("/")[1]
    event, band = ATTACK_EVENTS[case]
    events = benign_events()
    events.insert(4, event)
    doc = ingest_ok(vigil, detector_id, "cloudtrail", trail_file(events))
    assert doc["records"] == len(events) and doc["rejected"] == 0, doc
    assert doc["findingsCreated"] == 1, doc
    findings = all_findings(gd, detector_id)
    assert types_of(findings) == [type_name]
    finding = findings[0]
    if band:
        assert_severity(finding, band)
    resource = finding["Resource"]
    assert resource["ResourceType"] == "AccessKey", resource
    identity = event["userIdentity"]
    details = resource["AccessKeyDetails"]
    if identity.get("accessKeyId"):
        assert details["AccessKeyId"] == identity["accessKeyId"], details
    if identity.get("userName"):
        assert details["UserName"] == identity["userName"], details
    action = finding["Service"]["Action"]
    assert action["ActionType"] == "AWS_API_CALL", action
    call = action["AwsApiCallAction"]
    assert call["Api"] == event["eventName"], call
    assert call["ServiceName"] == event["eventSource"], call
    assert call["RemoteIpDetails"]["IpAddressV4"] == OFFICE_IP, call
    assert finding["Service"]["Count"] == 1
    assert seen(finding) == (T0, T0)


NOT_ATTACKS = {
    "stop-logging-denied": ct_event("StopLogging", "cloudtrail.amazonaws.com",
                                    request={"name": "management-events"},
                                    error="AccessDenied"),
    "root-via-service": ct_event("Decrypt", "kms.amazonaws.com", ip="s3.amazonaws.com",
                                 identity=dict(root_user(""), invokedBy="s3.amazonaws.com")),
    "ssh-to-private-range": ct_event("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com",
                                     request=sg_ingress([(22, 22, "10.0.0.0/8")])),
    "ssh-private-https-public": ct_event(
        "AuthorizeSecurityGroupIngress", "ec2.amazonaws.com",
        request=sg_ingress([(22, 22, "10.0.0.0/8"), (443, 443, "0.0.0.0/0")])),
    "rdp-public": ct_event("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com",
                           request=sg_ingress([(3389, 3389, "0.0.0.0/0")])),
    "login-with-mfa": ct_event("ConsoleLogin", "signin.amazonaws.com",
                               identity=iam_user("alice", None), event_type="AwsConsoleSignIn",
                               response={"ConsoleLogin": "Success"},
                               extra={"additionalEventData": {"MFAUsed": "Yes"}}),
    "failed-login-without-mfa": ct_event("ConsoleLogin", "signin.amazonaws.com",
                                         identity=iam_user("alice", None),
                                         event_type="AwsConsoleSignIn",
                                         response={"ConsoleLogin": "Failure"},
                                         error="Failed authentication",
                                         extra={"additionalEventData": {"MFAUsed": "No"}}),
    "read-only-policy": ct_event("AttachUserPolicy", "iam.amazonaws.com",
                                 request={"userName": "bob", "policyArn":
                                          "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
    # An AWS managed policy whose name starts with "AdministratorAccess" but grants
    # Amplify only: not the AdministratorAccess policy.
    "amplify-admin-policy": ct_event(
        "AttachUserPolicy", "iam.amazonaws.com",
        request={"userName": "bob",
                 "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess-Amplify"}),
    "describe-flow-logs": ct_event("DescribeFlowLogs", "ec2.amazonaws.com", read_only=True),
}


@pytest.mark.parametrize("case", sorted(NOT_ATTACKS))
def test_cloudtrail_events_that_are_not_attacks(vigil, gd, detector_id, case):
    events = benign_events() + [NOT_ATTACKS[case]]
    doc = ingest_ok(vigil, detector_id, "cloudtrail", trail_file(events))
    assert doc["records"] == len(events) and doc["rejected"] == 0, doc
    assert [summary(f) for f in all_findings(gd, detector_id)] == [], doc


def test_benign_cloudtrail_makes_no_finding(vigil, gd, detector_id, threat_list):
    threat_list(f"{THREAT_IP}\n")
    doc = ingest_ok(vigil, detector_id, "cloudtrail", trail_file(benign_events()))
    assert doc["findingsCreated"] == 0, doc
    assert all_findings(gd, detector_id) == []


def test_calls_from_a_listed_ip_are_recon_or_unauthorized_access(vigil, gd, detector_id,
                                                                 threat_list):
    threat_list(f"{THREAT_IP}\n", name="stolen-key-infra")
    bob = iam_user("bob", BOB_KEY)
    events = benign_events() + [
        ct_event("ListUsers", "iam.amazonaws.com", t=T0 + 40, ip=THREAT_IP, identity=bob,
                 read_only=True),
        ct_event("CreateUser", "iam.amazonaws.com", t=T0 + 45, ip=THREAT_IP, identity=bob,
                 read_only=False, request={"userName": "backup-admin"}),
    ]
    doc = ingest_ok(vigil, detector_id, "cloudtrail", trail_file(events))
    assert doc["findingsCreated"] == 2, doc
    findings = all_findings(gd, detector_id)
    assert sorted((f["Type"], remote_ip(f)) for f in findings) == [
        (RECON_CUSTOM, THREAT_IP), (IAM_CUSTOM, THREAT_IP)]
    for finding in findings:
        assert_severity(finding, MEDIUM)
        details = finding["Resource"]["AccessKeyDetails"]
        assert (details["AccessKeyId"], details["UserName"]) == (BOB_KEY, "bob"), details
        call = finding["Service"]["Action"]["AwsApiCallAction"]
        expected_api = "ListUsers" if finding["Type"] == RECON_CUSTOM else "CreateUser"
        assert call["Api"] == expected_api, call
        assert call["ServiceName"] == "iam.amazonaws.com", call
        assert threat_list_name(finding) == "stolen-key-infra"


@pytest.mark.parametrize("layout", ["records-file", "single-events", "json-lines",
                                    "gzip-records-file", "eventbridge"])
def test_cloudtrail_file_layouts_give_the_same_findings(vigil, gd, detector_id, layout):
    attacks = [ATTACK_EVENTS[TRAIL_OFF + "/StopLogging"][0], ATTACK_EVENTS[ROOT][0],
               ATTACK_EVENTS[ADMIN_ATTACHED][0]]
    events = benign_events() + attacks
    if layout in ("records-file", "gzip-records-file"):
        body = trail_file(events)
    elif layout == "single-events":  # CloudWatch Logs delivery: one pretty-printed event each
        body = "\n".join(json.dumps(e, indent=2) for e in events) + "\n"
    elif layout == "eventbridge":
        body = "\n".join(json.dumps({
            "version": "0", "id": str(uuid.uuid4()), "detail-type": "AWS API Call via CloudTrail",
            "source": "aws." + e["eventSource"].split(".")[0], "account": ACCOUNT,
            "time": e["eventTime"], "region": "us-east-1", "resources": [], "detail": e})
            for e in events) + "\n"
    else:
        body = "\n".join(json.dumps(e) for e in events) + "\n"
    doc = ingest_ok(vigil, detector_id, "cloudtrail", body,
                    compress=layout == "gzip-records-file")
    assert doc["records"] == len(events) and doc["rejected"] == 0, doc
    assert doc["findingsCreated"] == 3, doc
    assert types_of(all_findings(gd, detector_id)) == sorted([TRAIL_OFF, ROOT, ADMIN_ATTACHED])


def test_reingesting_the_same_cloudtrail_file_changes_nothing(vigil, gd, detector_id):
    events = benign_events() + [
        ct_event("StopLogging", "cloudtrail.amazonaws.com", t=T0 + 50),
        ct_event("StopLogging", "cloudtrail.amazonaws.com", t=T0 + 70),
        ct_event("DeleteFlowLogs", "ec2.amazonaws.com", t=T0 + 80),
    ]
    body = trail_file(events)
    doc = ingest_ok(vigil, detector_id, "cloudtrail", body)
    assert doc["findingsCreated"] == 2, doc
    before = {f["Id"]: f["Service"]["Count"] for f in all_findings(gd, detector_id)}
    trail = only(all_findings(gd, detector_id), TRAIL_OFF)
    assert trail["Service"]["Count"] == 2  # two events, one finding
    assert seen(trail) == (T0 + 50, T0 + 70)
    for compress in (False, True):
        doc = ingest_ok(vigil, detector_id, "cloudtrail", body, compress=compress)
        assert (doc["findingsCreated"], doc["findingsUpdated"]) == (0, 0), doc
        after = {f["Id"]: f["Service"]["Count"] for f in all_findings(gd, detector_id)}
        assert after == before


def test_a_new_cloudtrail_event_of_the_same_issue_updates_the_finding(vigil, gd, detector_id):
    doc = ingest_ok(vigil, detector_id, "cloudtrail",
                    trail_file(benign_events() + [ct_event("DeleteFlowLogs",
                                                           "ec2.amazonaws.com", t=T0 + 50)]))
    assert doc["findingsCreated"] == 1, doc
    before = only(all_findings(gd, detector_id), FLOW_LOGS_DELETED)
    doc = ingest_ok(vigil, detector_id, "cloudtrail",
                    trail_file([ct_event("DeleteFlowLogs", "ec2.amazonaws.com", t=T0 + 900)]))
    assert (doc["findingsCreated"], doc["findingsUpdated"]) == (0, 1), doc
    after = only(all_findings(gd, detector_id), FLOW_LOGS_DELETED)
    assert after["Id"] == before["Id"]
    assert after["Service"]["Count"] == 2
    assert seen(after) == (T0 + 50, T0 + 900)


def test_a_malformed_cloudtrail_line_is_rejected_and_the_rest_processed(vigil, gd,
                                                                        detector_id):
    events = benign_events() + [ATTACK_EVENTS[FLOW_LOGS_DELETED][0]]
    lines = [json.dumps(e) for e in events]
    lines.insert(2, '{"eventVersion": "1.08", "eventName": ')  # line 3
    doc = ingest_ok(vigil, detector_id, "cloudtrail", "\n".join(lines) + "\n")
    assert doc["records"] == len(events), doc
    assert doc["rejected"] == 1, doc
    assert [r["position"] for r in doc["rejectedRecords"]] == [3], doc
    assert types_of(all_findings(gd, detector_id)) == [FLOW_LOGS_DELETED]


# --------------------------------------------------------------------------------------------
# DNS
# --------------------------------------------------------------------------------------------


def dns_findings(client, detector_id, type_name):
    return [f for f in all_findings(client, detector_id) if f["Type"] == type_name]


def domain_of(finding):
    return finding["Service"]["Action"]["DnsRequestAction"]["Domain"].rstrip(".")


def test_queries_for_listed_domains(vigil, gd, detector_id, threat_list):
    threat_list("badactor-c2.net\n*.phish-kit.org\n", name="domain-feed")
    queries = [dns_query("badactor-c2.net", T0 + 10),
               dns_query("beacon.badactor-c2.net", T0 + 20),
               dns_query("phish-kit.org", T0 + 30),  # the wildcard's parent: not listed
               dns_query("login.phish-kit.org", T0 + 40),
               dns_query("notbadactor-c2.net", T0 + 50),
               dns_query("CDN.BadActor-C2.NET", T0 + 60)]  # names are case-insensitive
    doc = ingest_ok(vigil, detector_id, "dns", text(interleave(benign_queries(), queries)))
    assert doc["rejected"] == 0, doc
    findings = all_findings(gd, detector_id)
    assert set(types_of(findings)) == {DOMAIN_CUSTOM}, [summary(f) for f in findings]
    domains = {domain_of(f).lower() for f in findings}
    assert domains == {"badactor-c2.net", "beacon.badactor-c2.net", "login.phish-kit.org",
                       "cdn.badactor-c2.net"}
    for finding in findings:
        assert_severity(finding, MEDIUM)
        assert finding["Resource"]["ResourceType"] == "Instance"
        assert finding["Resource"]["InstanceDetails"]["InstanceId"] == INSTANCE
        assert finding["Service"]["Action"]["ActionType"] == "DNS_REQUEST"
        assert finding["Service"]["ResourceRole"] == "ACTOR"
        assert threat_list_name(finding) == "domain-feed"
        evidence = finding["Service"]["Evidence"]["ThreatIntelligenceDetails"]
        assert evidence[0]["ThreatListName"] == "domain-feed"


def test_repeated_queries_for_a_mining_pool_make_one_finding(vigil, gd, detector_id):
    queries = [dns_query("pool.supportxmr.com", T0 + 60 * i, answers=["141.94.96.144"])
               for i in range(4)]
    doc = ingest_ok(vigil, detector_id, "dns", text(interleave(benign_queries(), queries)))
    assert doc["findingsCreated"] == 1, doc
    finding = only(all_findings(gd, detector_id), BITCOIN)
    assert len(all_findings(gd, detector_id)) == 1
    assert_severity(finding, HIGH)
    assert finding["Resource"]["InstanceDetails"]["InstanceId"] == INSTANCE
    assert domain_of(finding) == "pool.supportxmr.com"
    assert finding["Service"]["Count"] == 4
    assert seen(finding) == (T0, T0 + 180)
    more = [dns_query("pool.supportxmr.com", T0 + 600)]
    doc = ingest_ok(vigil, detector_id, "dns", text(more))
    assert (doc["findingsCreated"], doc["findingsUpdated"]) == (0, 1), doc
    again = only(all_findings(gd, detector_id), BITCOIN)
    assert again["Id"] == finding["Id"] and again["Service"]["Count"] == 5


def test_an_outside_name_answering_the_metadata_address_is_a_rebinding(vigil, gd, detector_id):
    queries = [dns_query("7f000001.a9fea9fe.rbndr.us", T0 + 5, answers=["169.254.169.254"])]
    doc = ingest_ok(vigil, detector_id, "dns", text(interleave(benign_queries(), queries)))
    assert doc["findingsCreated"] == 1, doc
    finding = only(all_findings(gd, detector_id), DNS_REBIND)
    assert len(all_findings(gd, detector_id)) == 1
    assert_severity(finding, HIGH)
    assert finding["Resource"]["InstanceDetails"]["InstanceId"] == INSTANCE
    assert domain_of(finding) == "7f000001.a9fea9fe.rbndr.us"


@pytest.mark.parametrize("alphabet, length", [("base32", 52), ("hex", 32)])
def test_many_random_labels_under_one_domain_are_exfiltration(vigil, gd, detector_id,
                                                              alphabet, length):
    labels = random_labels(50, alphabet=alphabet, length=length)
    queries = [dns_query(f"{label}.t.exfil-tunnel.net", T0 + 3 * i, qtype="TXT", answers=[])
               for i, label in enumerate(labels)]
    doc = ingest_ok(vigil, detector_id, "dns", text(interleave(benign_queries(), queries)))
    assert doc["findingsCreated"] == 1, doc
    finding = only(all_findings(gd, detector_id), DNS_EXFIL)
    assert len(all_findings(gd, detector_id)) == 1
    assert_severity(finding, HIGH)
    assert finding["Resource"]["InstanceDetails"]["InstanceId"] == INSTANCE
    assert finding["Service"]["ResourceRole"] == "ACTOR"
    assert domain_of(finding).endswith("exfil-tunnel.net")


@pytest.mark.parametrize("scenario", ["49-labels", "slow", "many-domains", "short-labels"])
def test_dns_short_of_exfiltration_makes_no_finding(vigil, gd, detector_id, scenario):
    labels = random_labels(60)
    if scenario == "49-labels":
        names = [(f"{label}.exfil-tunnel.net", T0 + i) for i, label in enumerate(labels[:49])]
    elif scenario == "slow":  # 60 labels over 10 minutes: never 50 within 5
        names = [(f"{label}.exfil-tunnel.net", T0 + 10 * i) for i, label in enumerate(labels)]
    elif scenario == "many-domains":
        names = [(f"{label}.site{i}.com", T0 + i) for i, label in enumerate(labels)]
    else:
        names = [(f"{label[:12]}.exfil-tunnel.net", T0 + i) for i, label in enumerate(labels)]
    queries = [dns_query(name, t) for name, t in names]
    doc = ingest_ok(vigil, detector_id, "dns", text(interleave(benign_queries(), queries)))
    assert doc["findingsCreated"] == 0, doc
    assert all_findings(gd, detector_id) == []


def test_benign_dns_makes_no_finding(vigil, gd, detector_id, threat_list):
    threat_list("badactor-c2.net\n*.phish-kit.org\n")
    lines = benign_queries()
    doc = ingest_ok(vigil, detector_id, "dns", text(lines))
    assert doc == {"records": len(lines), "rejected": 0, "findingsCreated": 0,
                   "findingsUpdated": 0, "rejectedRecords": []}
    assert all_findings(gd, detector_id) == []


# --------------------------------------------------------------------------------------------
# Filters, gzip, isolation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("criterion", [
    {"type": {"Eq": [SSH_BRUTE]}},
    {"service.action.networkConnectionAction.remoteIpDetails.ipAddressV4": {"Eq": [ATTACKER]}},
    {"service.resourceRole": {"Eq": ["TARGET"]}},
    {"severity": {"Lt": 4}},
    {"service.action.networkConnectionAction.localPortDetails.port": {"Eq": ["22"]}},
], ids=["type", "remote-ip", "resource-role", "severity", "local-port"])
def test_an_archive_filter_archives_matching_findings_from_ingest(vigil, gd, detector_id,
                                                                  criterion):
    gd.create_filter(DetectorId=detector_id, Name="ignore-ssh-noise", Action="ARCHIVE",
                     FindingCriteria={"Criterion": criterion})
    attack = brute_force(ATTACKER, T0, attempts=25) + port_scan(SCAN_TARGET, T0, ports=60)
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(), attack)))
    assert doc["findingsCreated"] == 2, doc
    archived = {f["Type"]: f["Service"]["Archived"] for f in all_findings(gd, detector_id)}
    assert archived == {SSH_BRUTE: True, PORTSCAN: False}
    current = all_findings(gd, detector_id,
                           {"Criterion": {"service.archived": {"Eq": ["false"]}}})
    assert types_of(current) == [PORTSCAN]


def test_an_archive_filter_created_later_archives_the_next_occurrence(vigil, gd,
                                                                      detector_id):
    """Filters apply when ingest creates or updates a finding."""
    ingest_ok(vigil, detector_id, "flowlogs", text(brute_force(ATTACKER, T0, attempts=25)))
    assert only(all_findings(gd, detector_id), SSH_BRUTE)["Service"]["Archived"] is False
    gd.create_filter(DetectorId=detector_id, Name="ignore-ssh-noise", Action="ARCHIVE",
                     FindingCriteria={"Criterion": {"type": {"Eq": [SSH_BRUTE]}}})
    doc = ingest_ok(vigil, detector_id, "flowlogs",
                    text(brute_force(ATTACKER, T0 + 300, attempts=25, first_port=45000)))
    assert (doc["findingsCreated"], doc["findingsUpdated"]) == (0, 1), doc
    assert only(all_findings(gd, detector_id), SSH_BRUTE)["Service"]["Archived"] is True


def test_gzip_flow_logs_give_the_same_findings_as_plain(vigil, gd, gd_b, detector_id,
                                                        list_file):
    detector_b = gd_b.create_detector(Enable=True)["DetectorId"]
    for client, det in ((gd, detector_id), (gd_b, detector_b)):
        make_set(THREAT_INTEL_SET, client, det, list_file, f"{THREAT_IP}\n", "feed")
    lines = interleave(benign_flows(), brute_force(ATTACKER, T0, attempts=30),
                       port_scan(SCAN_TARGET, T0, ports=55),
                       [flow(THREAT_IP, LOCAL_IP, 33000, 443, T0 + 9)])
    plain = ingest_ok(vigil, detector_id, "flowlogs", text(lines))
    packed = ingest_ok(vigil, detector_b, "flowlogs", text(lines), account=ACCOUNT_B,
                       compress=True)
    assert plain == packed
    assert plain["findingsCreated"] == 3, plain

    def shape(findings):
        return sorted((*summary(f), f["Service"]["Count"], f["Severity"],
                       f["Service"]["EventFirstSeen"], f["Service"]["EventLastSeen"])
                      for f in findings)

    assert shape(all_findings(gd, detector_id)) == shape(all_findings(gd_b, detector_b))


def test_findings_from_ingest_stay_in_the_detectors_account(vigil, gd, gd_b, detector_id):
    detector_b = gd_b.create_detector(Enable=True)["DetectorId"]
    ingest_ok(vigil, detector_b, "flowlogs", text(brute_force(ATTACKER, T0)), account=ACCOUNT_B)
    assert all_findings(gd, detector_id) == []
    findings = all_findings(gd_b, detector_b)
    assert types_of(findings) == [SSH_BRUTE]
    assert findings[0]["AccountId"] == ACCOUNT_B


# --------------------------------------------------------------------------------------------
# vigil scan: the offline command agrees with the server
# --------------------------------------------------------------------------------------------


def run_scan(*args):
    proc = subprocess.run([str(VIGIL_BIN), "scan", *args], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc


def scan_summaries(stdout):
    rows = []
    for line in stdout.splitlines():
        if not line.strip():
            continue
        finding = json.loads(line)
        service = finding["service"]
        conn = service.get("action", {}).get("networkConnectionAction", {})
        rows.append((finding["type"], service.get("resourceRole"),
                     conn.get("remoteIpDetails", {}).get("ipAddressV4"), service.get("count")))
    return sorted(rows)


SCAN_THREATS = "\n".join([THREAT_IP, THREAT_CIDR, THREAT_IP_2]) + "\n"
SCAN_TRUSTED = f"{THREAT_IP_2}\n"


@pytest.fixture
def scan_case(vigil, gd, detector_id, list_file, tmp_path):
    """Two flow log files (one plain, one gzip) planting five attacks and a trusted address,
    ingested into the test's detector (with the same lists) and written to tmp_path/logs.
    Returns (paths, server summaries [(type, role, remote ip, count)])."""
    make_set(THREAT_INTEL_SET, gd, detector_id, list_file, SCAN_THREATS, "feed")
    make_set(IPSET, gd, detector_id, list_file, SCAN_TRUSTED, "trusted")
    first = interleave(benign_flows(), brute_force(ATTACKER, T0, attempts=30),
                       [flow(THREAT_IP, LOCAL_IP, 33000 + i, 443, T0 + i) for i in range(3)],
                       [flow(THREAT_IP_2, LOCAL_IP, 34000, 443, T0 + 4)])
    second = interleave(port_scan(SCAN_TARGET, T0 + 100, ports=60),
                        brute_force(ATTACKER_2, T0 + 100, attempts=25, inbound=False,
                                    eni=ENI_2, local=LOCAL_IP_2),
                        [flow(LOCAL_IP, THREAT_IN_CIDR, 52000, 4444, T0 + 130)])
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.log").write_text(text(first))
    (logs / "b.log.gz").write_bytes(gzip.compress(text(second).encode()))
    paths = {"logs": logs, "a": logs / "a.log", "b": logs / "b.log.gz",
             "threat": tmp_path / "threat.txt", "trusted": tmp_path / "trusted.txt"}
    paths["threat"].write_text(SCAN_THREATS)
    paths["trusted"].write_text(SCAN_TRUSTED)

    for body in (text(first), text(second)):
        ingest_ok(vigil, detector_id, "flowlogs", body)
    served = sorted((*summary(f), f["Service"]["Count"])
                    for f in all_findings(gd, detector_id))
    assert sorted(row[:3] for row in served) == sorted([
        (SSH_BRUTE, "TARGET", ATTACKER), (EC2_CUSTOM, "TARGET", THREAT_IP),
        (PORTSCAN, "ACTOR", SCAN_TARGET), (SSH_BRUTE, "ACTOR", ATTACKER_2),
        (EC2_CUSTOM, "ACTOR", THREAT_IN_CIDR)])
    return paths, served


def test_scan_of_a_directory_finds_what_the_server_finds(scan_case):
    paths, served = scan_case
    proc = run_scan("--source", "flowlogs", "--threat-list", str(paths["threat"]),
                    "--trusted-list", str(paths["trusted"]), "--format", "json",
                    str(paths["logs"]))
    assert scan_summaries(proc.stdout) == served


def test_scan_of_files_named_after_the_lists_finds_what_the_server_finds(scan_case):
    """The documented order: `vigil scan --source flowlogs --threat-list FILE
    [--trusted-list FILE] FILE...`; the log files are logs, not more lists."""
    paths, served = scan_case
    proc = run_scan("--source", "flowlogs", "--threat-list", str(paths["threat"]),
                    "--trusted-list", str(paths["trusted"]), str(paths["a"]), str(paths["b"]))
    assert scan_summaries(proc.stdout) == served
    proc = run_scan("--source", "flowlogs", "--trusted-list", str(paths["trusted"]),
                    "--threat-list", str(paths["threat"]), str(paths["a"]), str(paths["b"]))
    assert scan_summaries(proc.stdout) == served


def test_scan_of_benign_logs_prints_no_finding(tmp_path):
    log = tmp_path / "benign.log"
    log.write_text(text(benign_flows()))
    threat = tmp_path / "threat.txt"
    threat.write_text(f"{THREAT_IP}\n")
    proc = run_scan("--source", "flowlogs", "--threat-list", str(threat), str(log))
    assert scan_summaries(proc.stdout) == []


def test_scan_table_format_names_the_finding_types(tmp_path):
    log = tmp_path / "attack.log"
    log.write_text(text(interleave(benign_flows(), brute_force(ATTACKER, T0, attempts=25))))
    threat = tmp_path / "threat.txt"
    threat.write_text(f"{THREAT_IP}\n")
    proc = run_scan("--source", "flowlogs", "--threat-list", str(threat), "--format", "table",
                    str(log))
    assert SSH_BRUTE in proc.stdout, proc.stdout
    assert PORTSCAN not in proc.stdout and EC2_CUSTOM not in proc.stdout, proc.stdout
    with pytest.raises(ValueError):
        json.loads(proc.stdout.splitlines()[0])


def test_scan_of_cloudtrail_logs_finds_what_the_server_finds(vigil, gd, detector_id, tmp_path):
    """An AWSLogs/ tree as S3 delivers it, digest files included (they are not logs)."""
    events = benign_events() + [ATTACK_EVENTS[TRAIL_OFF + "/StopLogging"][0],
                                ATTACK_EVENTS[ROOT][0], ATTACK_EVENTS[KALI][0],
                                ATTACK_EVENTS[PUBLIC_SSH][0]]
    root = tmp_path / "AWSLogs"
    trail_dir = root / ACCOUNT / "CloudTrail" / "us-east-1" / "2026" / "01" / "01"
    digest_dir = root / ACCOUNT / "CloudTrail-Digest" / "us-east-1" / "2026" / "01" / "01"
    trail_dir.mkdir(parents=True)
    digest_dir.mkdir(parents=True)
    names = [f"{ACCOUNT}_CloudTrail_us-east-1_20260101T0000Z_{i}abcdefghijklmno.json.gz"
             for i in range(2)]
    (trail_dir / names[0]).write_bytes(gzip.compress(trail_file(events[:6]).encode()))
    (trail_dir / names[1]).write_bytes(gzip.compress(trail_file(events[6:]).encode()))
    (digest_dir / f"{ACCOUNT}_CloudTrail-Digest_us-east-1_trail_us-east-1_20260101T0100Z.json.gz"
     ).write_bytes(gzip.compress(json.dumps({
         "awsAccountId": ACCOUNT, "digestStartTime": "2026-01-01T00:00:00Z",
         "digestEndTime": "2026-01-01T01:00:00Z", "digestS3Bucket": "trail-bucket",
         "logFiles": []}).encode()))

    doc = ingest_ok(vigil, detector_id, "cloudtrail", trail_file(events))
    assert doc["findingsCreated"] == 4, doc
    served = sorted((f["Type"], remote_ip(f), f["Service"]["Count"])
                    for f in all_findings(gd, detector_id))
    proc = run_scan("--source", "cloudtrail", "--format", "json", str(root))
    scanned = []
    for line in proc.stdout.splitlines():
        finding = json.loads(line)
        call = finding["service"]["action"]["awsApiCallAction"]
        scanned.append((finding["type"], call["remoteIpDetails"]["ipAddressV4"],
                        finding["service"]["count"]))
    assert sorted(scanned) == served


def test_probes_from_a_scanner_that_got_through_are_unprotected_ports(vigil, gd, detector_id):
    """A remote address probing many local addresses is a scanner; its probes that the
    security group accepted are Recon:EC2/PortProbeUnprotectedPort (High on 9200)."""
    scanner = "198.51.100.77"
    probes = [flow(scanner, f"10.0.1.{host}", 40000 + host, 9200, T0 + host, packets=1)
              for host in range(20, 32)]
    rejected = [flow("203.0.113.200", f"10.0.1.{host}", 41000 + host, 22, T0 + host, packets=1,
                     action="REJECT") for host in range(20, 32)]
    doc = ingest_ok(vigil, detector_id, "flowlogs",
                    text(interleave(benign_flows(), probes, rejected)))
    assert doc["findingsCreated"] == 1, doc
    [finding] = all_findings(gd, detector_id)
    assert finding["Type"] == "Recon:EC2/PortProbeUnprotectedPort"
    assert finding["Severity"] == 8
    assert finding["Service"]["ResourceRole"] == "TARGET"
    action = finding["Service"]["Action"]
    assert action["ActionType"] == "PORT_PROBE"
    detail = action["PortProbeAction"]["PortProbeDetails"][0]
    assert detail["RemoteIpDetails"]["IpAddressV4"] == scanner
    assert detail["LocalPortDetails"]["Port"] == 9200


def test_one_port_probed_on_many_hosts_is_a_port_sweep(vigil, gd, detector_id):
    """The instance probes SMB on 60 internet hosts within a minute: Impact:EC2/PortSweep,
    the instance the actor."""
    probes = [flow(LOCAL_IP, f"203.0.113.{host}", 45000 + host, 445, T0 + host, packets=1)
              for host in range(1, 61)]
    doc = ingest_ok(vigil, detector_id, "flowlogs", text(interleave(benign_flows(), probes)))
    assert doc["findingsCreated"] == 1, doc
    [finding] = all_findings(gd, detector_id)
    assert finding["Type"] == "Impact:EC2/PortSweep"
    assert finding["Service"]["ResourceRole"] == "ACTOR"
    connection = finding["Service"]["Action"]["NetworkConnectionAction"]
    assert connection["ConnectionDirection"] == "OUTBOUND"
    assert connection["RemotePortDetails"]["Port"] == 445
