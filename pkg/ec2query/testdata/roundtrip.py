"""boto3 against the ec2query handler backed by the Go test's fakeCompute.
Asserts what botocore parses from every answer (the constants are those of
fake_test.go) and that every document matches botocore's model. Prints
"ROUNDTRIP OK" on success; any failure raises."""
import base64
import datetime
import os
import sys

import boto3

sys.path.insert(0, os.path.dirname(__file__))
import xmlcheck  # noqa: E402

INSTANCE = 'i-0123456789abcdef0'
MISSING = 'i-0000000000000dead'
VOLUME = 'vol-0123456789abcdef0'
SNAPSHOT = 'snap-0123456789abcdef0'
IMAGE = 'ami-0123456789abcdef0'
ZONE = 'lab-1a'
WHEN = datetime.datetime(2026, 11, 26, 10, 11, 12, 345000, tzinfo=datetime.timezone.utc)
LATER = datetime.datetime(2026, 11, 26, 10, 13, 14, 567000, tzinfo=datetime.timezone.utc)
USER_DATA = '#cloud-config\nhostname: web-1\n'
METADATA_OPTIONS = {'State': 'applied', 'HttpTokens': 'required', 'HttpPutResponseHopLimit': 2, 'HttpEndpoint': 'enabled'}

ec2 = boto3.client('ec2', endpoint_url=os.environ['EC2_ENDPOINT'], region_name='lab-1',
                   aws_access_key_id=os.environ['EC2_KEY'], aws_secret_access_key=os.environ['EC2_SECRET'])

problems = []
seen = set()


xmlcheck.watch(ec2, problems, seen)
eq, error_code = xmlcheck.eq, xmlcheck.error_code


def check_instance(inst, state):
    eq(inst['InstanceId'], INSTANCE, 'InstanceId')
    eq(inst['ImageId'], IMAGE, 'ImageId')
    eq(inst['State'], state, 'State')
    eq(inst['InstanceType'], 't3.micro', 'InstanceType')
    eq(inst['KeyName'], 'lab', 'KeyName')
    eq(inst['LaunchTime'], WHEN, 'LaunchTime (a datetime)')
    eq(inst['Placement'], {'AvailabilityZone': ZONE, 'Tenancy': 'default'}, 'Placement')
    eq(inst['Architecture'], 'x86_64', 'Architecture')
    eq(inst['RootDeviceName'], '/dev/vda', 'RootDeviceName')
    eq(inst['RootDeviceType'], 'ebs', 'RootDeviceType')
    eq(inst['BlockDeviceMappings'], [{'DeviceName': '/dev/vda', 'Ebs': {
        'VolumeId': 'vol-00000000000000001', 'Status': 'attached', 'AttachTime': WHEN, 'DeleteOnTermination': True}}],
        'BlockDeviceMappings')
    eq(inst['Tags'], [{'Key': 'Name', 'Value': 'web-1'}], 'Tags')
    eq(inst['ClientToken'], 'tok-1', 'ClientToken')
    eq(inst['PrivateIpAddress'], '10.0.0.5', 'PrivateIpAddress')
    eq(inst['PrivateDnsName'], 'ip-10-0-0-5.lab-1.compute.internal', 'PrivateDnsName')
    eq(inst['StateReason'], {'Code': 'Client.UserInitiatedShutdown', 'Message': 'none'}, 'StateReason')
    eq(inst['SecurityGroups'], [], 'SecurityGroups')
    eq(inst['VirtualizationType'], 'hvm', 'VirtualizationType')
    eq(inst['MetadataOptions'], METADATA_OPTIONS, 'MetadataOptions')


# Instances.
r = ec2.run_instances(
    ImageId=IMAGE, InstanceType='t3.micro', MinCount=1, MaxCount=2, KeyName='lab', UserData=USER_DATA,
    Placement={'AvailabilityZone': ZONE},
    TagSpecifications=[{'ResourceType': 'instance', 'Tags': [{'Key': 'Name', 'Value': 'web-1'}, {'Key': 'env', 'Value': 'lab'}]},
                       {'ResourceType': 'volume', 'Tags': [{'Key': 'backup', 'Value': 'daily'}]}],
    BlockDeviceMappings=[{'DeviceName': '/dev/vda', 'Ebs': {'VolumeSize': 20, 'VolumeType': 'gp3', 'DeleteOnTermination': False}},
                         {'DeviceName': '/dev/vdb', 'VirtualName': 'ephemeral0'}],
    DisableApiTermination=True, MetadataOptions={'HttpTokens': 'required', 'HttpPutResponseHopLimit': 2})
