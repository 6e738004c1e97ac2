"""GetUsageStatistics and GetRemainingFreeTrialDays: figures from Vigil's own ingest counters."""

import pytest

from conftest import ACCOUNT_A, ACCOUNT_B, assert_json_error, expect_error, strip_metadata
from test_detection import (
    ALICE_KEY,
    BOB_KEY,
    INSTANCE,
    ct_event,
    dns_query,
    flow,
    iam_user,
    ingest_ok,
    text,
    trail_file,
)
from test_members import associate

ENI_A = "eni-0aaaaaaaaaaaaaaa1"
ENI_B = "eni-0bbbbbbbbbbbbbbb2"
ALL_SOURCES = ["FLOW_LOGS", "CLOUD_TRAIL", "DNS_LOGS"]


def flow_body():
    """Three records of ENI_A, two of ENI_B (default format: no instance id)."""
    lines = [flow("10.0.0.5", "52.94.236.248", 40000 + i, 443, 1700000000 + i, eni=ENI_A)
             for i in range(3)]
    lines += [flow("10.0.0.6", "52.94.236.248", 41000 + i, 443, 1700000000 + i, eni=ENI_B)
              for i in range(2)]
    return text(lines)


def usage(client, detector_id, kind, sources=ALL_SOURCES, **extra):
    criteria = {"DataSources": sources}
    criteria.update(extra.pop("criteria", {}))
    response = client.get_usage_statistics(DetectorId=detector_id, UsageStatisticType=kind,
                                           UsageCriteria=criteria, **extra)
    return response


def totals(entries, key):
    return {entry[key]: (entry["Total"]["Amount"], entry["Total"]["Unit"]) for entry in entries}


def test_sums_count_what_was_ingested(vigil, gd, detector_id):
    body = flow_body()
    ingest_ok(vigil, detector_id, "flowlogs", body)
    ingest_ok(vigil, detector_id, "flowlogs", body, compress=True)  # counted once inflated
    nbytes = str(2 * len(body.encode()))

    by_source = usage(gd, detector_id, "SUM_BY_DATA_SOURCE",
                      ALL_SOURCES + ["S3_LOGS"])["UsageStatistics"]["SumByDataSource"]
    assert totals(by_source, "DataSource") == {
        "FLOW_LOGS": (nbytes, "BYTES"), "CLOUD_TRAIL": ("0", "BYTES"), "DNS_LOGS": ("0", "BYTES"),
        "S3_LOGS": ("0", "BYTES")}
    by_account = usage(gd, detector_id, "SUM_BY_ACCOUNT")["UsageStatistics"]["SumByAccount"]
    assert totals(by_account, "AccountId") == {ACCOUNT_A: (nbytes, "BYTES")}
    in_records = usage(gd, detector_id, "SUM_BY_ACCOUNT", Unit="RECORDS")
    assert totals(in_records["UsageStatistics"]["SumByAccount"], "AccountId") == {
        ACCOUNT_A: ("10", "RECORDS")}
    only_cloudtrail = usage(gd, detector_id, "SUM_BY_ACCOUNT", ["CLOUD_TRAIL"])
    assert totals(only_cloudtrail["UsageStatistics"]["SumByAccount"], "AccountId") == {
        ACCOUNT_A: ("0", "BYTES")}


def test_resources_of_each_source(vigil, gd, detector_id):
    ingest_ok(vigil, detector_id, "flowlogs", flow_body())
    ingest_ok(vigil, detector_id, "cloudtrail", trail_file(
        [ct_event("ListBuckets", "s3.amazonaws.com", identity=iam_user("alice", ALICE_KEY)),
         ct_event("ListBuckets", "s3.amazonaws.com", identity=iam_user("bob", BOB_KEY)),
         ct_event("GetCallerIdentity", "sts.amazonaws.com", identity=iam_user("bob", BOB_KEY))]))
    ingest_ok(vigil, detector_id, "dns", text([dns_query("github.com"), dns_query("debian.org")]))

    by_resource = usage(gd, detector_id, "SUM_BY_RESOURCE")
    assert "NextToken" not in by_resource
    assert totals(by_resource["UsageStatistics"]["SumByResource"], "Resource") == {
        ENI_A: ("3", "RECORDS"), ENI_B: ("2", "RECORDS"), ALICE_KEY: ("1", "RECORDS"),
        BOB_KEY: ("2", "RECORDS"), INSTANCE: ("2", "RECORDS")}
    dns_only = usage(gd, detector_id, "SUM_BY_RESOURCE", ["DNS_LOGS"])
    assert totals(dns_only["UsageStatistics"]["SumByResource"], "Resource") == {
        INSTANCE: ("2", "RECORDS")}
    named = usage(gd, detector_id, "SUM_BY_RESOURCE", criteria={"Resources": [ENI_B, BOB_KEY]})
    assert totals(named["UsageStatistics"]["SumByResource"], "Resource") == {
        ENI_B: ("2", "RECORDS"), BOB_KEY: ("2", "RECORDS")}


