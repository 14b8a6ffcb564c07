"""boto3 DescribeInstances against the Go test's networkedCompute: the
document must match botocore's model (xmlcheck) and the primary network
interface must parse. Prints "ENI OK" on success; any failure raises."""
import os
import sys

import boto3

sys.path.insert(0, os.path.dirname(__file__))
import xmlcheck  # noqa: E402

ec2 = boto3.client('ec2', endpoint_url=os.environ['EC2_ENDPOINT'], region_name='lab-1',
                   aws_access_key_id=os.environ['EC2_KEY'], aws_secret_access_key=os.environ['EC2_SECRET'])
problems = []


def validate(operation_model, response_dict, **_):
    problems.extend(xmlcheck.check(operation_model, response_dict['body']))


ec2.meta.events.register('before-parse.ec2', validate)
inst = ec2.describe_instances()['Reservations'][0]['Instances'][0]
if problems:
    raise AssertionError('model problems: %s' % problems)
eni = inst['NetworkInterfaces'][0]
want = {'NetworkInterfaceId': 'eni-0123456789abcdef0', 'SubnetId': 'subnet-0123456789abcdef0',
        'VpcId': 'vpc-0123456789abcdef0', 'PrivateIpAddress': '10.0.0.5', 'MacAddress': '02:00:0a:00:00:05',
        'Status': 'in-use', 'SourceDestCheck': True, 'InterfaceType': 'interface',
        'Groups': [{'GroupId': 'sg-0123456789abcdef0', 'GroupName': 'default'}]}
for k, v in want.items():
    if eni.get(k) != v:
        raise AssertionError('NetworkInterfaces[0].%s: got %r, want %r' % (k, eni.get(k), v))
att = eni['Attachment']
if (att['DeviceIndex'], att['Status'], att['AttachmentId']) != (0, 'attached', 'eni-attach-0123456789abcdef0'):
    raise AssertionError('Attachment: %r' % att)
if eni['PrivateIpAddresses'][0]['Primary'] is not True:
    raise AssertionError('PrivateIpAddresses: %r' % eni['PrivateIpAddresses'])
if (inst['SubnetId'], inst['VpcId'], inst['SourceDestCheck']) != (want['SubnetId'], want['VpcId'], True):
    raise AssertionError('instance network fields: %r' % inst)
print('ENI OK')