eq(r['ReservationId'], 'r-0123456789abcdef0', 'ReservationId')
eq(r['OwnerId'], '123456789012', 'OwnerId')
eq(r['Groups'], [], 'Groups')
check_instance(r['Instances'][0], {'Code': 0, 'Name': 'pending'})

d = ec2.describe_instances(Filters=[{'Name': 'instance-state-name', 'Values': ['running', 'pending']},
                                    {'Name': 'tag:Name', 'Values': ['web-*']}])
check_instance(d['Reservations'][0]['Instances'][0], {'Code': 16, 'Name': 'running'})
eq(d['Reservations'][0]['OwnerId'], '123456789012', 'Reservations[0].OwnerId')
ec2.get_waiter('instance_running').wait(InstanceIds=[INSTANCE], WaiterConfig={'Delay': 1, 'MaxAttempts': 2})
pages = list(ec2.get_paginator('describe_instances').paginate(MaxResults=5))
eq(len(pages), 1, 'pages')

eq(error_code(ec2.describe_instances, InstanceIds=[MISSING]), ('InvalidInstanceID.NotFound', 400), 'missing instance')
eq(error_code(ec2.terminate_instances, InstanceIds=[INSTANCE], DryRun=True), ('DryRunOperation', 412), 'DryRun')

for fn in (ec2.start_instances, ec2.stop_instances, ec2.terminate_instances):
    key = {'start_instances': 'StartingInstances', 'stop_instances': 'StoppingInstances',
           'terminate_instances': 'TerminatingInstances'}[fn.__name__]
    out = fn(InstanceIds=[INSTANCE])[key][0]
    eq((out['InstanceId'], out['PreviousState']['Name'], out['CurrentState']['Code']), (INSTANCE, 'running', 64), key)
ec2.stop_instances(InstanceIds=[INSTANCE], Force=True)
ec2.reboot_instances(InstanceIds=[INSTANCE])

c = ec2.get_console_output(InstanceId=INSTANCE, Latest=True)
eq(c['InstanceId'], INSTANCE, 'console InstanceId')
eq(c['Timestamp'], WHEN, 'console Timestamp')
eq(c['Output'], 'Booting ec2lab guest\nlogin: ', 'console Output (boto3 decodes base64)')

eq(ec2.describe_instance_attribute(InstanceId=INSTANCE, Attribute='userData')['UserData'],
   {'Value': 'I2Nsb3VkLWNvbmZpZw=='}, 'userData')
eq(ec2.describe_instance_attribute(InstanceId=INSTANCE, Attribute='disableApiTermination')['DisableApiTermination'],
   {'Value': True}, 'disableApiTermination')
eq(ec2.describe_instance_attribute(InstanceId=INSTANCE, Attribute='disableApiStop')['DisableApiStop'],
   {'Value': False}, 'disableApiStop')
eq(ec2.describe_instance_attribute(InstanceId=INSTANCE, Attribute='instanceType')['InstanceType'],
   {'Value': 't3.micro'}, 'instanceType')
m = ec2.modify_instance_metadata_options(InstanceId=INSTANCE, HttpTokens='optional', HttpEndpoint='disabled')
eq((m['InstanceId'], m['InstanceMetadataOptions']),
   (INSTANCE, {'State': 'applied', 'HttpTokens': 'optional', 'HttpPutResponseHopLimit': 2, 'HttpEndpoint': 'disabled'}),
   'ModifyInstanceMetadataOptions')
eq(error_code(ec2.modify_instance_metadata_options, InstanceId=MISSING, HttpTokens='required'),
   ('InvalidInstanceID.NotFound', 400), 'modify metadata options of a missing instance')
eq(ec2.describe_instance_credit_specifications(InstanceIds=[INSTANCE])['InstanceCreditSpecifications'],
   [{'InstanceId': INSTANCE, 'CpuCredits': 'unlimited'}], 'credit specifications')

