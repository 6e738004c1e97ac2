"""TagResource, UntagResource, ListTagsForResource on all four taggable resource kinds."""

import json
import urllib.parse

import pytest

from conftest import (
    ACCOUNT_A,
    ACCOUNT_B,
    IPSET,
    OTHER_REGION,
    SAMPLE_CRITERIA,
    THREAT_INTEL_SET,
    UNKNOWN_ID,
    arn,
    assert_json_error,
    expect_error,
    quote_arn,
)

KINDS = ["detector", "filter", "ipset", "threatintelset"]


class Resource:
    """A taggable resource of one kind, owned by account A in us-east-1."""

    def __init__(self, gd, kind, tags):
        self.gd, self.kind = gd, kind
        if kind == "detector":
            self.detector_id = gd.create_detector(Enable=True, Tags=tags)["DetectorId"]
            self.arn = arn(self.detector_id)
            return
        self.detector_id = gd.create_detector(Enable=True)["DetectorId"]
        if kind == "filter":
            gd.create_filter(DetectorId=self.detector_id, Name="tagged.filter",
                             FindingCriteria=SAMPLE_CRITERIA, Tags=tags)
            self.child_id = "tagged.filter"
        else:
            set_kind = IPSET if kind == "ipset" else THREAT_INTEL_SET
            self.child_id = set_kind.create(gd, self.detector_id, Tags=tags)
        self.arn = arn(self.detector_id, f"{kind}/{self.child_id}")

    def get_tags(self):
        """Tags as the resource's own Get operation reports them."""
        gd, d = self.gd, self.detector_id
        if self.kind == "detector":
            return gd.get_detector(DetectorId=d)["Tags"]
        if self.kind == "filter":
            return gd.get_filter(DetectorId=d, FilterName=self.child_id)["Tags"]
        set_kind = IPSET if self.kind == "ipset" else THREAT_INTEL_SET
        return set_kind.get(gd, d, self.child_id)["Tags"]

    def listed_tags(self):
        return self.gd.list_tags_for_resource(ResourceArn=self.arn)["Tags"]

    def assert_tags(self, expected):
        assert self.listed_tags() == expected
        assert self.get_tags() == expected


@pytest.fixture(params=KINDS)
def resource(request, gd):
    """A fresh resource of each kind, created with the tags {"team": "sec"}."""
    return Resource(gd, request.param, {"team": "sec"})


def test_tags_given_at_create_are_listed(resource):
    resource.assert_tags({"team": "sec"})


def test_untagged_resource_lists_empty_tags(gd, detector_id):
    resp = gd.list_tags_for_resource(ResourceArn=arn(detector_id))
    assert resp["Tags"] == {}
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_tag_resource_adds_and_overwrites(gd, resource):
    resp = gd.tag_resource(ResourceArn=resource.arn, Tags={"env": "prod", "team": "blue"})
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert resp["ResponseMetadata"]["RequestId"]
    resource.assert_tags({"team": "blue", "env": "prod"})


def test_untag_resource(gd, resource):
    gd.tag_resource(ResourceArn=resource.arn, Tags={"env": "prod", "cost": "42", "x": ""})
    resp = gd.untag_resource(ResourceArn=resource.arn, TagKeys=["team", "cost"])
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
    resource.assert_tags({"env": "prod", "x": ""})
    gd.untag_resource(ResourceArn=resource.arn, TagKeys=["env", "x"])
    resource.assert_tags({})


def test_raw_percent_encoded_arn(raw_http, resource):
    path = "/tags/" + quote_arn(resource.arn)
    assert "%2F" in path and "%3A" in path

    status, headers, body = raw_http("GET", path, account=ACCOUNT_A)
    assert status == 200, body
    assert json.loads(body) == {"tags": {"team": "sec"}}
    assert headers.get("x-amzn-RequestId")

    status, headers, body = raw_http("POST", path, {"tags": {"a": "1", "b": "2"}},
                                     account=ACCOUNT_A)
    assert (status, body) == (204, b"")
    assert headers.get("x-amzn-RequestId")

    status, _, body = raw_http("DELETE", path + "?tagKeys=a&tagKeys=team", account=ACCOUNT_A)
    assert (status, body) == (204, b"")
    resource.assert_tags({"b": "2"})


