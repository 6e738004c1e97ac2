"""Crash safety: `vigil serve` killed with SIGKILL at a random moment loses no acknowledged write
and shows nothing half-written.

Several rounds, each on the same data directory: start the server (watching a flow logs folder),
run client threads at once — API writes (filters with tags, IPSets and ThreatIntelSets, detector
tags and settings, sample findings, archive, feedback), POSTs of flow logs and CloudTrail to
/_vigil/ingest, and log files dropped into the watched folder — kill the server at a random
moment, check the SQLite file with `PRAGMA integrity_check`, restart, and compare what the
server holds with what the clients were told:

- every write answered 2xx is there with its values; the one write each client had in flight
  when the server died is there entirely or not at all (a filter never without its tags, an
  archive of several findings all or none, an ingest batch's findings all or none);
- each finding has the `count` of one ingestion of its batch: nothing counted twice;
- CloudTrail uploads that were not answered are sent again (as a client retries them) and then
  have their findings: an event id is never remembered without the findings it produced;
- every file dropped into the watched folder is processed exactly once across the restarts, and
  the folder's totals agree with the files.

What a batch should leave is taken from a reference detector in another account fed the same
shapes of logs (as test_watch.py does), not written down here. The kill moment is random (its
seed is printed); what is asserted holds for any moment.
"""

import contextlib
import http.client
import random
import sqlite3
import threading
import time

from botocore.exceptions import BotoCoreError, ClientError

from conftest import (
    ACCOUNT_A,
    ACCOUNT_B,
    IPSET,
    THREAT_INTEL_SET,
    VigilServer,
    arn,
    strip_metadata,
)
from test_detection import (
    ATTACKER,
    T0,
    all_findings,
    benign_events,
    brute_force,
    ct_event,
    iam_user,
    ingest,
    ingest_ok,
    KALI_AGENT,
    text,
    trail_file,
)
from test_watch import flow_dir, land, processed, wait_for

ROUNDS = 5
KILL_AFTER = (0.3, 1.5)  # seconds of client traffic before the SIGKILL
SAMPLE_TYPES = ["UnauthorizedAccess:EC2/TorClient", "UnauthorizedAccess:EC2/TorRelay",
                "Backdoor:EC2/Spambot", "Behavior:EC2/NetworkPortUnusual",
                "Recon:IAMUser/TorIPCaller", "UnauthorizedAccess:IAMUser/TorIPCaller"]
MAX_FILTERS = 40  # the filter client deletes before it would pass this (GuardDuty allows 100)
MAX_DETECTOR_TAGS = 8

ABSENT = "<absent>"

# What a client sees when the server dies under its request: no answer at all.
UNANSWERED = (BotoCoreError, OSError, http.client.HTTPException)


# --------------------------------------------------------------------------------------------
# What the clients were told
# --------------------------------------------------------------------------------------------


class Ledger:
    """The writes of one client thread: the acknowledged value of each key it owns, and the
    one write that got no answer because the server died (it may or may not have happened,
    but if it did, it happened whole). A value of ABSENT means deleted / never created."""

    def __init__(self, name):
        self.name = name
        self.acked = {}
        self.in_flight = None  # {key: value} of the unanswered write

    def write(self, changes, call):
        """Run `call` (one request) that sets `changes`; its response when the server
        answered 2xx, None when it answered nothing. An error answer is raised."""
        self.in_flight = dict(changes)
        try:
            response = call()
        except UNANSWERED:
            return None
        self.acked.update(changes)
        self.in_flight = None
        return response

    def value(self, key, absent=ABSENT):
        return self.acked.get(key, absent)

    def live(self):
        """The keys whose acknowledged value is not ABSENT, in order."""
        return sorted(key for key, value in self.acked.items() if value != ABSENT)

    def keys(self):
        return set(self.acked) | set(self.in_flight or {})

    def check(self, actual):
        """Problems of this ledger against `actual` ({key: value} read back)."""
        problems = []
        in_flight = self.in_flight or {}
        applied, not_applied = [], []
        for key in self.keys():
            got, before = actual.get(key, ABSENT), self.value(key)
            if key not in in_flight:
                if got != before:
                    problems.append(f"{self.name}: {key} acknowledged as {before!r}, read {got!r}")
                continue
            after = in_flight[key]
            if got == after and got != before:
                applied.append(key)
            elif got == before and got != after:
                not_applied.append(key)
            elif got != before:
                problems.append(f"{self.name}: {key} is {got!r}, neither {before!r} (before "
                                f"the unanswered write) nor {after!r} (after it)")
        if applied and not_applied:
            problems.append(f"{self.name}: unanswered write half applied: {applied} changed, "
                            f"{not_applied} did not")
        return problems

    def settle(self, actual):
        """After a check: the unanswered write's outcome is now known."""
        for key in (self.in_flight or {}):
            self.acked[key] = actual.get(key, ABSENT)
        self.acked = {key: value for key, value in self.acked.items() if value != ABSENT}
        self.in_flight = None


