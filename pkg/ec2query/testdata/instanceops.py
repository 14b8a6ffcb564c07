"""boto3 DescribeInstanceTypeOfferings (and its paginator) against the
ec2query handler backed by the Go test's fakeCompute (instanceops_test.go):
every document must match botocore's model and parse to the values
asserted here. Prints "INSTANCE OPS OK"; any failure raises."""
import os
import sys

import boto3

sys.path.insert(0, os.path.dirname(__file__))
import xmlcheck  # noqa: E402

ec2 = boto3.client('ec2', endpoint_url=os.environ['EC2_ENDPOINT'], region_name='lab-1',
                   aws_access_key_id=os.environ['EC2_KEY'], aws_secret_access_key=os.environ['EC2_SECRET'])
problems = []
seen = set()
xmlcheck.watch(ec2, problems, seen)
eq, error_code = xmlcheck.eq, xmlcheck.error_code

# DescribeInstanceTypeOfferings, as Terraform's aws_ec2_instance_type_offerings reads it.
got = ec2.describe_instance_type_offerings(LocationType='availability-zone',
                                           Filters=[{'Name': 'instance-type', 'Values': ['t3.micro', 'g4dn.*']}])
eq(got['InstanceTypeOfferings'], [
    {'InstanceType': 't3.micro', 'LocationType': 'availability-zone', 'Location': 'lab-1a'},
    {'InstanceType': 'g4dn.xlarge', 'LocationType': 'availability-zone', 'Location': 'lab-1b'}], 'offerings')
pages = ec2.get_paginator('describe_instance_type_offerings').paginate(PaginationConfig={'PageSize': 5})
eq([o['InstanceType'] for p in pages for o in p['InstanceTypeOfferings']], ['t3.micro', 'g4dn.xlarge'], 'paginator')
eq(error_code(ec2.describe_instance_type_offerings, DryRun=True), ('DryRunOperation', 412), 'dry run')

if problems:
    raise AssertionError('documents off the model:\n' + '\n'.join(problems))
print('INSTANCE OPS OK', sorted(seen))