def test_tag_limit_is_50_per_resource(gd, resource):
    more = {f"key-{i:02d}": f"value-{i}" for i in range(49)}
    gd.tag_resource(ResourceArn=resource.arn, Tags=more)
    full = {"team": "sec", **more}
    resource.assert_tags(full)

    expect_error(lambda: gd.tag_resource(ResourceArn=resource.arn, Tags={"one-more": "x"}),
                 param="tags")
    resource.assert_tags(full)

    # Overwriting an existing key keeps the count at 50 and is allowed.
    gd.tag_resource(ResourceArn=resource.arn, Tags={"team": "red"})
    resource.assert_tags({**full, "team": "red"})


def test_tag_resource_with_51_tags_at_once_rejected(gd, detector_id):
    tags = {f"k{i}": "v" for i in range(51)}
    expect_error(lambda: gd.tag_resource(ResourceArn=arn(detector_id), Tags=tags), param="tags")
    assert gd.list_tags_for_resource(ResourceArn=arn(detector_id))["Tags"] == {}


@pytest.mark.parametrize("kind", KINDS)
def test_create_with_51_tags_rejected(gd, kind):
    tags = {f"k{i}": "v" for i in range(51)}
    if kind == "detector":
        expect_error(lambda: gd.create_detector(Enable=True, Tags=tags), param="tags")
        assert gd.list_detectors()["DetectorIds"] == []
        return
    detector_id = gd.create_detector(Enable=True)["DetectorId"]
    if kind == "filter":
        expect_error(lambda: gd.create_filter(DetectorId=detector_id, Name="many-tags",
                                              FindingCriteria=SAMPLE_CRITERIA, Tags=tags),
                     param="tags")
        assert gd.list_filters(DetectorId=detector_id)["FilterNames"] == []
    else:
        set_kind = IPSET if kind == "ipset" else THREAT_INTEL_SET
        expect_error(lambda: set_kind.create(gd, detector_id, Tags=tags), param="tags")
        assert set_kind.list(gd, detector_id)[set_kind.list_key] == []


@pytest.mark.parametrize("key,value", [
    ("aws:reserved", "v"),
    ("k" * 129, "v"),
    ("", "v"),
    ("ok-key", "v" * 257),
], ids=["aws-prefix", "key-129", "key-empty", "value-257"])
def test_invalid_tag_rejected(gd, gd_raw, detector_id, key, value):
    gd.tag_resource(ResourceArn=arn(detector_id), Tags={"keep": "me"})
    expect_error(lambda: gd_raw.tag_resource(ResourceArn=arn(detector_id), Tags={key: value}),
                 param="tags", invalid_input=True)
    assert gd.list_tags_for_resource(ResourceArn=arn(detector_id))["Tags"] == {"keep": "me"}


def test_invalid_tag_at_create_rejected(gd, gd_raw):
    expect_error(lambda: gd_raw.create_detector(Enable=True, Tags={"aws:owner": "me"}),
                 param="tags", invalid_input=True)
    assert gd.list_detectors()["DetectorIds"] == []


def test_tag_key_and_value_at_maximum_length(gd, detector_id):
    tags = {"k" * 128: "v" * 256, "a.b/c:d=e+f-g_h": ""}
    gd.tag_resource(ResourceArn=arn(detector_id), Tags=tags)
    assert gd.list_tags_for_resource(ResourceArn=arn(detector_id))["Tags"] == tags


def test_untag_without_tag_keys_rejected(raw_http, gd, detector_id):
    gd.tag_resource(ResourceArn=arn(detector_id), Tags={"keep": "me"})
    status, headers, body = raw_http("DELETE", "/tags/" + quote_arn(arn(detector_id)),
                                     account=ACCOUNT_A)
    assert_json_error(status, headers, body, param="tagKeys")
    assert gd.list_tags_for_resource(ResourceArn=arn(detector_id))["Tags"] == {"keep": "me"}


@pytest.mark.parametrize("who", ["other-account", "other-region"])
def test_arn_of_another_account_or_region_rejected(gd, detector_id, who):
    gd.tag_resource(ResourceArn=arn(detector_id), Tags={"keep": "me"})
    if who == "other-account":
        foreign = arn(detector_id, account=ACCOUNT_B)
    else:
        foreign = arn(detector_id, region=OTHER_REGION)
    expect_error(lambda: gd.tag_resource(ResourceArn=foreign, Tags={"x": "y"}))
    expect_error(lambda: gd.untag_resource(ResourceArn=foreign, TagKeys=["keep"]))
    expect_error(lambda: gd.list_tags_for_resource(ResourceArn=foreign))
    assert gd.list_tags_for_resource(ResourceArn=arn(detector_id))["Tags"] == {"keep": "me"}


