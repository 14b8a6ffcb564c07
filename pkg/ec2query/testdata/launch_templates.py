"""boto3's launch template calls against the ec2query handler backed by the
Go test's templateCompute, which answers every version with the data of
the last create: the data must come back as sent, every document must
match botocore's model, and members ec2lab does not model must be refused.
Prints "TEMPLATES OK" on success; any failure raises."""
import base64
import datetime
import os
import sys

import boto3

sys.path.insert(0, os.path.dirname(__file__))
import xmlcheck  # noqa: E402

TEMPLATE = 'lt-0123456789abcdef0'
WHEN = datetime.datetime(2026, 11, 26, 10, 11, 12, 345000, tzinfo=datetime.timezone.utc)
SG = 'sg-0123456789abcdef0'
DATA = {
    'EbsOptimized': False,
    'IamInstanceProfile': {'Name': 'web'},
    'BlockDeviceMappings': [
        {'DeviceName': '/dev/vda', 'Ebs': {'Encrypted': True, 'DeleteOnTermination': False, 'Iops': 3000,
                                           'VolumeSize': 20, 'VolumeType': 'gp3', 'Throughput': 125}},
        {'DeviceName': '/dev/vdc', 'NoDevice': ''}],
    'NetworkInterfaces': [{'AssociatePublicIpAddress': False, 'DeleteOnTermination': True, 'DeviceIndex': 0,
                           'Groups': [SG], 'PrivateIpAddress': '10.0.0.9', 'SubnetId': 'subnet-0123456789abcdef0',
                           'NetworkCardIndex': 0}],
    'ImageId': 'ami-0123456789abcdef0',
    'InstanceType': 't3.micro',
    'KeyName': 'lab',
    'Monitoring': {'Enabled': False},
    'Placement': {'AvailabilityZone': 'lab-1a', 'GroupName': 'pg', 'Tenancy': 'default', 'PartitionNumber': 1},
    'DisableApiTermination': True,
    'InstanceInitiatedShutdownBehavior': 'stop',
    'UserData': base64.b64encode(b'#cloud-config\nhostname: web\n').decode(),
    'TagSpecifications': [{'ResourceType': 'instance', 'Tags': [{'Key': 'Name', 'Value': 'web'}]},
                          {'ResourceType': 'volume', 'Tags': [{'Key': 'backup', 'Value': 'daily'}]}],
    'SecurityGroupIds': [SG],
    'SecurityGroups': ['default'],
    'CreditSpecification': {'CpuCredits': 'standard'},
    'MetadataOptions': {'HttpTokens': 'required', 'HttpPutResponseHopLimit': 2, 'HttpEndpoint': 'enabled',
                        'HttpProtocolIpv6': 'disabled', 'InstanceMetadataTags': 'disabled'},
    'DisableApiStop': False,
}

ec2 = boto3.client('ec2', endpoint_url=os.environ['EC2_ENDPOINT'], region_name='lab-1',
                   aws_access_key_id=os.environ['EC2_KEY'], aws_secret_access_key=os.environ['EC2_SECRET'])
problems = []
seen = set()
xmlcheck.watch(ec2, problems, seen)
eq, error_code = xmlcheck.eq, xmlcheck.error_code

TEMPLATE_OUT = {'LaunchTemplateId': TEMPLATE, 'LaunchTemplateName': 'web', 'CreateTime': WHEN,
                'CreatedBy': 'arn:aws:iam::123456789012:root', 'DefaultVersionNumber': 1, 'LatestVersionNumber': 3,
                'Tags': [{'Key': 'team', 'Value': 'web'}]}

out = ec2.create_launch_template(LaunchTemplateName='web', VersionDescription='first', LaunchTemplateData=DATA,
                                 TagSpecifications=[{'ResourceType': 'launch-template',
                                                     'Tags': [{'Key': 'team', 'Value': 'web'}]}])
eq(out['LaunchTemplate'], TEMPLATE_OUT, 'create_launch_template')
eq(out['Warning'], {'Errors': [{'Code': 'InvalidKeyPair.NotFound', 'Message': "The key pair 'lab' does not exist"}]},
   'create_launch_template warning')

eq(ec2.describe_launch_templates(LaunchTemplateIds=[TEMPLATE])['LaunchTemplates'], [TEMPLATE_OUT],
   'describe_launch_templates')
vs = ec2.describe_launch_template_versions(LaunchTemplateId=TEMPLATE, Versions=['$Latest', '1'])
eq(vs['NextToken'], 'next-1', 'describe_launch_template_versions NextToken')
v = vs['LaunchTemplateVersions'][0]
eq((v['LaunchTemplateId'], v['LaunchTemplateName'], v['VersionNumber'], v['VersionDescription'], v['CreateTime'],
    v['DefaultVersion']), (TEMPLATE, 'web', 1, 'first', WHEN, True), 'version')
eq(v['LaunchTemplateData'], DATA, 'version data read back')
eq(error_code(ec2.describe_launch_template_versions, LaunchTemplateId='lt-0000000000000dead'),
   ('InvalidLaunchTemplateId.NotFound', 400), 'unknown template')

v2 = ec2.create_launch_template_version(LaunchTemplateName='web', SourceVersion='1',
                                        LaunchTemplateData={'InstanceType': 't3.small'})['LaunchTemplateVersion']
eq((v2['VersionNumber'], v2['DefaultVersion']), (2, False), 'create_launch_template_version')
eq(ec2.modify_launch_template(LaunchTemplateId=TEMPLATE, DefaultVersion='2')['LaunchTemplate']['DefaultVersionNumber'], 2,
   'modify_launch_template')
d = ec2.delete_launch_template_versions(LaunchTemplateId=TEMPLATE, Versions=['3', '2'])
eq(d['SuccessfullyDeletedLaunchTemplateVersions'], [{'LaunchTemplateId': TEMPLATE, 'LaunchTemplateName': 'web',
                                                     'VersionNumber': 3}], 'deleted versions')
eq(d['UnsuccessfullyDeletedLaunchTemplateVersions'][0]['ResponseError'],
   {'Code': 'unexpectedError', 'Message': 'Cannot delete the default version'}, 'undeleted version')
eq(ec2.get_launch_template_data(InstanceId='i-0123456789abcdef0')['LaunchTemplateData'], DATA, 'get_launch_template_data')
ec2.run_instances(MinCount=1, MaxCount=1, LaunchTemplate={'LaunchTemplateName': 'web', 'Version': '$Latest'})
eq(ec2.delete_launch_template(LaunchTemplateName='web')['LaunchTemplate']['LaunchTemplateId'], TEMPLATE,
   'delete_launch_template')

for extra in ({'CpuOptions': {'CoreCount': 2}},
              {'BlockDeviceMappings': [{'DeviceName': '/dev/vdb', 'Ebs': {'KmsKeyId': 'k', 'VolumeSize': 1}}]},
              {'NetworkInterfaces': [{'DeviceIndex': 0, 'Ipv6AddressCount': 1}]}):
    eq(error_code(ec2.create_launch_template, LaunchTemplateName='strict', LaunchTemplateData=extra),
       ('UnknownParameter', 400), 'unmodelled member %s' % extra)

if problems:
    raise AssertionError('documents that do not match the botocore model:\n  ' + '\n  '.join(problems))
print('validated %d operations against the botocore model' % len(seen))
print('TEMPLATES OK')
