#!/usr/bin/python3
"""Soak benchmark: a real `vigil serve` under a steady mix of API reads, API writes and log
ingest from several connections for a bounded time; reports throughput, p50/p99 latency and
errors per operation, and whether the server's memory stayed flat.

    bench/soak.py [VIGIL_BIN]          (make bench-soak)

It starts its own server on a free loopback port with its SQLite store in a temporary
directory, seeds one detector with findings, then runs worker processes (one keep-alive
connection each; processes, not threads, so the load generator is not held to one core by
the GIL) until SOAK_SECONDS have passed. Environment:

    SOAK_SECONDS   how long the mixed load runs (default 180)
    SOAK_WARMUP    seconds after which the "warm" RSS is taken (default 30)
    SOAK_READERS   API read connections (default 3)
    SOAK_WRITERS   API write connections (default 2)
    SOAK_INGESTERS ingest connections, alternating flow logs and CloudTrail (default 2)
    SOAK_KEEP_DATA if set, the data directory (store, server log) is kept for inspection

The load is a steady state, so that memory growth means the server keeps something it
should not: the attackers come from small pools, so findings are updated rather than
created; filters and tags are created and deleted again; and the CloudTrail events carry no
eventID. Events with an id are remembered for 90 days to count re-deliveries once, and the
store's 256 MiB SQLite page cache would hold those new pages, so RSS would follow the store
on disk by design. Memory is "flat" when the RSS at the end is at most the warm RSS plus
10 %: the first seconds fill the page cache, the rule windows and the allocator's arenas. Exit status: 0 when every request
succeeded, the server stayed up, stopped cleanly on SIGTERM and its memory stayed flat; 1
otherwise. Only 127.0.0.1 is ever contacted.
"""

import gzip
import http.client
import json
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))
import test_detection as logs  # noqa: E402  (the integration tests' log generators)
from conftest import REGION, arn, auth_header, free_port, quote_arn  # noqa: E402

ACCOUNT = logs.ACCOUNT
AUTHORIZATION = auth_header(ACCOUNT, REGION)
SAMPLE_INTERVAL = 30.0  # seconds between RSS samples
FLAT_TOLERANCE = 0.10  # end RSS may exceed the warm RSS by this fraction
STOP_TIMEOUT = 30.0
SEVERE = {"severity": {"gte": 4}}
CRITERIA = {"criterion": {**SEVERE, "service.archived": {"eq": ["false"]}}}


# --------------------------------------------------------------------------------------------
# One keep-alive connection
# --------------------------------------------------------------------------------------------