@pytest.mark.parametrize("child", [None, "filter/no-such-filter", f"ipset/{UNKNOWN_ID}",
                                   f"threatintelset/{UNKNOWN_ID}"],
                         ids=["detector", "filter", "ipset", "threatintelset"])
def test_arn_of_missing_resource_rejected(gd, detector_id, child):
    missing = arn(UNKNOWN_ID) if child is None else arn(detector_id, child)
    expect_error(lambda: gd.tag_resource(ResourceArn=missing, Tags={"x": "y"}),
                 invalid_input=True)
    expect_error(lambda: gd.untag_resource(ResourceArn=missing, TagKeys=["x"]),
                 invalid_input=True)
    expect_error(lambda: gd.list_tags_for_resource(ResourceArn=missing), invalid_input=True)


@pytest.mark.parametrize("bad_arn", [
    "not-an-arn",
    "arn:aws:s3:::my-bucket",
    "arn:aws:guardduty:us-east-1:111111111111:widget/0123456789abcdef0123456789abcdef",
    "arn:aws:guardduty:us-east-1:111111111111:",
], ids=["words", "s3-arn", "wrong-resource-type", "no-resource"])
def test_malformed_arn_rejected(gd_raw, detector_id, bad_arn):
    expect_error(lambda: gd_raw.list_tags_for_resource(ResourceArn=bad_arn), param="resourceArn",
                 invalid_input=True)
    expect_error(lambda: gd_raw.tag_resource(ResourceArn=bad_arn, Tags={"x": "y"}),
                 param="resourceArn", invalid_input=True)


def test_tags_are_per_resource(gd, detector_id):
    gd.create_filter(DetectorId=detector_id, Name="f-one", FindingCriteria=SAMPLE_CRITERIA)
    gd.create_filter(DetectorId=detector_id, Name="f-two", FindingCriteria=SAMPLE_CRITERIA)
    gd.tag_resource(ResourceArn=arn(detector_id, "filter/f-one"), Tags={"which": "one"})
    gd.tag_resource(ResourceArn=arn(detector_id), Tags={"which": "detector"})
    assert gd.list_tags_for_resource(ResourceArn=arn(detector_id, "filter/f-one"))["Tags"] == {
        "which": "one"}
    assert gd.list_tags_for_resource(ResourceArn=arn(detector_id, "filter/f-two"))["Tags"] == {}
    assert gd.get_detector(DetectorId=detector_id)["Tags"] == {"which": "detector"}


def test_deleted_filter_takes_its_tags(gd, detector_id):
    gd.create_filter(DetectorId=detector_id, Name="short-lived", FindingCriteria=SAMPLE_CRITERIA,
                     Tags={"old": "tag"})
    gd.delete_filter(DetectorId=detector_id, FilterName="short-lived")
    filter_arn = arn(detector_id, "filter/short-lived")
    expect_error(lambda: gd.list_tags_for_resource(ResourceArn=filter_arn), invalid_input=True)
    gd.create_filter(DetectorId=detector_id, Name="short-lived", FindingCriteria=SAMPLE_CRITERIA)
    assert gd.list_tags_for_resource(ResourceArn=filter_arn)["Tags"] == {}


def test_unicode_tag_values_round_trip(gd, detector_id):
    tags = {"owner": "Zoë Müller", "note": "日本語"}
    gd.tag_resource(ResourceArn=arn(detector_id), Tags=tags)
    assert gd.list_tags_for_resource(ResourceArn=arn(detector_id))["Tags"] == tags
    assert gd.get_detector(DetectorId=detector_id)["Tags"] == tags


def test_arn_percent_decoding_is_not_double(raw_http, gd, detector_id):
    """A literal "%2F" in the encoded ARN path decodes once to "/", never twice."""
    gd.tag_resource(ResourceArn=arn(detector_id), Tags={"k": "v"})
    double = "/tags/" + urllib.parse.quote(quote_arn(arn(detector_id)), safe="")
    status, headers, body = raw_http("GET", double, account=ACCOUNT_A)
    assert_json_error(status, headers, body)
