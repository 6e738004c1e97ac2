"""Filters: CreateFilter, GetFilter, UpdateFilter, DeleteFilter, ListFilters."""

import json

import pytest

from conftest import (
    ACCOUNT_A,
    SAMPLE_CRITERIA,
    arn,
    assert_json_error,
    expect_error,
    page_through,
    strip_metadata,
)

SIMPLE_CRITERIA = {"Criterion": {"severity": {"Gte": 7}}}


def create(gd, detector_id, name, **extra):
    params = dict(DetectorId=detector_id, Name=name, FindingCriteria=SIMPLE_CRITERIA)
    params.update(extra)
    return gd.create_filter(**params)


def test_create_and_get_filter_round_trip(gd, detector_id):
    resp = gd.create_filter(
        DetectorId=detector_id,
        Name="suppress-scanners",
        Description="Archive port probes from our scanner",
        Action="ARCHIVE",
        Rank=1,
        FindingCriteria=SAMPLE_CRITERIA,
        Tags={"owner": "secops"},
    )
    assert strip_metadata(resp) == {"Name": "suppress-scanners"}
    got = strip_metadata(gd.get_filter(DetectorId=detector_id, FilterName="suppress-scanners"))
    assert got == {
        "Name": "suppress-scanners",
        "Description": "Archive port probes from our scanner",
        "Action": "ARCHIVE",
        "Rank": 1,
        "FindingCriteria": SAMPLE_CRITERIA,
        "Tags": {"owner": "secops"},
    }


def test_filter_criteria_with_every_operator_round_trips(gd, detector_id):
    criteria = {"Criterion": {
        "type": {"Eq": ["a"], "Neq": ["b", "c"]},
        "severity": {"Gt": 1, "Gte": 2, "Lt": 9, "Lte": 8},
        "region": {"Equals": ["us-east-1"], "NotEquals": ["eu-west-1"]},
        "confidence": {"GreaterThan": 3, "GreaterThanOrEqual": 4, "LessThan": 7,
                       "LessThanOrEqual": 6},
    }}
    create(gd, detector_id, "every-operator", FindingCriteria=criteria)
    got = gd.get_filter(DetectorId=detector_id, FilterName="every-operator")
    assert got["FindingCriteria"] == criteria


def test_filter_defaults(gd, detector_id):
    create(gd, detector_id, "defaults")
    got = gd.get_filter(DetectorId=detector_id, FilterName="defaults")
    assert got["Action"] == "NOOP"
    assert got["Tags"] == {}
    assert got["FindingCriteria"] == SIMPLE_CRITERIA
    assert got.get("Description", "") == ""


@pytest.mark.parametrize("name", ["abc", "a" * 64, "my.filter_name-1", "A.B", "..._", "x-y"])
def test_valid_filter_names_round_trip_through_the_path(gd, detector_id, name):
    assert create(gd, detector_id, name)["Name"] == name
    assert gd.get_filter(DetectorId=detector_id, FilterName=name)["Name"] == name
    assert gd.list_filters(DetectorId=detector_id)["FilterNames"] == [name]
    assert gd.update_filter(DetectorId=detector_id, FilterName=name, Rank=1)["Name"] == name
    gd.delete_filter(DetectorId=detector_id, FilterName=name)
    assert gd.list_filters(DetectorId=detector_id)["FilterNames"] == []


@pytest.mark.parametrize("name", ["ab", "a" * 65, "has space", "bad/slash", "bad*star",
                                  "ümlaut", ""])
def test_invalid_filter_names_rejected(gd, gd_raw, detector_id, name):
    expect_error(lambda: create(gd_raw, detector_id, name), param="name", invalid_input=True)
    assert gd.list_filters(DetectorId=detector_id)["FilterNames"] == []


def test_missing_filter_name_rejected(gd_raw, detector_id):
    expect_error(lambda: gd_raw.create_filter(DetectorId=detector_id,
                                              FindingCriteria=SIMPLE_CRITERIA),
                 param="name", invalid_input=True)


def test_description_length_limit(gd, gd_raw, detector_id):
    create(gd, detector_id, "desc-512", Description="d" * 512)
    assert gd.get_filter(DetectorId=detector_id, FilterName="desc-512")["Description"] == "d" * 512
    expect_error(lambda: create(gd_raw, detector_id, "desc-513", Description="d" * 513),
                 param="description", invalid_input=True)
    assert gd.list_filters(DetectorId=detector_id)["FilterNames"] == ["desc-512"]


@pytest.mark.parametrize("rank", [0, 101, -1])
def test_rank_out_of_range_rejected(gd, gd_raw, detector_id, rank):
    expect_error(lambda: create(gd_raw, detector_id, "ranked", Rank=rank), param="rank",
                 invalid_input=True)
    assert gd.list_filters(DetectorId=detector_id)["FilterNames"] == []


def test_invalid_action_rejected(gd, gd_raw, detector_id):
    expect_error(lambda: create(gd_raw, detector_id, "acting", Action="DELETE"), param="action",
                 invalid_input=True)
    assert gd.list_filters(DetectorId=detector_id)["FilterNames"] == []


