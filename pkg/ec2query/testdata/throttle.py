"""boto3 against the ec2query handler with a small bucket for unfiltered
describes (throttle_test.go): a client in standard retry mode gets every
answer, retrying the RequestLimitExceeded ones; a client with retries off
sees RequestLimitExceeded (HTTP 503) itself. Prints "THROTTLE OK retries=N";
any failure raises."""
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def client(retries):
    return boto3.client('ec2', endpoint_url=os.environ['EC2_ENDPOINT'], region_name='lab-1',
                        aws_access_key_id=os.environ['EC2_KEY'], aws_secret_access_key=os.environ['EC2_SECRET'],
                        config=Config(retries=retries))


calls = int(os.environ['CALLS'])
standard = client({'mode': 'standard', 'max_attempts': 10})
retried = 0
for _ in range(calls):
    got = standard.describe_volumes()
    assert got['ResponseMetadata']['HTTPStatusCode'] == 200, got['ResponseMetadata']
    retried += got['ResponseMetadata']['RetryAttempts']
assert retried > 0, 'standard mode never met a throttle: the bucket is too large for the test'

bare = client({'mode': 'standard', 'total_max_attempts': 1})
for _ in range(calls):
    try:
        bare.describe_volumes()
    except ClientError as e:
        assert e.response['Error']['Code'] == 'RequestLimitExceeded', e.response
        assert e.response['ResponseMetadata']['HTTPStatusCode'] == 503, e.response['ResponseMetadata']
        assert e.response['ResponseMetadata']['RetryAttempts'] == 0, e.response['ResponseMetadata']
        break
else:
    raise AssertionError('%d calls without retries were never throttled' % calls)
print('THROTTLE OK retries=%d' % retried)