class Batch:
    """One body POSTed to /_vigil/ingest or dropped into the watched folder."""

    def __init__(self, source, actor, body, reference):
        self.source = source
        self.actor = actor  # what tells its findings apart: network interface or access key
        self.body = body
        self.reference = reference  # {type: count} of one ingestion of this shape of batch
        self.acked = False


def flow_batch(number, reference):
    """SSH and RDP brute force against a network interface of its own (findings aggregate
    per interface): two findings. No benign traffic: the same benign records in every batch
    would pile up in the rules' windows."""
    eni = f"eni-0c{number:015x}"
    local = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
    lines = brute_force(ATTACKER, T0, eni=eni, local=local) + brute_force(
        ATTACKER, T0 + 3, port=3389, first_port=41000, eni=eni, local=local)
    return Batch("flowlogs", eni, text(lines).encode(), reference)


def trail_batch(access_key, reference):
    """A Kali Linux user agent and StopLogging by one IAM user (two findings), among benign
    events; every event has its own id."""
    user = iam_user(f"crash-{access_key[-6:].lower()}", access_key)
    events = benign_events()
    events.insert(2, ct_event("ListUsers", "iam.amazonaws.com", identity=user, agent=KALI_AGENT,
                              read_only=True))
    events.insert(5, ct_event("StopLogging", "cloudtrail.amazonaws.com", identity=user,
                              request={"name": "management-events"}))
    return Batch("cloudtrail", access_key, trail_file(events).encode(), reference)


def actor_of(finding):
    """What the findings of one batch share: the access key or the network interface."""
    resource = finding["Resource"]
    if resource.get("ResourceType") == "AccessKey":
        return resource["AccessKeyDetails"]["AccessKeyId"]
    return resource["InstanceDetails"]["NetworkInterfaces"][0]["NetworkInterfaceId"]


def findings_by_actor(findings):
    grouped = {}
    for finding in findings:
        counts = grouped.setdefault(actor_of(finding), {})
        assert finding["Type"] not in counts, f"two {finding['Type']} findings of one actor"
        counts[finding["Type"]] = finding["Service"]["Count"]
    return grouped


# --------------------------------------------------------------------------------------------
# The clients
# --------------------------------------------------------------------------------------------


