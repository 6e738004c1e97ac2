#!/usr/bin/python3
"""Writes an S3-style tree of gzip CloudTrail files for the `vigil ingest` benchmark:
AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_..._N.json.gz,
until the gzip files add up to TARGET_BYTES. Records are realistic management events
(~1.1 KB each) with random unique eventIDs and requestIDs (so the gzip ratio, ~15x, is near real CloudTrail's), so the server's eventID de-duplication does real work.

usage: gen_cloudtrail.py DIR TARGET_BYTES [RECORDS_PER_FILE]
"""

import gzip
import os
import sys
import uuid
from multiprocessing import Pool

ACCOUNT = "111111111111"
REGION = "us-east-1"
NAMES = [("DescribeInstances", "ec2.amazonaws.com", "true"),
         ("GetObject", "s3.amazonaws.com", "true"),
         ("ListBuckets", "s3.amazonaws.com", "true"),
         ("AssumeRole", "sts.amazonaws.com", "false"),
         ("PutObject", "s3.amazonaws.com", "false"),
         ("RunInstances", "ec2.amazonaws.com", "false"),
         ("GetCallerIdentity", "sts.amazonaws.com", "true"),
         ("Decrypt", "kms.amazonaws.com", "true")]
TEMPLATE = ('{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":'
            '"AIDAEXAMPLE%(user)05d","arn":"arn:aws:iam::' + ACCOUNT + ':user/u%(user)d",'
            '"accountId":"' + ACCOUNT + '","accessKeyId":"AKIAEXAMPLE%(user)09d","userName":'
            '"u%(user)d","sessionContext":{"sessionIssuer":{},"webIdFederationData":{},'
            '"attributes":{"creationDate":"2026-01-01T00:00:00Z","mfaAuthenticated":"false"}}},'
            '"eventTime":"2026-01-01T%(hh)02d:%(mm)02d:%(ss)02dZ","eventSource":"%(source)s",'
            '"eventName":"%(name)s","awsRegion":"' + REGION + '","sourceIPAddress":'
            '"86.12.%(a)d.%(b)d","userAgent":"aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-18-amd64 '
            'exe/x86_64.debian.12 prompt/off command/ec2.describe-instances",'
            '"requestParameters":{"maxResults":100,"filterSet":{},"instancesSet":{}},'
            '"responseElements":null,"requestID":"%(request)s","eventID":"%(event)s",'
            '"readOnly":%(ro)s,"eventType":"AwsApiCall","managementEvent":true,'
            '"recipientAccountId":"' + ACCOUNT + '","eventCategory":"Management",'
            '"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256",'
            '"clientProvidedHostHeader":"ec2.us-east-1.amazonaws.com"}}')


def write_file(args):
    directory, index, records = args
    lines = []
    for i in range(records):
        n = index * records + i
        name, source, read_only = NAMES[n % len(NAMES)]
        lines.append(TEMPLATE % {
            "user": n % 500, "hh": (n // 3600) % 24, "mm": (n // 60) % 60, "ss": n % 60,
            "source": source, "name": name, "a": n % 250, "b": (n // 250) % 250,
            "request": uuid.uuid4(), "event": uuid.uuid4(),
            "ro": read_only})
    body = '{"Records":[' + ",".join(lines) + "]}"
    path = os.path.join(directory, f"{ACCOUNT}_CloudTrail_{REGION}_20260101T0000Z_{index:06d}.json.gz")
    with open(path, "wb") as out:
        out.write(gzip.compress(body.encode(), compresslevel=6))
    return os.path.getsize(path), records


def main():
    root, target = sys.argv[1], int(sys.argv[2])
    records = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
    directory = os.path.join(root, "AWSLogs", ACCOUNT, "CloudTrail", REGION, "2026", "01", "01")
    os.makedirs(directory, exist_ok=True)
    total = count = files = 0
    with Pool(os.cpu_count()) as pool:
        index = 0
        while total < target:
            batch = [(directory, index + k, records) for k in range(8)]
            index += len(batch)
            for size, written in pool.map(write_file, batch):
                total += size
                count += written
                files += 1
    print(f"{files} files, {count} records, {total} bytes of gzip")


if __name__ == "__main__":
    main()