def test_top_resources_page_in_order(vigil, gd, detector_id):
    ingest_ok(vigil, detector_id, "flowlogs", flow_body())
    ingest_ok(vigil, detector_id, "dns", text([dns_query("github.com")]))
    seen, token = [], None
    while True:
        extra = {"NextToken": token} if token else {}
        page = usage(gd, detector_id, "TOP_RESOURCES", MaxResults=1, **extra)
        entries = page["UsageStatistics"]["TopResources"]
        assert len(entries) == 1, page
        seen.append((entries[0]["Resource"], entries[0]["Total"]["Amount"]))
        token = page.get("NextToken")
        if not token:
            break
    assert seen == [(ENI_A, "3"), (ENI_B, "2"), (INSTANCE, "1")]


def test_a_failed_batch_counts_nothing_and_detectors_count_apart(vigil, gd, gd_b, detector_id):
    detector_b = gd_b.create_detector(Enable=True)["DetectorId"]
    ingest_ok(vigil, detector_b, "flowlogs", flow_body(), account=ACCOUNT_B)
    status, _, _ = vigil.request("POST", f"/_vigil/ingest/{detector_id}/flowlogs",
                                 b"\x1f\x8b\x08\x00corrupt gzip", account=ACCOUNT_A)
    assert status == 400
    mine = usage(gd, detector_id, "SUM_BY_DATA_SOURCE", ["FLOW_LOGS"])
    assert totals(mine["UsageStatistics"]["SumByDataSource"], "DataSource") == {
        "FLOW_LOGS": ("0", "BYTES")}
    theirs = usage(gd_b, detector_b, "SUM_BY_ACCOUNT", Unit="RECORDS")
    assert totals(theirs["UsageStatistics"]["SumByAccount"], "AccountId") == {
        ACCOUNT_B: ("5", "RECORDS")}
    # Account A's usage holds no other account, even when asked for it.
    other = usage(gd, detector_id, "SUM_BY_ACCOUNT", criteria={"AccountIds": [ACCOUNT_B]})
    assert other["UsageStatistics"]["SumByAccount"] == []


def test_usage_goes_with_its_detector(vigil, gd, detector_id):
    ingest_ok(vigil, detector_id, "flowlogs", flow_body())
    gd.delete_detector(DetectorId=detector_id)
    detector_id = gd.create_detector(Enable=True)["DetectorId"]
    fresh = usage(gd, detector_id, "SUM_BY_RESOURCE")
    assert fresh["UsageStatistics"]["SumByResource"] == []


@pytest.mark.parametrize("change, param", [
    ({"UsageStatisticType": "SUM_BY_REGION"}, "usageStatisticsType"),
    ({"UsageCriteria": {"DataSources": ["FLOW_LOG"]}}, "usageCriteria.dataSources"),
    ({"UsageCriteria": {"DataSources": []}}, "usageCriteria.dataSources"),
    ({"UsageCriteria": {}}, "usageCriteria.dataSources"),
    ({"UsageCriteria": {"DataSources": ["FLOW_LOGS"], "AccountIds": ["12345"]}},
     "usageCriteria.accountIds"),
    ({"UsageCriteria": {"DataSources": ["FLOW_LOGS"], "AccountIds": ["12345678901x"]}},
     "usageCriteria.accountIds"),
    ({"Unit": "USD"}, "unit"),
    ({"UsageStatisticType": "TOP_RESOURCES", "Unit": "BYTES"}, "unit"),
    ({"MaxResults": 51}, "maxResults"),
    ({"NextToken": "not-a-token"}, "nextToken"),
])
def test_bad_requests_are_refused(gd_raw, detector_id, change, param):
    params = {"DetectorId": detector_id, "UsageStatisticType": "SUM_BY_ACCOUNT",
              "UsageCriteria": {"DataSources": ["FLOW_LOGS"]}}
    params.update(change)
    expect_error(lambda: gd_raw.get_usage_statistics(**params), param=param, invalid_input=True)