class Clients:
    """The client threads of one round against one server process."""

    def __init__(self, state, server):
        self.state = state
        self.server = server
        self.stop = threading.Event()
        self.errors = []

    def run(self, seconds):
        workers = [self.filters, self.threat_lists, self.detector, self.findings,
                   self.post_flows, self.post_trails, self.drop_files]
        threads = [threading.Thread(target=self._guard, args=(worker, self.server.client()))
                   for worker in workers]
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        self.server.kill()  # fails unless the server was still running
        self.stop.set()
        for thread in threads:
            thread.join(timeout=60)
            assert not thread.is_alive(), "a client thread did not finish"
        assert not self.errors, "\n".join(self.errors)

    def _guard(self, worker, gd):
        try:
            worker(gd)
        except UNANSWERED:
            pass  # a read the server died under
        except ClientError as error:  # the server answered with an error: not a crash effect
            self.errors.append(f"{worker.__name__}: {error.response}")
        except Exception as error:  # noqa: BLE001 - reported by run()
            self.errors.append(f"{worker.__name__}: {error!r}")

    def steps(self):
        """0, 1, 2, ... until the round is over."""
        step = 0
        while not self.stop.is_set():
            yield step
            step += 1

    def filters(self, gd):
        s, ledger = self.state, self.state.filters
        for step in self.steps():
            live = [name for _, name in ledger.live()]
            n = s.next_number()
            if len(live) >= MAX_FILTERS or (step % 4 == 3 and live):
                name = live[0]
                done = ledger.write({("filter", name): ABSENT}, lambda: gd.delete_filter(
                    DetectorId=s.detector_id, FilterName=name))
            elif step % 4 in (0, 2) or not live:
                name, tags = f"crash-{n}", {"owner": f"crash-{n}", "n": str(n)}
                value = filter_value(f"created {n}", n % 8 + 1, tags)
                done = ledger.write({("filter", name): value}, lambda: gd.create_filter(
                    DetectorId=s.detector_id, Name=name, Description=f"created {n}",
                    FindingCriteria=criteria(n % 8 + 1), Tags=tags))
            else:
                name = live[n % len(live)]
                description, severity, tags = ledger.value(("filter", name))
                tags = dict(tags)
                resource = arn(s.detector_id, f"filter/{name}")
                if n % 2:
                    value = filter_value(f"updated {n}", n % 8 + 1, tags)
                    call = lambda: gd.update_filter(  # noqa: E731
                        DetectorId=s.detector_id, FilterName=name, Description=f"updated {n}",
                        FindingCriteria=criteria(n % 8 + 1))
                elif "extra" in tags:
                    del tags["extra"]
                    value = filter_value(description, severity, tags)
                    call = lambda: gd.untag_resource(  # noqa: E731
                        ResourceArn=resource, TagKeys=["extra"])
                else:
                    tags["extra"] = str(n)
                    value = filter_value(description, severity, tags)
                    call = lambda: gd.tag_resource(  # noqa: E731
                        ResourceArn=resource, Tags={"extra": str(n)})
                done = ledger.write({("filter", name): value}, call)
            if done is None:
                return

    def threat_lists(self, gd):
        s, ledger = self.state, self.state.lists
        for _ in self.steps():
            n = s.next_number()
            location = s.list_locations[n % len(s.list_locations)]
            if ledger.value((IPSET.noun, "office")) == ABSENT:
                kind, name, tags = IPSET, "office", {"list": "trusted"}
            elif n % 3 == 0 and len(ledger.live()) < 1 + THREAT_INTEL_SET.limit:
                kind, name, tags = THREAT_INTEL_SET, f"feed-{n}", {"feed": f"feed-{n}"}
            else:
                key = ledger.live()[n % len(ledger.live())]
                kind = IPSET if key[0] == IPSET.noun else THREAT_INTEL_SET
                _, tags = ledger.value(key)
                done = ledger.write({key: (location, tags)}, lambda: kind.update(
                    gd, s.detector_id, s.list_ids[key], Location=location))
                if done is None:
                    return
                continue
            key = (kind.noun, name)
            set_id = ledger.write({key: (location, tuple(sorted(tags.items())))},
                                  lambda: kind.create(gd, s.detector_id, name=name,
                                                      location=location, activate=False,
                                                      Tags=tags))
            if set_id is None:
                return
            s.list_ids[key] = set_id

    def detector(self, gd):
        s, ledger = self.state, self.state.detector
        resource = arn(s.detector_id)
        frequencies = ["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"]
        for step in self.steps():
            n = s.next_number()
            tags = dict(ledger.value(("detector", "tags"), ()))
            if step % 3 == 2:
                frequency = frequencies[n % 3]
                done = ledger.write({("detector", "frequency"): frequency},
                                    lambda: gd.update_detector(
                                        DetectorId=s.detector_id,
                                        FindingPublishingFrequency=frequency))
            elif len(tags) >= MAX_DETECTOR_TAGS:
                oldest = min(tags, key=lambda key: int(key[1:]))
                del tags[oldest]
                done = ledger.write({("detector", "tags"): tuple(sorted(tags.items()))},
                                    lambda: gd.untag_resource(ResourceArn=resource,
                                                              TagKeys=[oldest]))
            else:
                tags[f"t{n}"] = f"v{n}"
                done = ledger.write({("detector", "tags"): tuple(sorted(tags.items()))},
                                    lambda: gd.tag_resource(ResourceArn=resource,
                                                            Tags={f"t{n}": f"v{n}"}))
            if done is None:
                return

    def findings(self, gd):
        s, ledger = self.state, self.state.samples
        sample_type = SAMPLE_TYPES[s.round]
        if ledger.write({("sample", sample_type): True}, lambda: gd.create_sample_findings(
                DetectorId=s.detector_id, FindingTypes=[sample_type])) is None:
            return
        ids = s.sample_ids(gd)
        for _ in self.steps():
            n = s.next_number()
            chosen = sorted(ids.values())[n % len(ids):][:2]
            if n % 2:
                archived = bool(n % 4 == 1)
                call = gd.archive_findings if archived else gd.unarchive_findings
                done = ledger.write({("archived", i): archived for i in chosen},
                                    lambda: call(DetectorId=s.detector_id, FindingIds=chosen))
            else:
                feedback = ("USEFUL", "NOT_USEFUL")[n % 4 // 2]
                done = ledger.write({("feedback", i): feedback for i in chosen},
                                    lambda: gd.update_findings_feedback(
                                        DetectorId=s.detector_id, FindingIds=chosen,
                                        Feedback=feedback, Comments=f"note {n}"))
            if done is None:
                return

    def post_flows(self, _gd):
        s = self.state
        for _ in self.steps():
            n = s.next_number()
            batch = flow_batch(n, s.flow_reference)
            s.batches.append(batch)
            if not self._post(batch):
                return

    def post_trails(self, _gd):
        s = self.state
        for _ in self.steps():
            batch = trail_batch(f"AKIACRASH{s.next_number():011d}", s.trail_reference)
            s.batches.append(batch)
            if not self._post(batch):
                return

    def _post(self, batch):
        try:
            status, doc = ingest(self.server, self.state.detector_id, batch.source, batch.body)
        except UNANSWERED:
            return False
        assert status == 200, (status, doc)
        batch.acked = True
        return True

    def drop_files(self, _gd):
        for _ in self.steps():
            self.state.drop_file()
            time.sleep(0.05)


def filter_value(description, severity, tags):
    return (description, severity, tuple(sorted(tags.items())))


def criteria(severity):
    return {"Criterion": {"severity": {"GreaterThanOrEqual": severity}}}


# --------------------------------------------------------------------------------------------
# The state the rounds share
# --------------------------------------------------------------------------------------------


class CrashState:
    def __init__(self, tmp_path, detector_id, flow_reference, trail_reference):
        self.tmp_path = tmp_path
        self.detector_id = detector_id
        self.flow_reference = flow_reference
        self.trail_reference = trail_reference
        self.round = 0
        self.filters = Ledger("filters")
        self.lists = Ledger("IPSets and ThreatIntelSets")
        self.detector = Ledger("detector")
        self.samples = Ledger("findings")
        self.batches = []  # POSTed
        self.files = []  # dropped into the watched folder
        self.list_ids = {}  # {(kind, name): id} of the IPSets and ThreatIntelSets
        self._numbers = iter(range(1, 10**9))
        self._lock = threading.Lock()
        lists = tmp_path / "lists"
        lists.mkdir()
        self.list_locations = []
        for number in (1, 2):
            (lists / f"{number}.txt").write_text(f"198.51.100.{number}\n")
            self.list_locations.append((lists / f"{number}.txt").as_uri())

    def ledgers(self):
        return [self.filters, self.lists, self.detector, self.samples]

    def next_number(self):
        with self._lock:
            return next(self._numbers)

    def drop_file(self):
        n = self.next_number()
        batch = flow_batch(n, self.flow_reference)
        path = flow_dir(self.tmp_path / "watched") / f"{ACCOUNT_A}_vpcflowlogs_{n:06d}.log"
        land(path, batch.body)  # renamed into place: never seen half-written
        batch.acked = True  # a file in the folder must be processed, whatever happens
        self.files.append(batch)

    def sample_ids(self, gd):
        """{type: finding id} of the sample findings."""
        found = all_findings(gd, self.detector_id, {"Criterion": {"type": {"Eq": SAMPLE_TYPES}}})
        return {f["Type"]: f["Id"] for f in found}


# --------------------------------------------------------------------------------------------
# Reading back
# --------------------------------------------------------------------------------------------


def read_back(state, gd):
    """Everything the ledgers describe, as the restarted server reports it."""
    actual = {}
    detector_id = state.detector_id
    names = gd.list_filters(DetectorId=detector_id, MaxResults=50)
    assert "NextToken" not in names, "more filters than the filter client keeps"
    for name in names["FilterNames"]:
        got = gd.get_filter(DetectorId=detector_id, FilterName=name)
        tags = gd.list_tags_for_resource(ResourceArn=arn(detector_id, f"filter/{name}"))["Tags"]
        assert got.get("Tags", {}) == tags, (got, tags)
        severity = got["FindingCriteria"]["Criterion"]["severity"]["GreaterThanOrEqual"]
        actual[("filter", name)] = filter_value(got.get("Description"), severity, tags)
    state.list_ids = {}
    for kind in (IPSET, THREAT_INTEL_SET):
        for set_id in kind.list(gd, detector_id)[kind.list_key]:
            got = kind.get(gd, detector_id, set_id)
            key = (kind.noun, got["Name"])
            assert key not in actual, f"two {kind.noun}s named {got['Name']}"
            actual[key] = (got["Location"], tuple(sorted(got.get("Tags", {}).items())))
            state.list_ids[key] = set_id
    detector = strip_metadata(gd.get_detector(DetectorId=detector_id))
    actual[("detector", "tags")] = tuple(sorted(detector.get("Tags", {}).items()))
    actual[("detector", "frequency")] = detector["FindingPublishingFrequency"]
    findings = all_findings(gd, detector_id)
    for finding in findings:
        if finding["Type"] not in SAMPLE_TYPES:
            continue
        actual[("sample", finding["Type"])] = True
        service = finding["Service"]
        actual[("archived", finding["Id"])] = service["Archived"]
        if "UserFeedback" in service:
            actual[("feedback", finding["Id"])] = service["UserFeedback"]
    return actual, findings


def check_ledgers(state, actual):
    problems = []
    owned = set()
    for ledger in state.ledgers():
        problems += ledger.check(actual)
        owned |= ledger.keys()
    # Archive state is read for every sample finding; a key no client wrote must be in its
    # initial state (a sample is not archived and has no feedback).
    for key, value in actual.items():
        if key in owned:
            continue
        if key[0] == "archived" and value is False:
            continue
        if key == ("detector", "tags") and value == ():
            continue
        if key == ("detector", "frequency") and value == "SIX_HOURS":
            continue
        problems.append(f"{key} = {value!r} was never written by a client")
    assert not problems, "\n".join(problems)
    for ledger in state.ledgers():
        ledger.settle(actual)


def check_findings(state, findings, gd):
    """Each batch's findings are all there with the counts of one ingestion (acknowledged
    batches and processed files) or absent altogether (a POST that got no answer)."""
    by_actor = findings_by_actor(f for f in findings if f["Type"] not in SAMPLE_TYPES)
    problems = []
    for batch in state.batches + state.files:
        got = by_actor.pop(batch.actor, {})
        if got != batch.reference and (batch.acked or got):
            problems.append(f"{batch.source} batch of {batch.actor} "
                            f"({'acknowledged' if batch.acked else 'unanswered'}): findings {got}, "
                            f"one ingestion makes {batch.reference}")
    problems += [f"findings of no batch: {actor} {counts}" for actor, counts in by_actor.items()]
    assert not problems, "\n".join(problems)
    # The statistics (from the indexed columns) agree with the findings (from the documents).
    statistics = gd.get_findings_statistics(DetectorId=state.detector_id,
                                            FindingStatisticTypes=["COUNT_BY_SEVERITY"])
    counted = sum(statistics["FindingStatistics"]["CountBySeverity"].values())
    assert counted == len(findings), (counted, len(findings))


def check_watched_folder(state, server):
    """Every dropped file processed exactly once, and totals that add up."""
    folder = wait_for(server, "flowlogs", processed(len(state.files)),
                      f"{len(state.files)} files processed")
    records = len(state.files[0].body.decode().splitlines()) if state.files else 0
    assert (folder["filesProcessed"], folder["filesFailed"], folder["filesPending"]) == (
        len(state.files), 0, 0), folder
    assert folder["records"] == records * len(state.files), folder
    assert folder["rejected"] == 0, folder
    assert folder["findingsCreated"] == len(state.flow_reference) * len(state.files), folder
    assert folder["findingsUpdated"] == 0, folder


def retry_unanswered_trails(state, server):
    """Send again every CloudTrail upload that got no answer, as a client would."""
    for batch in state.batches:
        if batch.source == "cloudtrail" and not batch.acked:
            ingest_ok(server, state.detector_id, "cloudtrail", batch.body)
            batch.acked = True


def integrity_check(data_dir):
    with contextlib.closing(sqlite3.connect(data_dir / "vigil.db")) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []


# --------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------


def reference_counts(server, source, batch):
    """{type: count} that one ingestion of `batch` makes, from a detector of ACCOUNT_B."""
    client = server.client(ACCOUNT_B)
    detector_id = client.create_detector(Enable=True)["DetectorId"]
    doc = ingest_ok(server, detector_id, source, batch.body, account=ACCOUNT_B)
    counts = findings_by_actor(all_findings(client, detector_id))
    assert list(counts) == [batch.actor], counts
    assert doc["findingsCreated"] == len(counts[batch.actor]) == 2, doc
    client.delete_detector(DetectorId=detector_id)
    return counts[batch.actor]


def test_acknowledged_writes_survive_sigkill(tmp_path):
    seed = random.randrange(1 << 30)
    print(f"crash-safety seed {seed}")
    rng = random.Random(seed)
    data_dir, watched = tmp_path / "data", tmp_path / "watched"
    watched.mkdir()
    server = VigilServer(data_dir=data_dir, extra_args=[
        "--account", ACCOUNT_A, "--watch", f"flowlogs={watched}"])
    server.start()
    try:
        gd = server.client()
        state = CrashState(
            tmp_path, gd.create_detector(Enable=True)["DetectorId"],
            reference_counts(server, "flowlogs", flow_batch(0, None)),
            reference_counts(server, "cloudtrail", trail_batch("AKIACRASHREFERENCE01", None)))
        for round_number in range(ROUNDS):
            state.round = round_number
            Clients(state, server).run(rng.uniform(*KILL_AFTER))
            integrity_check(data_dir)
            state.drop_file()  # lands while the server is down
            server.start()
            gd = server.client()
            retry_unanswered_trails(state, server)
            check_watched_folder(state, server)
            actual, findings = read_back(state, gd)
            check_ledgers(state, actual)
            check_findings(state, findings, gd)
        assert any(batch.acked for batch in state.batches), "no ingest was acknowledged"
        assert state.filters.acked, "no filter write was acknowledged"
    finally:
        rc = server.stop()
    assert rc == 0, f"vigil exited with {rc} after SIGTERM:\n{server.stderr()}"
