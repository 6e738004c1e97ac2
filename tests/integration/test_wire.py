"""The HTTP surface: malformed input, error shape, request ids, 404, 413, health, metrics."""

import json
import re

import pytest

from conftest import (
    ACCOUNT_A,
    NOT_OWNED,
    UNKNOWN_ID,
    assert_json_error,
    expect_error,
)

MAX_BODY = 10 * 1024 * 1024

DEEP = 100_000

# (id, body, parameter the message must name or None)
DETECTOR_BODIES = [
    ("invalid-json", b'{"enable": tru', None),
    ("truncated", b'{"enable": true', None),
    ("json-array", b"[1, 2, 3]", None),
    ("json-string", b'"enable"', None),
    ("json-null", b"null", None),
    ("not-utf8", b'{"enable": true, "tags": {"k": "\xff\xfe"}}', None),
    ("enable-string", b'{"enable": "yes"}', "enable"),
    ("enable-number", b'{"enable": 1}', "enable"),
    ("enable-null", b'{"enable": null}', "enable"),
    ("enable-missing", b"{}", "enable"),
    ("tags-list", b'{"enable": true, "tags": ["a", "b"]}', "tags"),
    ("tag-value-number", b'{"enable": true, "tags": {"a": 1}}', "tags"),
    ("frequency-number", b'{"enable": true, "findingPublishingFrequency": 5}',
     "findingPublishingFrequency"),
    ("datasources-string", b'{"enable": true, "dataSources": "all"}', None),
    ("deep-arrays", b'{"enable": true, "dataSources": ' + b"[" * DEEP + b"]" * DEEP + b"}", None),
    ("deep-objects", b'{"enable": true, "tags": ' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"}",
     None),
]


def assert_still_serving(raw_http):
    status, _, body = raw_http("GET", "/_vigil/health")
    assert status == 200, body
    status, _, body = raw_http("GET", "/detector")
    assert status == 200, body


@pytest.mark.parametrize("body,param", [(b, p) for _, b, p in DETECTOR_BODIES],
                         ids=[i for i, _, _ in DETECTOR_BODIES])
def test_malformed_create_detector_body(raw_http, body, param):
    status, headers, payload = raw_http("POST", "/detector", body)
    assert_json_error(status, headers, payload, param=param)
    assert_still_serving(raw_http)
    status, _, payload = raw_http("GET", "/detector")
    assert json.loads(payload)["detectorIds"] == [], "a rejected request created a detector"


def test_create_detector_without_body(raw_http):
    status, headers, payload = raw_http("POST", "/detector")
    assert_json_error(status, headers, payload)
    assert_still_serving(raw_http)


CRIT = {"criterion": {"severity": {"gte": 4}}}

FILTER_BODIES = [
    ("criteria-string", {"name": "abc", "findingCriteria": "severity > 5"}, "findingCriteria"),
    ("criteria-list", {"name": "abc", "findingCriteria": [1]}, "findingCriteria"),
    ("rank-string", {"name": "abc", "rank": "5", "findingCriteria": CRIT}, "rank"),
    ("rank-float", {"name": "abc", "rank": 2.5, "findingCriteria": CRIT}, "rank"),
    ("tags-list", {"name": "abc", "tags": ["x"], "findingCriteria": CRIT}, "tags"),
    ("name-number", {"name": 123, "findingCriteria": CRIT}, "name"),
    ("action-number", {"name": "abc", "action": 1, "findingCriteria": CRIT}, "action"),
    ("description-object", {"name": "abc", "description": {}, "findingCriteria": CRIT},
     "description"),
    ("deep-criteria", None, None),
]


@pytest.mark.parametrize("body,param", [(b, p) for _, b, p in FILTER_BODIES],
                         ids=[i for i, _, _ in FILTER_BODIES])
def test_malformed_create_filter_body(raw_http, gd, detector_id, body, param):
    if body is None:
        body = (b'{"name": "abc", "findingCriteria": {"criterion": {"severity": '
                + b'{"eq":' * DEEP + b"[]" + b"}" * DEEP + b"}}}")
    status, headers, payload = raw_http("POST", f"/detector/{detector_id}/filter", body,
                                        account=ACCOUNT_A)
    assert_json_error(status, headers, payload, param=param)
    assert gd.list_filters(DetectorId=detector_id)["FilterNames"] == []
    assert_still_serving(raw_http)


@pytest.mark.parametrize("query,param", [
    ("maxResults=abc", "maxResults"),
    ("maxResults=1e3", "maxResults"),
    ("maxResults=99999999999999999999", "maxResults"),
    ("nextToken=%00%01", "nextToken"),
])
def test_malformed_list_query(raw_http, detector_id, query, param):
    status, headers, payload = raw_http("GET", f"/detector/{detector_id}/filter?{query}",
                                        account=ACCOUNT_A)
    assert_json_error(status, headers, payload, param=param)


