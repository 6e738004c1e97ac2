"""Every operation of botocore's GuardDuty model is served (issue 8).

Each operation is called through boto3 with a valid request built from the model's shapes
and real resources (model_requests.py). It must not answer UnknownOperationException (or
any 404), and what it answers must parse with botocore and match the output shape. Most
operations must succeed; the few whose success needs a relationship between accounts that
one request cannot set up (an invitation to accept, the organization's management
account) must at least answer GuardDuty's error shape with a message.
"""

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT_A, REGION
from model_requests import OPERATIONS, build_estate, build_params, check_output, method_of

FRESH_ACCOUNT = "333333333333"  # has no detector: CreateDetector is called as it

# Operations that may answer a GuardDuty error to a well-formed request in a single-account
# estate, and why. Everything else must succeed.
MAY_REFUSE = {
    "AcceptInvitation": "needs an invitation another account sent",
    "AcceptAdministratorInvitation": "needs an invitation another account sent",
    "EnableOrganizationAdminAccount": "only the organization's management account may call it",
    "DisableOrganizationAdminAccount": "only the organization's management account may call it",
    "ListOrganizationAdminAccounts": "only the organization's management account may call it",
    "DescribeOrganizationConfiguration": "only the organization's delegated admin may call it",
    "UpdateOrganizationConfiguration": "only the organization's delegated admin may call it",
    "DisassociateFromMasterAccount": "the account has no administrator to leave",
    "DisassociateFromAdministratorAccount": "the account has no administrator to leave",
}

# Required output members GuardDuty itself leaves out, and when.
MAY_OMIT = {
    ("GetAdministratorAccount", "Administrator"): "an account without an administrator gets {}",
    ("GetMasterAccount", "Master"): "an account without an administrator gets {}",
}

# Resources a one-per-detector Create needs absent from the estate.
SKIP_FOR = {"CreateIPSet": ("ipset",), "CreatePublishingDestination": ("destination",)}


def test_the_model_has_every_operation():
    assert len(OPERATIONS) == 65, OPERATIONS
    assert not set(MAY_REFUSE) - set(OPERATIONS), set(MAY_REFUSE) - set(OPERATIONS)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_operation_is_served(vigil, gd, operation):
    estate = build_estate(gd, ACCOUNT_A, REGION, skip=SKIP_FOR.get(operation, ()))
    client = vigil.client(FRESH_ACCOUNT, REGION) if operation == "CreateDetector" else gd
    params = build_params(operation, estate)
    try:
        result = method_of(client, operation)(**params)
    except ClientError as error:
        response = error.response
        status = response["ResponseMetadata"]["HTTPStatusCode"]
        code = response["Error"].get("Code")
        assert status != 404 and code != "UnknownOperationException", (
            f"{operation} is not served: {status} {code} {response['Error'].get('Message')}")
        assert operation in MAY_REFUSE, (
            f"{operation} refused a valid request {params}: {status} {response['Error']}")
        assert status == 400 and code == "BadRequestException", response
        assert response["Error"].get("Message"), response
        assert response["ResponseMetadata"].get("RequestId"), response
        return
    allowed = {f"{op}.{member}: required but missing" for op, member in MAY_OMIT}
    assert [p for p in check_output(operation, result) if p not in allowed] == []