def test_missing_type_and_criteria_are_refused(raw_http, detector_id):
    for body, param in [({"usageCriteria": {"dataSources": ["FLOW_LOGS"]}}, "usageStatisticsType"),
                        ({"usageStatisticsType": "SUM_BY_ACCOUNT"}, "usageCriteria")]:
        status, headers, raw = raw_http("POST", f"/detector/{detector_id}/usage/statistics",
                                        body, account=ACCOUNT_A)
        assert_json_error(status, headers, raw, param=param)


def test_no_free_trial(gd, detector_id):
    mine = strip_metadata(gd.get_remaining_free_trial_days(DetectorId=detector_id))
    assert mine == {"Accounts": [{"AccountId": ACCOUNT_A, "DataSources": {}}],
                    "UnprocessedAccounts": []}
    asked = gd.get_remaining_free_trial_days(DetectorId=detector_id,
                                             AccountIds=[ACCOUNT_A, ACCOUNT_B])
    assert asked["Accounts"] == [{"AccountId": ACCOUNT_A, "DataSources": {}}]
    assert [u["AccountId"] for u in asked["UnprocessedAccounts"]] == [ACCOUNT_B]
    assert asked["UnprocessedAccounts"][0]["Result"]


def test_free_trial_account_ids_are_checked(gd_raw, detector_id):
    expect_error(lambda: gd_raw.get_remaining_free_trial_days(DetectorId=detector_id,
                                                              AccountIds=["1234"]),
                 param="accountIds", invalid_input=True)
    expect_error(lambda: gd_raw.get_remaining_free_trial_days(DetectorId=detector_id,
                                                              AccountIds=[]),
                 param="accountIds", invalid_input=True)


def test_an_administrator_sees_its_members_usage(vigil, gd, gd_b, detector_id):
    member_detector = gd_b.create_detector(Enable=True)["DetectorId"]
    ingest_ok(vigil, detector_id, "flowlogs", flow_body())
    ingest_ok(vigil, member_detector, "dns", text([dns_query("github.com")]), account=ACCOUNT_B)
    # Before B is a member, A sees only its own usage.
    alone = usage(gd, detector_id, "SUM_BY_ACCOUNT", Unit="RECORDS")
    assert totals(alone["UsageStatistics"]["SumByAccount"], "AccountId") == {
        ACCOUNT_A: ("5", "RECORDS")}

    associate(gd, detector_id, gd_b, member_detector, ACCOUNT_B)
    both = usage(gd, detector_id, "SUM_BY_ACCOUNT", Unit="RECORDS")
    assert totals(both["UsageStatistics"]["SumByAccount"], "AccountId") == {
        ACCOUNT_A: ("5", "RECORDS"), ACCOUNT_B: ("1", "RECORDS")}
    only_b = usage(gd, detector_id, "SUM_BY_RESOURCE", criteria={"AccountIds": [ACCOUNT_B]})
    assert totals(only_b["UsageStatistics"]["SumByResource"], "Resource") == {
        INSTANCE: ("1", "RECORDS")}
    # The member sees its own usage only.
    own = usage(gd_b, member_detector, "SUM_BY_ACCOUNT", Unit="RECORDS")
    assert totals(own["UsageStatistics"]["SumByAccount"], "AccountId") == {
        ACCOUNT_B: ("1", "RECORDS")}
    trial = gd.get_remaining_free_trial_days(DetectorId=detector_id,
                                             AccountIds=[ACCOUNT_A, ACCOUNT_B])
    assert trial["Accounts"] == [{"AccountId": ACCOUNT_A, "DataSources": {}},
                                 {"AccountId": ACCOUNT_B, "DataSources": {}}]
    assert trial["UnprocessedAccounts"] == []