def test_error_shape_for_unknown_detector(raw_http):
    status, headers, body = raw_http("GET", f"/detector/{UNKNOWN_ID}")
    doc = assert_json_error(status, headers, body)
    assert doc == {"message": NOT_OWNED, "__type": "InvalidInputException"}
    assert headers.get("X-Amzn-ErrorType").split(":")[0] == "BadRequestException"


def test_boto3_sees_request_ids_on_success_and_error(gd, detector_id):
    ids = [gd.get_detector(DetectorId=detector_id)["ResponseMetadata"]["RequestId"],
           gd.list_detectors()["ResponseMetadata"]["RequestId"]]
    err = expect_error(lambda: gd.get_detector(DetectorId=UNKNOWN_ID), message=NOT_OWNED)
    ids.append(err["ResponseMetadata"]["RequestId"])
    assert all(ids) and len(set(ids)) == 3, ids


def test_every_raw_response_has_a_request_id(raw_http, gd, detector_id):
    tag_path = "/tags/arn%3Aaws%3Aguardduty%3Aus-east-1%3A111111111111%3Adetector%2F" + detector_id
    answers = [
        raw_http("GET", "/detector", account=ACCOUNT_A),  # 200
        raw_http("POST", tag_path, {"tags": {"a": "b"}}, account=ACCOUNT_A),  # 204
        raw_http("GET", f"/detector/{UNKNOWN_ID}", account=ACCOUNT_A),  # 400
        raw_http("GET", "/nope"),  # 404
    ]
    assert [a[0] for a in answers] == [200, 204, 400, 404]
    ids = [headers.get("x-amzn-RequestId") for _, headers, _ in answers]
    assert all(ids), ids
    assert len(set(ids)) == len(ids), ids


@pytest.mark.parametrize("method,path", [
    ("GET", "/nope"),
    ("POST", "/nope/at/all"),
    ("GET", "/detector/x/y/z/w"),
    ("GET", "/_vigil/nothing-here"),
])
def test_unknown_path_is_404_with_json(raw_http, method, path):
    status, headers, body = raw_http(method, path)
    assert_json_error(status, headers, body, expected_status=404)
    assert_still_serving(raw_http)


def test_oversized_body_is_413(vigil, raw_http):
    status, headers, body = vigil.send_oversized("/detector", MAX_BODY + 1)
    assert status == 413, body[:300]
    doc = json.loads(body)
    assert isinstance(doc, dict) and isinstance(doc.get("message"), str) and doc["message"], doc
    assert_still_serving(raw_http)
    status, _, payload = raw_http("GET", "/detector")
    assert json.loads(payload)["detectorIds"] == []


def test_large_but_allowed_body_is_processed(raw_http):
    """A body under the limit is parsed normally (here: rejected for its content, not size)."""
    padding = " " * (MAX_BODY // 2)
    status, headers, payload = raw_http("POST", "/detector", '{"enable": "no"' + padding + "}")
    assert_json_error(status, headers, payload, param="enable")


def test_health(raw_http):
    status, headers, body = raw_http("GET", "/_vigil/health")
    assert status == 200
    doc = json.loads(body)
    assert doc["status"] == "ok"
    assert isinstance(doc["version"], str) and doc["version"]


def metric_value(text, prefix):
    """Sum of the samples whose line starts with `prefix`."""
    total, found = 0.0, False
    for line in text.splitlines():
        if line.startswith(prefix):
            total += float(line.rsplit(" ", 1)[1])
            found = True
    assert found, f"no sample line starting with {prefix!r} in metrics:\n{text[:3000]}"
    return total


def get_metrics(raw_http):
    status, headers, body = raw_http("GET", "/_vigil/metrics")
    assert status == 200, body[:300]
    assert headers.get("Content-Type", "").startswith("text/plain"), headers.get("Content-Type")
    return body.decode("utf-8")


def test_metrics(raw_http, gd, detector_id):
    for _ in range(3):
        gd.get_detector(DetectorId=detector_id)
    text = get_metrics(raw_http)
    prefix = 'vigil_requests_total{operation="GetDetector"'
    first = metric_value(text, prefix)
    assert first >= 3
    gd.get_detector(DetectorId=detector_id)
    gd.get_detector(DetectorId=detector_id)
    assert metric_value(get_metrics(raw_http), prefix) >= first + 2

    buckets = [line for line in text.splitlines()
               if line.startswith("vigil_request_duration_seconds_bucket")]
    assert buckets, text[:3000]
    assert any('le="+Inf"' in line for line in buckets), buckets
    assert re.search(r"^# TYPE vigil_request_duration_seconds histogram$", text, re.M), text[:3000]
    assert metric_value(text, "vigil_request_duration_seconds_count") >= 3
    assert metric_value(text, "vigil_open_connections") >= 1  # this very request
    assert metric_value(text, "vigil_store_size_bytes") >= 0
    for name in ("vigil_requests_total", "vigil_open_connections", "vigil_store_size_bytes"):
        assert re.search(rf"^# TYPE {name} (counter|gauge)$", text, re.M), name
