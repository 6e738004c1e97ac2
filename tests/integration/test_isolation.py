"""Each (account, region) sees only its own resources (issue 7 §2): the isolation matrix over
every operation of the model, ingest, and the lists of other accounts."""

import dataclasses
import json

import pytest
from botocore.exceptions import ClientError

from conftest import (
    ACCOUNT_A,
    ACCOUNT_B,
    IPSET,
    NOT_OWNED,
    OTHER_REGION,
    REGION,
    SAMPLE_CRITERIA,
    arn,
    assert_json_error,
    expect_error,
    strip_metadata,
)
from model_requests import MODEL, OPERATIONS, build_estate, build_params, method_of


# --------------------------------------------------------------------------------------------
# The matrix: every operation of the model, derived from it so that none can be forgotten.
# An operation whose input names a detector or a resource ARN is called by an outsider
# (account B, or account A in another region) against account A's resources and must be
# refused while A's state stays as it was. The others act on the caller's own account and
# are listed in ACCOUNT_LEVEL with the reason.
# --------------------------------------------------------------------------------------------

def names_resource(operation):
    shape = MODEL.operation_model(operation).input_shape
    return shape is not None and bool({"DetectorId", "ResourceArn"} & set(shape.members))


ACCOUNT_LEVEL = {
    "CreateDetector": "creates a detector of the caller's own account and region",
    "ListDetectors": "lists the caller's own detectors",
    "ListInvitations": "lists invitations sent to the caller",
    "GetInvitationsCount": "counts invitations sent to the caller",
    "DeclineInvitations": "declines invitations sent to the caller",
    "DeleteInvitations": "deletes invitations sent to the caller",
    "EnableOrganizationAdminAccount": "the caller (the management account) names an admin",
    "DisableOrganizationAdminAccount": "the caller (the management account) removes an admin",
    "ListOrganizationAdminAccounts": "lists the caller's organization's admins",
}
RESOURCE_OPS = [op for op in OPERATIONS if names_resource(op)]


def test_every_operation_is_in_the_matrix_or_account_level():
    unplaced = [op for op in OPERATIONS if op not in RESOURCE_OPS and op not in ACCOUNT_LEVEL]
    assert unplaced == [], f"operations in neither the isolation matrix nor ACCOUNT_LEVEL: {unplaced}"
    assert not set(ACCOUNT_LEVEL) & set(RESOURCE_OPS)
    assert not set(ACCOUNT_LEVEL) - set(OPERATIONS), set(ACCOUNT_LEVEL) - set(OPERATIONS)


@pytest.fixture
def estate(gd):
    """Account A's detector with one of everything (model_requests.build_estate)."""
    return build_estate(gd, ACCOUNT_A, REGION)


def estate_arns(estate):
    d = estate.detector_id
    return [arn(d), arn(d, f"filter/{estate.filter_name}"), arn(d, f"ipset/{estate.ip_set_id}"),
            arn(d, f"threatintelset/{estate.threat_intel_set_id}")]


def outcome(call):
    try:
        return strip_metadata(call())
    except ClientError as error:
        return ("error", error.response["Error"].get("Code"), error.response["Error"].get("Message"))


def snapshot(gd, estate):
    """Everything account A can read: each Get/List/Describe operation of the model on its
    resources (an error is recorded as such), the tags of every resource, its detectors."""
    state = {"ListDetectors": outcome(gd.list_detectors)}
    for op in RESOURCE_OPS:
        if op.startswith(("Get", "List", "Describe")):
            params = build_params(op, estate)
            state[op] = outcome(lambda: method_of(gd, op)(**params))
    state["tags"] = [outcome(lambda: gd.list_tags_for_resource(ResourceArn=a))
                     for a in estate_arns(estate)]
    return state


@pytest.fixture(params=["other-account", "other-region"])
def outsider(request, gd_b, gd_eu):
    """Account B (with a detector of its own, which must not help) or A in eu-west-1."""
    if request.param == "other-account":
        gd_b.create_detector(Enable=True)
        return gd_b
    return gd_eu


@pytest.mark.parametrize("operation", RESOURCE_OPS)
def test_outsider_cannot_reach_account_a(gd, estate, outsider, operation):
    before = snapshot(gd, estate)
    params = build_params(operation, estate)  # A's detector, children, findings and ARN
    if "DetectorId" in MODEL.operation_model(operation).input_shape.members:
        expect_error(lambda: method_of(outsider, operation)(**params), message=NOT_OWNED,
                     invalid_input=True)
    else:  # by ARN: A's account (or A's region) is not the caller's
        resp = expect_error(lambda: method_of(outsider, operation)(**params),
                            param="names a resource of another account or region")
        assert resp.get("Type") == "AccessDeniedException", resp
    assert snapshot(gd, estate) == before


@pytest.mark.parametrize("operation", sorted(ACCOUNT_LEVEL))
def test_account_level_operation_shows_and_changes_nothing_of_account_a(gd, estate, outsider,
                                                                         operation):
    """Called by the outsider naming account A where it names an account: the answer holds
    none of A's resources and A's state is unchanged."""
    before = snapshot(gd, estate)
    params = build_params(operation, dataclasses.replace(estate, other_account=ACCOUNT_A))
    try:
        answer = json.dumps(strip_metadata(method_of(outsider, operation)(**params)), default=str)
    except ClientError as error:
        response = error.response
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400, response
        assert response["Error"]["Code"] == "BadRequestException", response
        answer = response["Error"].get("Message", "")
    secrets = [estate.detector_id, estate.ip_set_id, estate.threat_intel_set_id,
               estate.destination_id, *estate.finding_ids]
    assert [s for s in secrets if s in answer] == [], answer
    assert snapshot(gd, estate) == before