def test_missing_finding_criteria_rejected(gd_raw, detector_id):
    expect_error(lambda: gd_raw.create_filter(DetectorId=detector_id, Name="no-criteria"),
                 param="findingCriteria", invalid_input=True)


def test_finding_criteria_without_criterion_rejected(gd_raw, detector_id):
    expect_error(lambda: create(gd_raw, detector_id, "empty-criteria", FindingCriteria={}),
                 param="findingCriteria", invalid_input=True)


@pytest.mark.parametrize(
    "criteria",
    [
        "severity > 4",
        {"criterion": "severity"},
        {"criterion": {"severity": "high"}},
        {"criterion": {"severity": {"between": [1, 5]}}},
        {"criterion": {"type": {"eq": "not-a-list"}}},
        {"criterion": {"type": {"equals": [1, 2]}}},
        {"criterion": {"severity": {"gt": "5"}}},
        {"criterion": {"severity": {"lessThan": [5]}}},
    ],
    ids=["string", "criterion-string", "condition-string", "unknown-operator", "eq-not-list",
         "equals-ints", "gt-string", "lessThan-list"],
)
def test_malformed_finding_criteria_rejected(gd, raw_http, detector_id, criteria):
    body = {"name": "bad-criteria", "findingCriteria": criteria}
    status, headers, payload = raw_http("POST", f"/detector/{detector_id}/filter", body,
                                        account=ACCOUNT_A)
    assert_json_error(status, headers, payload)
    assert gd.list_filters(DetectorId=detector_id)["FilterNames"] == []


def test_duplicate_filter_name_rejected(gd, detector_id):
    create(gd, detector_id, "dup", Description="first")
    expect_error(lambda: create(gd, detector_id, "dup", Description="second"))
    got = gd.get_filter(DetectorId=detector_id, FilterName="dup")
    assert got["Description"] == "first"
    assert gd.list_filters(DetectorId=detector_id)["FilterNames"] == ["dup"]


def test_filter_limit_is_100_per_detector(gd, detector_id):
    names = {f"filter-{i:03d}" for i in range(100)}
    for name in names:
        create(gd, detector_id, name)
    expect_error(lambda: create(gd, detector_id, "filter-101"))
    listed, _ = page_through(gd.list_filters, "FilterNames", 50, DetectorId=detector_id)
    assert sorted(listed) == sorted(names)
    gd.delete_filter(DetectorId=detector_id, FilterName="filter-000")
    create(gd, detector_id, "filter-101")


def test_update_filter_is_partial(gd, detector_id):
    create(gd, detector_id, "partial", Description="original", Action="NOOP", Rank=1,
           FindingCriteria=SAMPLE_CRITERIA, Tags={"a": "b"})

    resp = gd.update_filter(DetectorId=detector_id, FilterName="partial", Description="changed")
    assert strip_metadata(resp) == {"Name": "partial"}
    got = gd.get_filter(DetectorId=detector_id, FilterName="partial")
    assert (got["Description"], got["Action"], got["Rank"]) == ("changed", "NOOP", 1)
    assert got["FindingCriteria"] == SAMPLE_CRITERIA
    assert got["Tags"] == {"a": "b"}

    gd.update_filter(DetectorId=detector_id, FilterName="partial", Action="ARCHIVE")
    got = gd.get_filter(DetectorId=detector_id, FilterName="partial")
    assert (got["Description"], got["Action"], got["Rank"]) == ("changed", "ARCHIVE", 1)

    gd.update_filter(DetectorId=detector_id, FilterName="partial", FindingCriteria=SIMPLE_CRITERIA)
    got = gd.get_filter(DetectorId=detector_id, FilterName="partial")
    assert got["FindingCriteria"] == SIMPLE_CRITERIA  # replaced, not merged
    assert (got["Description"], got["Action"], got["Rank"]) == ("changed", "ARCHIVE", 1)
    assert got["Name"] == "partial"


def test_update_filter_rank(gd, detector_id):
    create(gd, detector_id, "first", Rank=1)
    create(gd, detector_id, "second", Rank=2)
    gd.update_filter(DetectorId=detector_id, FilterName="second", Rank=1)
    assert gd.get_filter(DetectorId=detector_id, FilterName="second")["Rank"] == 1


@pytest.mark.parametrize("change,param", [
    ({"Rank": 101}, "rank"),
    ({"Rank": 0}, "rank"),
    ({"Action": "IGNORE"}, "action"),
    ({"Description": "x" * 513}, "description"),
    ({"FindingCriteria": {"Criterion": {"severity": {"Gt": "high"}}}}, "findingCriteria"),
])
def test_invalid_update_changes_nothing(gd, gd_raw, detector_id, change, param):
    create(gd, detector_id, "stable", Description="keep", Action="NOOP", Rank=1)
    before = strip_metadata(gd.get_filter(DetectorId=detector_id, FilterName="stable"))
    expect_error(lambda: gd_raw.update_filter(DetectorId=detector_id, FilterName="stable",
                                              **change),
                 param=param, invalid_input=True)
    assert strip_metadata(gd.get_filter(DetectorId=detector_id, FilterName="stable")) == before


