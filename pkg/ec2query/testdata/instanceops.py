"""boto3 DescribeInstanceTypeOfferings (and its paginator),
Describe/ModifyInstanceCreditSpecification(s), ResetInstanceAttribute,
CreateDefaultVpc, CreateDefaultSubnet, GetInstanceUefiData and
DescribeInstanceTopology against the
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

# Credit specifications, as Terraform's aws_instance credit_specification does them.
INSTANCE, MISSING = 'i-0123456789abcdef0', 'i-0000000000000dead'
got = ec2.modify_instance_credit_specification(InstanceCreditSpecifications=[
    {'InstanceId': INSTANCE, 'CpuCredits': 'standard'}, {'InstanceId': MISSING, 'CpuCredits': 'standard'},
    {'InstanceId': 'i-00000000000000002', 'CpuCredits': 'unlimited'}], ClientToken='tok')
eq(got['SuccessfulInstanceCreditSpecifications'], [{'InstanceId': INSTANCE}], 'successful')
eq([(u['InstanceId'], u['Error']['Code']) for u in got['UnsuccessfulInstanceCreditSpecifications']],
   [(MISSING, 'InvalidInstanceID.NotFound'), ('i-00000000000000002', 'InstanceCreditSpecification.NotSupported')],
   'unsuccessful')
eq(ec2.describe_instance_credit_specifications(InstanceIds=[INSTANCE])['InstanceCreditSpecifications'],
   [{'InstanceId': INSTANCE, 'CpuCredits': 'unlimited'}], 'describe credit specifications')
pages = ec2.get_paginator('describe_instance_credit_specifications').paginate(PaginationConfig={'PageSize': 5})
eq([c['InstanceId'] for p in pages for c in p['InstanceCreditSpecifications']], [INSTANCE], 'credit paginator')
eq(error_code(ec2.describe_instance_credit_specifications, InstanceIds=[MISSING]),
   ('InvalidInstanceID.NotFound', 400), 'describe a missing instance')

# ResetInstanceAttribute (no output shape: <return>true</return>).
ec2.reset_instance_attribute(InstanceId=INSTANCE, Attribute='sourceDestCheck')
eq(error_code(ec2.reset_instance_attribute, InstanceId=MISSING, Attribute='kernel'),
   ('InvalidInstanceID.NotFound', 400), 'reset a missing instance')

# Default VPC and subnet.
vpc = ec2.create_default_vpc()['Vpc']
eq((vpc['VpcId'], vpc['CidrBlock'], vpc['IsDefault'], vpc['State']),
   ('vpc-0123456789abcdef0', '172.31.0.0/16', True, 'available'), 'default VPC')
subnet = ec2.create_default_subnet(AvailabilityZone='lab-1a')['Subnet']
eq((subnet['SubnetId'], subnet['CidrBlock'], subnet['DefaultForAz'], subnet['AvailabilityZoneId'],
    subnet['AvailableIpAddressCount']), ('subnet-0123456789abcdef0', '172.31.0.0/20', True, 'lab-1-az1', 4091),
   'default subnet')
eq(ec2.create_default_subnet(AvailabilityZoneId='lab-1-az1')['Subnet']['AvailabilityZone'], 'lab-1a', 'by zone ID')
eq(error_code(ec2.create_default_subnet, AvailabilityZone='lab-1b'),
   ('DefaultSubnetAlreadyExistsInAvailabilityZone', 400), 'zone with a default subnet')

# GetInstanceUefiData: base64 of an AMZNUEFI store.
import base64  # noqa: E402
import zlib  # noqa: E402
got = ec2.get_instance_uefi_data(InstanceId=INSTANCE)
eq(got['InstanceId'], INSTANCE, 'uefi data instance')
store = base64.b64decode(got['UefiData'])
eq(store[:8], b'AMZNUEFI', 'uefi data magic')
eq(zlib.decompress(store[16:])[:8], b'\0' * 8, 'uefi data: no variables')
eq(error_code(ec2.get_instance_uefi_data, InstanceId=MISSING), ('InvalidInstanceID.NotFound', 400), 'uefi data of a missing instance')

# DescribeInstanceTopology.
got = ec2.describe_instance_topology(GroupNames=['tight'])['Instances']
eq(got, [{'InstanceId': INSTANCE, 'InstanceType': 't3.micro', 'GroupName': 'tight', 'AvailabilityZone': 'lab-1a',
          'ZoneId': 'lab-1-az1', 'NetworkNodes': ['nn-0123456789abcdef0', 'nn-1123456789abcdef0', 'nn-2123456789abcdef0']}],
   'topology')
pages = ec2.get_paginator('describe_instance_topology').paginate()
eq([i['InstanceId'] for p in pages for i in p['Instances']], [INSTANCE], 'topology paginator')

if problems:
    raise AssertionError('documents off the model:\n' + '\n'.join(problems))
print('INSTANCE OPS OK', sorted(seen))