class Connection:
    """A keep-alive HTTP/1.1 connection to the server that reconnects after a failure."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def call(self, method, path, body=None, content_type="application/json"):
        """Send one request; return (status, body bytes). Raises OSError/HTTPException on
        a transport failure (after dropping the connection)."""
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
        headers = {"Authorization": AUTHORIZATION}
        if body is not None:
            headers["Content-Type"] = content_type
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise


# --------------------------------------------------------------------------------------------
# What each kind of worker sends
# --------------------------------------------------------------------------------------------


def read_operations(detector_id, finding_ids, rng):
    """The read mix, one request per step: (operation name, method, path, body)."""
    base = f"/detector/{detector_id}"
    while True:
        yield "GetDetector", "GET", base, None
        yield "ListFindings", "POST", base + "/findings", {
            "findingCriteria": CRITERIA, "maxResults": 50,
            "sortCriteria": {"attributeName": "updatedAt", "orderBy": "DESC"}}
        yield "GetFindings", "POST", base + "/findings/get", {
            "findingIds": rng.sample(finding_ids, min(25, len(finding_ids)))}
        yield "GetFindingsStatistics", "POST", base + "/findings/statistics", {
            "findingStatisticTypes": ["COUNT_BY_SEVERITY"],
            "findingCriteria": {"criterion": SEVERE}}
        yield "ListFilters", "GET", base + "/filter?maxResults=50", None


def write_operations(detector_id, finding_ids, rng, worker):
    """The write mix: each cycle creates a filter, updates it, tags and untags it, archives
    and unarchives a few findings, and deletes the filter, so nothing accumulates."""
    base = f"/detector/{detector_id}"
    cycle = 0
    while True:
        cycle += 1
        name = f"soak-{worker}-{cycle}"
        resource = quote_arn(arn(detector_id, f"filter/{name}", account=ACCOUNT))
        some_findings = rng.sample(finding_ids, min(5, len(finding_ids)))
        yield "CreateFilter", "POST", base + "/filter", {
            "name": name, "action": "NOOP", "rank": 1, "description": "soak",
            "findingCriteria": {"criterion": {"type": {"eq": [logs.SSH_BRUTE]}}}}
        yield "UpdateFilter", "POST", f"{base}/filter/{name}", {
            "description": f"soak cycle {cycle}",
            "findingCriteria": {"criterion": {"severity": {"gte": rng.randint(1, 8)}}}}
        yield "TagResource", "POST", f"/tags/{resource}", {
            "tags": {"team": "soak", "cycle": str(cycle)}}
        yield "UntagResource", "DELETE", f"/tags/{resource}?tagKeys=cycle", None
        yield "ArchiveFindings", "POST", base + "/findings/archive", {"findingIds": some_findings}
        yield "UnarchiveFindings", "POST", base + "/findings/unarchive", {
            "findingIds": some_findings}
        yield "DeleteFilter", "DELETE", f"{base}/filter/{name}", None


# Log time runs LOG_TIME_SPEEDUP times faster than the wall clock from a day ago, the same
# for every worker (they fork after main() set it): the rules keep up to ~25 minutes of log
# time, so their windows turn over every ~13 s and the soak exercises their eviction.
LOG_TIME_SPEEDUP = 120
log_time_origin = (time.time(), time.time() - 86400)


def log_now():
    """The present moment of the generated logs, in epoch seconds."""
    wall_start, log_start = log_time_origin
    return int(log_start + (time.time() - wall_start) * LOG_TIME_SPEEDUP)


def flow_log_batch(rng):
    """About 1,000 gzip flow records of the last few log minutes: benign traffic of 20 of
    200 instances (each its own interface and address), an SSH brute force and a port scan
    from pools of 50 attackers and 50 targets, so the findings repeat (updates) and the
    rules' windows see a realistic spread of keys."""
    now = log_now()
    lines = []
    for _ in range(20):
        instance = rng.randrange(200)
        eni = f"eni-{instance:017x}"
        local = f"10.0.{instance // 100}.{instance % 100 + 10}"
        lines += logs.benign_flows(now - rng.randrange(300), eni=eni, local=local)
    lines += logs.brute_force(f"45.155.205.{rng.randrange(50)}", now - 250, attempts=25,
                              local=logs.LOCAL_IP, first_port=rng.randrange(20000, 40000))
    lines += logs.port_scan(f"45.33.32.{rng.randrange(50)}", now - 120, ports=60,
                            first_port=rng.randrange(1000, 9000))
    rng.shuffle(lines)
    return gzip.compress(logs.text(lines).encode(), compresslevel=1)


def cloudtrail_batch(rng):
    """A CloudTrail file: everyday management events plus root credential use and a Kali
    Linux user agent (from a pool of 50 addresses), the way a delivery of a few minutes'
    activity looks."""
    now = log_now()
    events = []
    for _ in range(10):
        events += logs.benign_events(now - rng.randrange(600))
    events.append(logs.ct_event("DescribeInstances", "ec2.amazonaws.com", t=now - 30,
                                identity=logs.root_user(), read_only=True))
    events.append(logs.ct_event("ListUsers", "iam.amazonaws.com", t=now - 20,
                                agent=logs.KALI_AGENT, read_only=True,
                                ip=f"86.12.40.{rng.randrange(100, 150)}"))
    for event in events:
        del event["eventID"]  # see the module comment: evaluated every time, never claimed
    return logs.trail_file(events).encode()


