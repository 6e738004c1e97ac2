"""Publishing destinations: CreatePublishingDestination, DescribePublishingDestination,
ListPublishingDestinations, UpdatePublishingDestination, DeletePublishingDestination, with
GuardDuty's fields, the S3 / KMS ARN checks, one destination per detector, ClientToken, and
isolation between accounts."""

import json
import os
import subprocess

import pytest
from botocore.exceptions import ClientError

from conftest import NOT_OWNED, UNKNOWN_ID

BUCKET_ARN = "arn:aws:s3:::guardduty-exports/findings"
KMS_ARN = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def create(client, detector_id, arn=BUCKET_ARN, key=KMS_ARN, **kwargs):
    return client.create_publishing_destination(
        DetectorId=detector_id, DestinationType="S3",
        DestinationProperties={"DestinationArn": arn, "KmsKeyArn": key},
        **kwargs)["DestinationId"]


def error_of(call):
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response


def test_the_destination_lifecycle(gd, detector_id):
    destination_id = create(gd, detector_id)
    assert len(destination_id) == 32 and all(c in "0123456789abcdef" for c in destination_id)

    described = gd.describe_publishing_destination(DetectorId=detector_id,
                                                   DestinationId=destination_id)
    assert described["DestinationId"] == destination_id
    assert described["DestinationType"] == "S3"
    assert described["Status"] == "PUBLISHING"
    assert described["PublishingFailureStartTimestamp"] == 0
    assert described["DestinationProperties"] == {"DestinationArn": BUCKET_ARN,
                                                  "KmsKeyArn": KMS_ARN}

    listed = gd.list_publishing_destinations(DetectorId=detector_id)
    assert listed["Destinations"] == [{"DestinationId": destination_id,
                                       "DestinationType": "S3", "Status": "PUBLISHING"}]
    assert "NextToken" not in listed

    other = "arn:aws:s3:::security-lake/guardduty"
    gd.update_publishing_destination(DetectorId=detector_id, DestinationId=destination_id,
                                     DestinationProperties={"DestinationArn": other,
                                                            "KmsKeyArn": KMS_ARN})
    described = gd.describe_publishing_destination(DetectorId=detector_id,
                                                   DestinationId=destination_id)
    assert described["DestinationProperties"]["DestinationArn"] == other

    gd.delete_publishing_destination(DetectorId=detector_id, DestinationId=destination_id)
    assert gd.list_publishing_destinations(DetectorId=detector_id)["Destinations"] == []
    response = error_of(lambda: gd.describe_publishing_destination(
        DetectorId=detector_id, DestinationId=destination_id))
    assert response["Error"]["Code"] == "BadRequestException"
    assert destination_id in response["Error"]["Message"]


def test_one_destination_per_detector(gd, detector_id):
    create(gd, detector_id)
    response = error_of(lambda: create(gd, detector_id, arn="arn:aws:s3:::second-bucket"))
    assert response["Error"]["Code"] == "BadRequestException"
    assert "limit" in response["Error"]["Message"].lower()
    assert len(gd.list_publishing_destinations(DetectorId=detector_id)["Destinations"]) == 1


def test_a_client_token_makes_create_idempotent(gd, detector_id):
    first = create(gd, detector_id, ClientToken="export-once")
    assert create(gd, detector_id, ClientToken="export-once") == first


@pytest.mark.parametrize("arn,key,parameter", [
    ("arn:aws:s3:::", KMS_ARN, "destinationArn"),
    ("s3://guardduty-exports/findings", KMS_ARN, "destinationArn"),
    ("arn:aws:s3:::Bad_Bucket", KMS_ARN, "destinationArn"),
    ("arn:aws:sns:us-east-1:111111111111:topic", KMS_ARN, "destinationArn"),
    (BUCKET_ARN, "not-a-key", "kmsKeyArn"),
    (BUCKET_ARN, "arn:aws:s3:::guardduty-exports", "kmsKeyArn"),
], ids=["no-bucket", "s3-url", "bad-bucket-name", "not-s3", "not-an-arn", "not-kms"])
def test_bad_properties_are_rejected_naming_the_parameter(gd, detector_id, arn, key, parameter):
    response = error_of(lambda: create(gd, detector_id, arn=arn, key=key))
    assert response["Error"]["Code"] == "BadRequestException"
    assert parameter in response["Error"]["Message"], response["Error"]
    assert gd.list_publishing_destinations(DetectorId=detector_id)["Destinations"] == []


