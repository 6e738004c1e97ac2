"""The AWS CLI (Debian's awscli) against Vigil."""

import json
import os
import subprocess

import pytest

from conftest import ACCOUNT_A, HEX32_RE, NOT_OWNED, UNKNOWN_ID, arn

AWS_CLI = os.environ.get("AWS_CLI", "/usr/bin/aws")


@pytest.fixture
def aws(vigil, tmp_path):
    """aws(*args) -> CompletedProcess, as account 111111111111 with nothing local leaking in."""
    if not os.path.isfile(AWS_CLI):
        pytest.fail(f"AWS CLI not found at {AWS_CLI} (install Debian's awscli or set AWS_CLI)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        HOME=str(tmp_path),
        AWS_ACCESS_KEY_ID=ACCOUNT_A,
        AWS_SECRET_ACCESS_KEY="x",
        AWS_CONFIG_FILE=str(tmp_path / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
        AWS_PAGER="",
    )

    def run(*args):
        cmd = [AWS_CLI, "--endpoint-url", vigil.url, "guardduty", *args,
               "--region", "us-east-1", "--output", "json"]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)

    return run


def test_cli_lists_detector_created_with_boto3(aws, gd, detector_id):
    proc = aws("list-detectors")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["DetectorIds"] == [detector_id]


def test_cli_create_detector_enable(aws, gd):
    proc = aws("create-detector", "--enable", "--finding-publishing-frequency", "ONE_HOUR")
    assert proc.returncode == 0, proc.stderr
    detector_id = json.loads(proc.stdout)["DetectorId"]
    assert HEX32_RE.match(detector_id)
    det = gd.get_detector(DetectorId=detector_id)
    assert det["Status"] == "ENABLED"
    assert det["FindingPublishingFrequency"] == "ONE_HOUR"


def test_cli_tags_through_encoded_arn(aws, gd, detector_id):
    resource_arn = arn(detector_id)
    proc = aws("tag-resource", "--resource-arn", resource_arn, "--tags", "team=sec,env=dev")
    assert proc.returncode == 0, proc.stderr
    proc = aws("list-tags-for-resource", "--resource-arn", resource_arn)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["Tags"] == {"team": "sec", "env": "dev"}


def test_cli_reports_errors(aws):
    proc = aws("get-detector", "--detector-id", UNKNOWN_ID)
    assert proc.returncode != 0
    assert "BadRequestException" in proc.stderr, proc.stderr
    assert NOT_OWNED in proc.stderr, proc.stderr