def ingest_operations(detector_id, finding_ids, rng, worker):
    del finding_ids  # ingest finds its own
    while True:
        if worker % 2 == 0:
            yield ("Ingest flowlogs", "POST", f"/_vigil/ingest/{detector_id}/flowlogs",
                   flow_log_batch(rng))
        else:
            yield ("Ingest cloudtrail", "POST", f"/_vigil/ingest/{detector_id}/cloudtrail",
                   cloudtrail_batch(rng))


# --------------------------------------------------------------------------------------------
# Workers
# --------------------------------------------------------------------------------------------


def run_worker(kind, worker, port, detector_id, finding_ids, deadline, results):
    """Send `kind`'s mix until `deadline` (time.time()); put {operation: ([latency],
    errors, [first error messages])} on `results`."""
    rng = random.Random(f"{kind}-{worker}")
    if kind == "read":
        operations = read_operations(detector_id, finding_ids, rng)
    elif kind == "write":
        operations = write_operations(detector_id, finding_ids, rng, worker)
    else:
        operations = ingest_operations(detector_id, finding_ids, rng, worker)
    connection = Connection(port)
    stats = {}
    for name, method, path, body in operations:
        if time.time() >= deadline:
            break
        latencies, errors, messages = stats.setdefault(name, ([], [0], []))
        content_type = "application/octet-stream" if name.startswith("Ingest") else (
            "application/json")
        started = time.perf_counter()
        try:
            status, answer = connection.call(method, path, body, content_type)
        except (OSError, http.client.HTTPException) as error:
            status, answer = None, repr(error).encode()
        latencies.append(time.perf_counter() - started)
        if status not in (200, 204):
            errors[0] += 1
            if len(messages) < 3:
                messages.append(f"{status}: {answer[:300].decode('utf-8', 'replace')}")
    results.put({name: (lat, err[0], msg) for name, (lat, err, msg) in stats.items()})


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