# Catalog.
types = ec2.describe_instance_types(InstanceTypes=['t3.micro', 'g4dn.xlarge'])['InstanceTypes']
t3, g4 = types
eq((t3['VCpuInfo']['DefaultVCpus'], t3['MemoryInfo']['SizeInMiB'], t3['BurstablePerformanceSupported'],
    t3['ProcessorInfo']['SupportedArchitectures'], t3['InstanceStorageSupported']), (2, 1024, True, ['x86_64'], False), 't3.micro')
eq(g4['InstanceStorageInfo'], {'TotalSizeInGB': 125, 'Disks': [{'SizeInGB': 125, 'Count': 1, 'Type': 'ssd'}]}, 'g4dn storage')
eq(g4['GpuInfo'], {'Gpus': [{'Name': 'T4', 'Count': 1}]}, 'g4dn gpus')
eq((t3['NitroEnclavesSupport'], t3['NitroTpmSupport']), ('unsupported', 'unsupported'), 'no enclaves, no TPM')
eq(ec2.describe_regions(RegionNames=['lab-1'])['Regions'],
   [{'RegionName': 'lab-1', 'Endpoint': '127.0.0.1:8787', 'OptInStatus': 'opt-in-not-required'}], 'regions')
z = ec2.describe_availability_zones()['AvailabilityZones'][0]
eq((z['ZoneName'], z['State'], z['RegionName'], z['ZoneId'], z['Messages']),
   (ZONE, 'available', 'lab-1', 'lab1-az1', [{'Message': 'all good'}]), 'zone')
eq((z['NetworkBorderGroup'], z['GroupName'], z['OptInStatus']), ('lab-1', 'lab-1-zg-1', 'opt-in-not-required'), 'zone groups')
attrs = ec2.describe_account_attributes()['AccountAttributes']
eq(attrs[0]['AttributeValues'], [{'AttributeValue': 'VPC'}], 'account attributes')
eq((attrs[1]['AttributeName'], attrs[1]['AttributeValues']), ('default-vpc', [{'AttributeValue': 'vpc-0123456789abcdef0'}]), 'default VPC')

# Key pairs.
k = ec2.create_key_pair(KeyName='lab', KeyType='ed25519', TagSpecifications=[{'ResourceType': 'key-pair', 'Tags': [{'Key': 'team', 'Value': 'infra'}]}])
eq((k['KeyName'], k['KeyPairId'], k['KeyFingerprint'], k['Tags']), ('lab', 'key-0123456789abcdef0', 'ab:cd:ef', [{'Key': 'team', 'Value': 'infra'}]), 'create_key_pair')
assert k['KeyMaterial'].startswith('-----BEGIN OPENSSH PRIVATE KEY-----\n'), k['KeyMaterial']
ik = ec2.import_key_pair(KeyName='lab2', PublicKeyMaterial=b'ssh-ed25519 AAAA lab')
assert 'KeyMaterial' not in ik
kp = ec2.describe_key_pairs(KeyNames=['lab'], IncludePublicKey=True)['KeyPairs'][0]
eq((kp['KeyType'], kp['PublicKey'], kp['CreateTime']), ('ed25519', 'ssh-ed25519 AAAA lab', WHEN), 'describe_key_pairs')
ec2.delete_key_pair(KeyName='lab')
eq(ec2.delete_key_pair(KeyPairId='key-0123456789abcdef0')['KeyPairId'], 'key-0123456789abcdef0', 'delete_key_pair')

# Tags.
ec2.create_tags(Resources=[INSTANCE, VOLUME], Tags=[{'Key': 'owner', 'Value': 'me'}])
ec2.delete_tags(Resources=[INSTANCE], Tags=[{'Key': 'owner'}])
eq(ec2.describe_tags(Filters=[{'Name': 'resource-id', 'Values': [INSTANCE]}])['Tags'],
   [{'ResourceId': INSTANCE, 'ResourceType': 'instance', 'Key': 'Name', 'Value': 'web-1'}], 'describe_tags')

