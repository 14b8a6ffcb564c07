"""boto3 DescribeNetworkInterfaces, DescribeRouteTables, DescribeNetworkAcls
and RunInstances with NetworkInterfaces against the Go test's
networkedCompute (constants of fake_netread_test.go). Every document must
match botocore's model. Prints "NETREAD OK" on success; any failure raises."""
import datetime
import os
import sys

import boto3

sys.path.insert(0, os.path.dirname(__file__))
import xmlcheck  # noqa: E402

ec2 = boto3.client('ec2', endpoint_url=os.environ['EC2_ENDPOINT'], region_name='lab-1',
                   aws_access_key_id=os.environ['EC2_KEY'], aws_secret_access_key=os.environ['EC2_SECRET'])
problems = []
xmlcheck.watch(ec2, problems)
eq, error_code = xmlcheck.eq, xmlcheck.error_code
WHEN = datetime.datetime(2026, 11, 26, 10, 11, 12, 345000, tzinfo=datetime.timezone.utc)
ENI = 'eni-0123456789abcdef0'
SUBNET = 'subnet-0123456789abcdef0'
VPC = 'vpc-0123456789abcdef0'
GROUP = 'sg-0123456789abcdef0'

# Network interfaces.
eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[ENI])['NetworkInterfaces'][0]
want = {'NetworkInterfaceId': ENI, 'SubnetId': SUBNET, 'VpcId': VPC, 'AvailabilityZone': 'lab-1a',
        'Description': 'web eni', 'OwnerId': '123456789012', 'RequesterManaged': False, 'Status': 'in-use',
        'MacAddress': '02:00:0a:00:00:05', 'PrivateIpAddress': '10.0.0.5',
        'PrivateDnsName': 'ip-10-0-0-5.lab-1.compute.internal', 'SourceDestCheck': True,
        'Groups': [{'GroupId': GROUP, 'GroupName': 'default'}], 'InterfaceType': 'interface',
        'TagSet': [{'Key': 'role', 'Value': 'web'}], 'Ipv6Addresses': [],
        'PrivateIpAddresses': [{'PrivateIpAddress': '10.0.0.5', 'PrivateDnsName': 'ip-10-0-0-5.lab-1.compute.internal',
                                'Primary': True}]}
for k, v in want.items():
    eq(eni.get(k), v, 'NetworkInterfaces[0].%s' % k)
eq(eni['Attachment'], {'AttachTime': WHEN, 'AttachmentId': 'eni-attach-0123456789abcdef0', 'DeleteOnTermination': True,
                       'DeviceIndex': 0, 'NetworkCardIndex': 0, 'InstanceId': 'i-0123456789abcdef0',
                       'InstanceOwnerId': '123456789012', 'Status': 'attached'}, 'Attachment')
eq(error_code(ec2.describe_network_interfaces, NetworkInterfaceIds=['eni-00000000000000000']),
   ('InvalidNetworkInterfaceID.NotFound', 400), 'unknown interface')
# Terraform's search for leftover Lambda interfaces of a subnet: none.
left = ec2.describe_network_interfaces(Filters=[{'Name': 'description', 'Values': ['AWS Lambda VPC ENI*']},
                                                {'Name': 'subnet-id', 'Values': [SUBNET]}])
eq(left['NetworkInterfaces'], [], 'leftover interfaces')

# The instance's own view of its interface.
inst = ec2.describe_instances()['Reservations'][0]['Instances'][0]
eq(inst['NetworkInterfaces'][0]['NetworkInterfaceId'], ENI, 'instance NetworkInterfaces')
eq(inst['NetworkInterfaces'][0]['Description'], 'web eni', 'instance interface description')

# Route tables and network ACLs, as Terraform's aws_vpc reads them.
rt = ec2.describe_route_tables(Filters=[{'Name': 'vpc-id', 'Values': [VPC]},
                                        {'Name': 'association.main', 'Values': ['true']}])['RouteTables'][0]
eq((rt['RouteTableId'], rt['VpcId'], rt['OwnerId']), ('rtb-0123456789abcdef0', VPC, '123456789012'), 'route table')
eq(rt['Routes'], [{'DestinationCidrBlock': '10.0.0.0/16', 'GatewayId': 'local', 'State': 'active',
                   'Origin': 'CreateRouteTable'}], 'routes')
eq(rt['Associations'], [{'Main': True, 'RouteTableAssociationId': 'rtbassoc-0123456789abcdef0',
                         'RouteTableId': 'rtb-0123456789abcdef0', 'AssociationState': {'State': 'associated'}}],
   'associations')
acl = ec2.describe_network_acls(Filters=[{'Name': 'default', 'Values': ['true']},
                                         {'Name': 'vpc-id', 'Values': [VPC]}])['NetworkAcls'][0]
eq((acl['NetworkAclId'], acl['IsDefault'], acl['VpcId'], acl['OwnerId'], acl['Tags']),
   ('acl-0123456789abcdef0', True, VPC, '123456789012', [{'Key': 'Name', 'Value': 'default'}]), 'network acl')
eq([(e['RuleNumber'], e['RuleAction'], e['Egress'], e['Protocol'], e['CidrBlock']) for e in acl['Entries']],
   [(100, 'allow', True, '-1', '0.0.0.0/0'), (32767, 'deny', True, '-1', '0.0.0.0/0'),
    (100, 'allow', False, '-1', '0.0.0.0/0'), (32767, 'deny', False, '-1', '0.0.0.0/0')], 'entries')
eq(acl['Associations'], [{'NetworkAclAssociationId': 'aclassoc-0123456789abcdef0',
                          'NetworkAclId': 'acl-0123456789abcdef0', 'SubnetId': SUBNET}], 'acl associations')

# RunInstances as Ansible's ec2_instance sends its network.
ec2.run_instances(ImageId='ami-0123456789abcdef0', MinCount=1, MaxCount=1, NetworkInterfaces=[
    {'DeviceIndex': 0, 'SubnetId': SUBNET, 'Groups': [GROUP], 'PrivateIpAddress': '10.0.0.5',
     'Description': 'web eni', 'AssociatePublicIpAddress': False}])

if problems:
    raise AssertionError('documents that do not match the botocore model:\n  ' + '\n  '.join(problems))
print('NETREAD OK')