def start_server(binary, data_dir):
    port = free_port()
    log = open(data_dir / "server.log", "wb")
    proc = subprocess.Popen(
        [binary, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", str(data_dir / "store"),
         "--log-level", "warn"], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/_vigil/health")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    proc.wait()
    sys.exit(f"vigil serve did not start:\n{(data_dir / 'server.log').read_text()[-4000:]}")


def memory_mib(pid, field="VmRSS"):
    """A /proc/PID/status memory line in MiB: VmRSS, or its parts RssAnon (heap, SQLite's
    page cache) and RssFile (the binary and the store's memory-mapped pages)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def memory_line(pid, store):
    """RSS, its anonymous and file-backed parts, and the store's size on disk."""
    on_disk = sum(path.stat().st_size for path in store.glob("*") if path.is_file()) / 2**20
    return (f"RSS {memory_mib(pid):7.1f} MiB (anon {memory_mib(pid, 'RssAnon'):6.1f}, file "
            f"{memory_mib(pid, 'RssFile'):6.1f}), store {on_disk:6.1f} MiB on disk")


def cpu_seconds(pid):
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def expect_ok(connection, method, path, body=None, content_type="application/json"):
    status, answer = connection.call(method, path, body, content_type)
    if status not in (200, 204):
        sys.exit(f"setup: {method} {path} answered {status}: {answer[:500]!r}")
    return json.loads(answer) if answer else {}


def seed(port):
    """A detector with sample findings and findings from a first ingest of each source;
    returns (detector id, up to 500 finding ids)."""
    connection = Connection(port)
    detector_id = expect_ok(connection, "POST", "/detector", {"enable": True})["detectorId"]
    base = f"/detector/{detector_id}"
    expect_ok(connection, "POST", base + "/findings/create", {})
    rng = random.Random(0)
    for _ in range(5):
        expect_ok(connection, "POST", f"/_vigil/ingest/{detector_id}/flowlogs",
                  flow_log_batch(rng), "application/octet-stream")
        expect_ok(connection, "POST", f"/_vigil/ingest/{detector_id}/cloudtrail",
                  cloudtrail_batch(rng), "application/octet-stream")
    finding_ids, token = [], None
    while len(finding_ids) < 500:
        page = expect_ok(connection, "POST", base + "/findings",
                         {"maxResults": 50, **({"nextToken": token} if token else {})})
        finding_ids += page["findingIds"]
        token = page.get("nextToken")
        if not token:
            break
    return detector_id, finding_ids


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def finding_count(port, detector_id):
    """How many findings the detector has (the sum of COUNT_BY_SEVERITY over all)."""
    _, answer = Connection(port).call("POST", f"/detector/{detector_id}/findings/statistics",
                                      {"findingStatisticTypes": ["COUNT_BY_SEVERITY"]})
    return sum(json.loads(answer)["findingStatistics"]["countBySeverity"].values())


READ_NAMES = ("GetDetector", "ListFindings", "GetFindings", "GetFindingsStatistics",
              "ListFilters")
WRITE_NAMES = ("CreateFilter", "UpdateFilter", "TagResource", "UntagResource",
               "ArchiveFindings", "UnarchiveFindings", "DeleteFilter")
INGEST_NAMES = ("Ingest flowlogs", "Ingest cloudtrail")


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, int(round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def print_row(label, latencies, errors, seconds):
    """One table row; `latencies` sorted."""
    print(f"{label:<24}{len(latencies):>10}{len(latencies) / seconds:>10.1f}"
          f"{percentile(latencies, 0.5) * 1e3:>10.2f}{percentile(latencies, 0.99) * 1e3:>10.2f}"
          f"{latencies[-1] * 1e3 if latencies else float('nan'):>10.1f}{errors:>8}")


def report(merged, seconds):
    print(f"\n{'operation':<24}{'requests':>10}{'per s':>10}{'p50 ms':>10}{'p99 ms':>10}"
          f"{'max ms':>10}{'errors':>8}")
    total_errors = 0
    for name in [name for name in READ_NAMES + WRITE_NAMES + INGEST_NAMES if name in merged]:
        latencies, errors, _ = merged[name]
        total_errors += errors
        print_row(name, sorted(latencies), errors, seconds)
    for kind, names in (("all reads", READ_NAMES), ("all writes", WRITE_NAMES),
                        ("all ingest", INGEST_NAMES)):
        latencies = sorted(value for name in names if name in merged for value in merged[name][0])
        errors = sum(merged[name][1] for name in names if name in merged)
        print_row(kind, latencies, errors, seconds)
    for name in sorted(merged):
        for message in merged[name][2]:
            print(f"  error in {name}: {message}")
    return total_errors


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "VIGIL_BIN", str(REPO / "build" / "vigil"))
    seconds = float(os.environ.get("SOAK_SECONDS", "180"))
    warmup = min(float(os.environ.get("SOAK_WARMUP", "30")), seconds)
    workers = [("read", i) for i in range(int(os.environ.get("SOAK_READERS", "3")))]
    workers += [("write", i) for i in range(int(os.environ.get("SOAK_WRITERS", "2")))]
    workers += [("ingest", i) for i in range(int(os.environ.get("SOAK_INGESTERS", "2")))]

    global log_time_origin
    log_time_origin = (time.time(), time.time() - 86400)
    data_dir = Path(tempfile.mkdtemp(prefix="vigil-soak-"))
    proc, port = start_server(binary, data_dir)
    problems = []
    try:
        store = data_dir / "store"
        rss_start = memory_mib(proc.pid)
        start_line = memory_line(proc.pid, store)
        detector_id, finding_ids = seed(port)
        print(f"vigil soak: {os.cpu_count()} cores, {seconds:.0f} s, {len(workers)} connections "
              f"({', '.join(f'{sum(1 for k, _ in workers if k == kind)} {kind}' for kind in ('read', 'write', 'ingest'))}), "
              f"store on disk in {data_dir}, {len(finding_ids)} findings sampled for reads")
        print(f"       0 s  {start_line}  (start, before seeding)")

        context = multiprocessing.get_context("fork")
        results = context.Queue()
        started = time.time()
        deadline = started + seconds
        load_at_start = os.getloadavg()[0]
        server_cpu_before = cpu_seconds(proc.pid)
        processes = [context.Process(target=run_worker, args=(kind, index, port, detector_id,
                                                              finding_ids, deadline, results))
                     for kind, index in workers]
        for process in processes:
            process.start()

        next_sample = SAMPLE_INTERVAL
        warm_rss = None
        while time.time() < deadline:
            elapsed = time.time() - started
            warming_done = warm_rss is None and elapsed >= warmup
            if warming_done or elapsed >= next_sample:
                rss = memory_mib(proc.pid)
                if warming_done:
                    warm_rss = rss
                if elapsed >= next_sample:
                    next_sample += SAMPLE_INTERVAL
                note = f", {finding_count(port, detector_id)} findings"
                note += "  (after warm-up)" if warming_done else ""
                print(f"  {elapsed:6.0f} s  {memory_line(proc.pid, store)}{note}", flush=True)
            if proc.poll() is not None:
                problems.append("vigil serve died under load")
                break
            time.sleep(min(1.0, max(0.0, deadline - time.time())))

        merged = {}
        for _ in processes:
            for name, (latencies, errors, messages) in results.get(timeout=120).items():
                into = merged.setdefault(name, ([], 0, []))
                merged[name] = (into[0] + latencies, into[1] + errors, into[2] + messages)
        for process in processes:
            process.join()
        elapsed = time.time() - started
        if proc.poll() is None:
            rss_end = memory_mib(proc.pid)
            server_cpu = cpu_seconds(proc.pid) - server_cpu_before
            print(f"  {elapsed:6.0f} s  {memory_line(proc.pid, store)}, "
                  f"{finding_count(port, detector_id)} findings  (end)")
        else:
            rss_end, server_cpu = float("nan"), float("nan")

        errors = report(merged, elapsed)
        print(f"\nmachine load average (1 min) at start {load_at_start:.1f}, at the end "
              f"{os.getloadavg()[0]:.1f}")
        requests = sum(len(latencies) for latencies, _, _ in merged.values())
        print(f"{requests} requests in {elapsed:.0f} s ({requests / elapsed:.0f}/s), {errors} errors")
        workers_cpu = os.times().children_user + os.times().children_system  # joined workers
        print(f"CPU: the server {server_cpu:.0f} s = {server_cpu / elapsed:.2f} cores on average, "
              f"the load generator {workers_cpu:.0f} s = {workers_cpu / elapsed:.2f} cores, of "
              f"{os.cpu_count()}")
        if warm_rss is None:
            warm_rss = rss_start
        limit = warm_rss * (1 + FLAT_TOLERANCE)
        flat = rss_end <= limit
        print(f"RSS: start {rss_start:.1f} MiB, after warm-up {warm_rss:.1f} MiB, end "
              f"{rss_end:.1f} MiB: {'flat' if flat else 'NOT flat'} (flat = end <= warm-up "
              f"+ {FLAT_TOLERANCE:.0%} = {limit:.1f} MiB)")
        if errors:
            problems.append(f"{errors} requests failed")
        if not flat:
            problems.append("memory did not stay flat")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                problems.append(f"vigil serve did not stop within {STOP_TIMEOUT:.0f} s of SIGTERM")
        if proc.returncode not in (0, None):
            problems.append(f"vigil serve exited with {proc.returncode} after SIGTERM")
        log = (data_dir / "server.log").read_text(errors="replace")
        if os.environ.get("SOAK_KEEP_DATA"):
            print(f"data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    if problems:
        print("\nserver log (end):\n" + log[-4000:] if log.strip() else "")
        print("FAILED: " + "; ".join(problems))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