# Volumes.
v = ec2.create_volume(AvailabilityZone=ZONE, Size=8, VolumeType='gp3', Iops=3000, Throughput=125)
eq((v['VolumeId'], v['State'], v['CreateTime'], v['Attachments']), (VOLUME, 'creating', WHEN, []), 'create_volume')
vol = ec2.describe_volumes(Filters=[{'Name': 'attachment.instance-id', 'Values': [INSTANCE]}])['Volumes'][0]
eq((vol['VolumeId'], vol['Size'], vol['AvailabilityZone'], vol['State'], vol['VolumeType'], vol['Iops'], vol['Throughput'],
    vol['Encrypted'], vol['Tags']), (VOLUME, 8, ZONE, 'in-use', 'gp3', 3000, 125, False, [{'Key': 'Name', 'Value': 'data'}]), 'volume')
eq(vol['Attachments'], [{'VolumeId': VOLUME, 'InstanceId': INSTANCE, 'Device': '/dev/vdb', 'State': 'attached',
                         'AttachTime': WHEN, 'DeleteOnTermination': False}], 'attachments')
a = ec2.attach_volume(VolumeId=VOLUME, InstanceId=INSTANCE, Device='/dev/vdb')
eq((a['State'], a['Device']), ('attaching', '/dev/vdb'), 'attach_volume')
eq(ec2.detach_volume(VolumeId=VOLUME)['State'], 'detaching', 'detach_volume')
m = ec2.modify_volume(VolumeId=VOLUME, Size=16)['VolumeModification']
eq((m['ModificationState'], m['TargetSize'], m['OriginalSize'], m['StartTime']), ('modifying', 16, 8, WHEN), 'modify_volume')
ec2.delete_volume(VolumeId=VOLUME)

# Snapshots.
s = ec2.create_snapshot(VolumeId=VOLUME, Description='nightly')
eq((s['SnapshotId'], s['State'], s['Progress'], s['VolumeSize'], s['StartTime']), (SNAPSHOT, 'pending', '0%', 8, WHEN), 'create_snapshot')
assert 'CompletionTime' not in s, s
snap = ec2.describe_snapshots(OwnerIds=['self'])['Snapshots'][0]
eq((snap['State'], snap['OwnerId'], snap['Description']), ('completed', '123456789012', 'nightly'), 'describe_snapshots')
eq(snap['CompletionTime'], LATER, 'CompletionTime (a datetime)')
eq(ec2.copy_snapshot(SourceRegion='lab-1', SourceSnapshotId=SNAPSHOT)['SnapshotId'], 'snap-0fedcba9876543210', 'copy_snapshot')
ec2.delete_snapshot(SnapshotId=SNAPSHOT)

# Images.
eq(ec2.register_image(Name='tiny-linux', ImageLocation='/var/lib/ec2lab/bundles/tiny')['ImageId'], IMAGE, 'register_image')
eq(ec2.create_image(InstanceId=INSTANCE, Name='snap-of-web', NoReboot=True)['ImageId'], IMAGE, 'create_image')
im = ec2.describe_images(Owners=['self'], ImageIds=[IMAGE])['Images'][0]
eq((im['ImageId'], im['State'], im['OwnerId'], im['Public'], im['Name'], im['Architecture'], im['CreationDate'],
    im['BootMode'], im['Tags']),
   (IMAGE, 'available', '123456789012', False, 'tiny-linux', 'x86_64', '2026-11-26T10:11:12.345Z', 'legacy-bios',
    [{'Key': 'os', 'Value': 'linux'}]), 'describe_images')
eq((im['SourceInstanceId'], im['LastLaunchedTime'], im['DeregistrationProtection']),
   (INSTANCE, '2026-11-26T10:13:14Z', 'disabled'), 'image source instance, last launch, deregistration protection')
eq(im['BlockDeviceMappings'], [
    {'DeviceName': '/dev/vda', 'Ebs': {'SnapshotId': SNAPSHOT, 'VolumeSize': 1, 'VolumeType': 'gp3',
                                       'DeleteOnTermination': True, 'Encrypted': False}},
    {'DeviceName': '/dev/vdc', 'NoDevice': ''}], 'image block devices')
ec2.get_waiter('image_available').wait(ImageIds=[IMAGE], WaiterConfig={'Delay': 1, 'MaxAttempts': 2})
ec2.deregister_image(ImageId=IMAGE)

if problems:
    raise AssertionError('documents that do not match the botocore model:\n  ' + '\n  '.join(problems))
print('validated %d operations against the botocore model' % len(seen))
print('ROUNDTRIP OK')