@pytest.mark.parametrize("source", ["flowlogs", "cloudtrail", "dns"])
def test_outsider_cannot_ingest_into_account_a(gd, vigil, estate, source):
    before = snapshot(gd, estate)
    line = (b"2 111111111111 eni-0a1b2c3d 198.51.100.7 10.0.0.5 44321 22 6 20 4000 "
            b"1700000000 1700000060 REJECT OK\n")
    for account, region in [(ACCOUNT_B, REGION), (ACCOUNT_A, OTHER_REGION)]:
        status, headers, body = vigil.request(
            "POST", f"/_vigil/ingest/{estate.detector_id}/{source}", body=line * 50,
            account=account, region=region)
        assert assert_json_error(status, headers, body)["message"] == NOT_OWNED
    assert snapshot(gd, estate) == before


def test_outsider_with_forged_arn_cannot_tag(gd, gd_b, estate):
    """Account B rewrites A's ARNs to its own account: the detector is still not B's."""
    before = snapshot(gd, estate)
    for resource_arn in estate_arns(estate):
        forged = resource_arn.replace(f":{ACCOUNT_A}:", f":{ACCOUNT_B}:")
        expect_error(lambda: gd_b.tag_resource(ResourceArn=forged, Tags={"owner": "b"}))
        expect_error(lambda: gd_b.untag_resource(ResourceArn=forged, TagKeys=["owner"]))
        expect_error(lambda: gd_b.list_tags_for_resource(ResourceArn=forged))
    assert snapshot(gd, estate) == before


def test_outsider_lists_do_not_show_detector(gd, gd_b, gd_eu, raw_http, estate):
    assert gd_b.list_detectors()["DetectorIds"] == []
    assert gd_eu.list_detectors()["DetectorIds"] == []
    status, _, body = raw_http("GET", "/detector")  # default account 123456789012
    assert status == 200
    assert json.loads(body)["detectorIds"] == []
    assert gd.list_detectors()["DetectorIds"] == [estate.detector_id]


def test_raw_default_account_cannot_read_account_a(raw_http, estate):
    status, headers, body = raw_http("GET", f"/detector/{estate.detector_id}")
    doc = assert_json_error(status, headers, body)
    assert doc["message"] == NOT_OWNED
    assert doc["__type"] == "InvalidInputException"


def test_deleting_one_accounts_detector_leaves_others(gd, gd_b, gd_eu, estate):
    id_b = gd_b.create_detector(Enable=True, Tags={"owner": "b"})["DetectorId"]
    id_eu = gd_eu.create_detector(Enable=False)["DetectorId"]
    gd_b.create_filter(DetectorId=id_b, Name="a-filter", FindingCriteria={"Criterion": {
        "severity": {"Gte": 8}}})

    gd.delete_detector(DetectorId=estate.detector_id)

    assert gd_b.get_detector(DetectorId=id_b)["Tags"] == {"owner": "b"}
    assert gd_b.get_filter(DetectorId=id_b, FilterName="a-filter")["FindingCriteria"] == {
        "Criterion": {"severity": {"Gte": 8}}}
    assert gd_b.list_tags_for_resource(ResourceArn=arn(id_b, account=ACCOUNT_B))["Tags"] == {
        "owner": "b"}
    assert gd_eu.get_detector(DetectorId=id_eu)["Status"] == "DISABLED"
    assert gd_eu.list_detectors()["DetectorIds"] == [id_eu]
    assert gd.list_detectors()["DetectorIds"] == []


def test_same_names_in_two_accounts_are_independent(gd, gd_b, estate):
    id_b = gd_b.create_detector(Enable=True)["DetectorId"]
    gd_b.create_filter(DetectorId=id_b, Name="a-filter", Description="b's own",
                       FindingCriteria=SAMPLE_CRITERIA)
    gd_b.tag_resource(ResourceArn=arn(id_b, "filter/a-filter", account=ACCOUNT_B),
                      Tags={"owner": "b"})
    assert gd.get_filter(DetectorId=estate.detector_id, FilterName=estate.filter_name)["Tags"] == {
        "owner": "a"}
    got_b = gd_b.get_filter(DetectorId=id_b, FilterName="a-filter")
    assert (got_b["Description"], got_b["Tags"]) == ("b's own", {"owner": "b"})
    # B's IPSet does not count toward A's one-IPSet limit and vice versa.
    IPSET.create(gd_b, id_b)


def test_regional_arn_uses_the_callers_region(gd_eu):
    detector_id = gd_eu.create_detector(Enable=True)["DetectorId"]
    eu_arn = arn(detector_id, region=OTHER_REGION, account=ACCOUNT_A)
    gd_eu.tag_resource(ResourceArn=eu_arn, Tags={"region": "eu"})
    assert gd_eu.list_tags_for_resource(ResourceArn=eu_arn)["Tags"] == {"region": "eu"}
    assert gd_eu.get_detector(DetectorId=detector_id)["Tags"] == {"region": "eu"}