@pytest.mark.parametrize("operation", ["get", "update", "delete"])
def test_unknown_filter_rejected(gd, detector_id, operation):
    create(gd, detector_id, "exists")
    call = {
        "get": lambda: gd.get_filter(DetectorId=detector_id, FilterName="no-such-filter"),
        "update": lambda: gd.update_filter(DetectorId=detector_id, FilterName="no-such-filter",
                                           Rank=1),
        "delete": lambda: gd.delete_filter(DetectorId=detector_id, FilterName="no-such-filter"),
    }[operation]
    expect_error(call, invalid_input=True)
    assert gd.list_filters(DetectorId=detector_id)["FilterNames"] == ["exists"]


def test_delete_filter(gd, detector_id):
    create(gd, detector_id, "doomed", Description="old")
    create(gd, detector_id, "kept")
    resp = gd.delete_filter(DetectorId=detector_id, FilterName="doomed")
    assert set(resp) == {"ResponseMetadata"}
    assert gd.list_filters(DetectorId=detector_id)["FilterNames"] == ["kept"]
    expect_error(lambda: gd.get_filter(DetectorId=detector_id, FilterName="doomed"),
                 invalid_input=True)
    expect_error(lambda: gd.delete_filter(DetectorId=detector_id, FilterName="doomed"),
                 invalid_input=True)
    create(gd, detector_id, "doomed", Description="new")
    assert gd.get_filter(DetectorId=detector_id, FilterName="doomed")["Description"] == "new"


def test_list_filters_pages_through_every_filter_once(gd, detector_id):
    names = [f"page.filter_{i}" for i in range(7)]
    for name in names:
        create(gd, detector_id, name)
    listed, _ = page_through(gd.list_filters, "FilterNames", 3, DetectorId=detector_id)
    assert sorted(listed) == sorted(names)
    one_by_one, _ = page_through(gd.list_filters, "FilterNames", 1, DetectorId=detector_id)
    assert sorted(one_by_one) == sorted(names)
    assert sorted(gd.list_filters(DetectorId=detector_id)["FilterNames"]) == sorted(names)


def test_list_filters_paginator(gd, detector_id):
    names = [f"paginated-{i}" for i in range(7)]
    for name in names:
        create(gd, detector_id, name)
    paginator = gd.get_paginator("list_filters")
    pages = list(paginator.paginate(DetectorId=detector_id, PaginationConfig={"PageSize": 3}))
    listed = [n for page in pages for n in page["FilterNames"]]
    assert sorted(listed) == sorted(names)
    assert all(len(page["FilterNames"]) <= 3 for page in pages)
    limited = paginator.paginate(DetectorId=detector_id,
                                 PaginationConfig={"PageSize": 2, "MaxItems": 5}).build_full_result()
    assert len(limited["FilterNames"]) == 5
    assert len(set(limited["FilterNames"])) == 5


@pytest.mark.parametrize("max_results", [0, 51])
def test_list_filters_max_results_out_of_range(gd_raw, detector_id, max_results):
    expect_error(lambda: gd_raw.list_filters(DetectorId=detector_id, MaxResults=max_results),
                 param="maxResults", invalid_input=True)


def test_list_filters_garbage_next_token(gd, gd_raw, detector_id):
    for i in range(3):
        create(gd, detector_id, f"tok-{i}")
    expect_error(lambda: gd_raw.list_filters(DetectorId=detector_id, NextToken="garbage!"),
                 param="nextToken", invalid_input=True)


def test_create_filter_client_token_is_idempotent(gd, detector_id):
    first = create(gd, detector_id, "tokened", ClientToken="filter-token-1")
    again = create(gd, detector_id, "tokened", ClientToken="filter-token-1")
    assert first["Name"] == again["Name"] == "tokened"
    assert gd.list_filters(DetectorId=detector_id)["FilterNames"] == ["tokened"]


def test_filter_tags_visible_through_tag_api(gd, detector_id):
    create(gd, detector_id, "tagged", Tags={"k1": "v1"})
    assert gd.list_tags_for_resource(ResourceArn=arn(detector_id, "filter/tagged"))["Tags"] == {
        "k1": "v1"
    }


def test_get_filter_raw_json_shape(raw_http, gd, detector_id):
    create(gd, detector_id, "raw.shape", Action="ARCHIVE", Rank=1)
    status, headers, body = raw_http("GET", f"/detector/{detector_id}/filter/raw.shape",
                                     account=ACCOUNT_A)
    assert status == 200, body
    doc = json.loads(body)
    assert doc["name"] == "raw.shape"
    assert doc["action"] == "ARCHIVE"
    assert doc["rank"] == 1
    assert doc["findingCriteria"] == {"criterion": {"severity": {"gte": 7}}}
    assert doc["tags"] == {}