def test_missing_or_unknown_fields_are_rejected(gd_raw, detector_id):
    response = error_of(lambda: gd_raw.create_publishing_destination(
        DetectorId=detector_id, DestinationType="SQS",
        DestinationProperties={"DestinationArn": BUCKET_ARN, "KmsKeyArn": KMS_ARN}))
    assert "destinationType" in response["Error"]["Message"]
    response = error_of(lambda: gd_raw.create_publishing_destination(
        DetectorId=detector_id, DestinationType="S3",
        DestinationProperties={"DestinationArn": BUCKET_ARN}))
    assert "kmsKeyArn" in response["Error"]["Message"]
    response = error_of(lambda: gd_raw.create_publishing_destination(
        DetectorId=detector_id, DestinationType="S3"))
    assert "destinationProperties" in response["Error"]["Message"]


def test_a_bad_update_changes_nothing(gd, detector_id):
    destination_id = create(gd, detector_id)
    error_of(lambda: gd.update_publishing_destination(
        DetectorId=detector_id, DestinationId=destination_id,
        DestinationProperties={"DestinationArn": "nope", "KmsKeyArn": KMS_ARN}))
    described = gd.describe_publishing_destination(DetectorId=detector_id,
                                                   DestinationId=destination_id)
    assert described["DestinationProperties"]["DestinationArn"] == BUCKET_ARN


@pytest.mark.parametrize("operation", ["describe", "update", "delete"])
def test_an_unknown_destination_is_a_bad_request(gd, detector_id, operation):
    calls = {
        "describe": lambda: gd.describe_publishing_destination(DetectorId=detector_id,
                                                               DestinationId=UNKNOWN_ID),
        "update": lambda: gd.update_publishing_destination(
            DetectorId=detector_id, DestinationId=UNKNOWN_ID,
            DestinationProperties={"DestinationArn": BUCKET_ARN, "KmsKeyArn": KMS_ARN}),
        "delete": lambda: gd.delete_publishing_destination(DetectorId=detector_id,
                                                           DestinationId=UNKNOWN_ID),
    }
    response = error_of(calls[operation])
    assert response["Error"]["Code"] == "BadRequestException"
    assert UNKNOWN_ID in response["Error"]["Message"]


def test_another_account_cannot_see_or_touch_a_destination(gd, gd_b, detector_id):
    destination_id = create(gd, detector_id)
    calls = [
        lambda: gd_b.describe_publishing_destination(DetectorId=detector_id,
                                                     DestinationId=destination_id),
        lambda: gd_b.list_publishing_destinations(DetectorId=detector_id),
        lambda: gd_b.delete_publishing_destination(DetectorId=detector_id,
                                                   DestinationId=destination_id),
        lambda: create(gd_b, detector_id),
    ]
    for call in calls:
        response = error_of(call)
        assert response["Error"]["Message"] == NOT_OWNED
    assert gd.describe_publishing_destination(DetectorId=detector_id,
                                              DestinationId=destination_id)["Status"]


def test_list_pages_and_validates_max_results(gd, detector_id, gd_raw):
    create(gd, detector_id)
    page = gd.list_publishing_destinations(DetectorId=detector_id, MaxResults=1)
    assert len(page["Destinations"]) == 1 and "NextToken" not in page
    response = error_of(lambda: gd_raw.list_publishing_destinations(DetectorId=detector_id,
                                                                    MaxResults=51))
    assert response["Error"]["Code"] == "BadRequestException"


def test_deleting_the_detector_deletes_its_destination(gd):
    detector_id = gd.create_detector(Enable=True)["DetectorId"]
    create(gd, detector_id)
    gd.delete_detector(DetectorId=detector_id)
    detector_id = gd.create_detector(Enable=True)["DetectorId"]
    assert gd.list_publishing_destinations(DetectorId=detector_id)["Destinations"] == []
    create(gd, detector_id)  # the limit counts the new detector's destinations only


def test_the_aws_cli_describes_a_destination(vigil, gd, detector_id, tmp_path):
    destination_id = create(gd, detector_id)
    env = dict(os.environ, AWS_ACCESS_KEY_ID="111111111111", AWS_SECRET_ACCESS_KEY="x",
               AWS_DEFAULT_REGION="us-east-1", HOME=str(tmp_path))
    proc = subprocess.run(
        ["aws", "--endpoint-url", f"http://127.0.0.1:{vigil.port}", "guardduty",
         "describe-publishing-destination", "--detector-id", detector_id,
         "--destination-id", destination_id], capture_output=True, text=True, env=env,
        timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["DestinationProperties"]["DestinationArn"] == BUCKET_ARN
