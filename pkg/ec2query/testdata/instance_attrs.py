"""boto3 DescribeInstanceAttribute (every attribute botocore knows),
ModifyInstanceAttribute (both forms, every member) and
DescribeInstanceStatus (its paginator and waiters' paths) against the
ec2query handler backed by the Go test's fakeCompute
(instance_attrs_test.go): every document must match botocore's model and
parse to the values asserted here. Then the same describe calls against a
moto_server must give the same top-level keys.
Prints "INSTANCE ATTRS OK"; any failure raises."""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import moto_compare  # noqa: E402
import xmlcheck  # noqa: E402

INSTANCE = 'i-0123456789abcdef0'
IMPAIRED = 'i-0123456789abcdef1'
MISSING = 'i-0000000000000dead'
WHEN = datetime.datetime(2026, 11, 26, 10, 11, 12, 345000, tzinfo=datetime.timezone.utc)

ec2 = moto_compare.client(os.environ['EC2_ENDPOINT'], os.environ['EC2_KEY'], os.environ['EC2_SECRET'])
problems = []
xmlcheck.watch(ec2, problems)
eq, error_code = xmlcheck.eq, xmlcheck.error_code


def attr(name):
    return ec2.describe_instance_attribute(InstanceId=INSTANCE, Attribute=name)


names = ec2.meta.service_model.shape_for('InstanceAttributeName').enum
want = {
    'instanceType': ('InstanceType', {'Value': 't3.micro'}),
    'kernel': ('KernelId', {}),
    'ramdisk': ('RamdiskId', {}),
    'userData': ('UserData', {'Value': 'I2Nsb3VkLWNvbmZpZw=='}),
    'disableApiTermination': ('DisableApiTermination', {'Value': True}),
    'instanceInitiatedShutdownBehavior': ('InstanceInitiatedShutdownBehavior', {'Value': 'stop'}),
    'rootDeviceName': ('RootDeviceName', {'Value': '/dev/vda'}),
    'blockDeviceMapping': ('BlockDeviceMappings', [{'DeviceName': '/dev/vda', 'Ebs': {
        'AttachTime': WHEN, 'DeleteOnTermination': True, 'Status': 'attached', 'VolumeId': 'vol-00000000000000001'}}]),
    'productCodes': ('ProductCodes', []),
    'sourceDestCheck': ('SourceDestCheck', {'Value': True}),
    'groupSet': ('Groups', [{'GroupId': 'sg-0123456789abcdef0', 'GroupName': 'default'}]),
    'ebsOptimized': ('EbsOptimized', {'Value': False}),
    'sriovNetSupport': ('SriovNetSupport', {}),
    'enaSupport': ('EnaSupport', {'Value': False}),
    'enclaveOptions': ('EnclaveOptions', {'Enabled': False}),
    'disableApiStop': ('DisableApiStop', {'Value': False}),
}
eq(sorted(names), sorted(want), 'botocore InstanceAttributeName: every attribute is tested')
for name in names:
    key, value = want[name]
    got = attr(name)
    got.pop('ResponseMetadata')
    eq(got, {'InstanceId': INSTANCE, key: value}, 'describe_instance_attribute ' + name)
eq(error_code(ec2.describe_instance_attribute, InstanceId=MISSING, Attribute='userData'),
   ('InvalidInstanceID.NotFound', 400), 'describe a missing instance')

# The requests Compute gets are checked by the Go test, in this order.
ec2.modify_instance_attribute(InstanceId=INSTANCE, Attribute='instanceType', Value='t3.small')
ec2.modify_instance_attribute(InstanceId=INSTANCE, DisableApiTermination={'Value': True})
ec2.modify_instance_attribute(InstanceId=INSTANCE, DisableApiStop={'Value': True})
ec2.modify_instance_attribute(InstanceId=INSTANCE, UserData={'Value': b'#!/bin/sh\necho hi\n'})
ec2.modify_instance_attribute(InstanceId=INSTANCE, InstanceInitiatedShutdownBehavior={'Value': 'terminate'})
ec2.modify_instance_attribute(InstanceId=INSTANCE, SourceDestCheck={'Value': True})
ec2.modify_instance_attribute(InstanceId=INSTANCE, Groups=['sg-0123456789abcdef0', 'sg-00000000000000002'])
ec2.modify_instance_attribute(InstanceId=INSTANCE, BlockDeviceMappings=[
    {'DeviceName': '/dev/vda', 'Ebs': {'DeleteOnTermination': False}}])
ec2.modify_instance_attribute(InstanceId=INSTANCE, EbsOptimized={'Value': False}, EnaSupport={'Value': False},
                              SriovNetSupport={'Value': 'simple'}, Kernel={'Value': 'aki-1'})
eq(error_code(ec2.modify_instance_attribute, InstanceId=MISSING, DisableApiStop={'Value': True}),
   ('InvalidInstanceID.NotFound', 400), 'modify a missing instance')
eq(error_code(ec2.modify_instance_attribute, InstanceId=INSTANCE, DisableApiStop={'Value': True}, DryRun=True),
   ('DryRunOperation', 412), 'modify DryRun')

st = ec2.describe_instance_status(IncludeAllInstances=True)['InstanceStatuses']
eq([s['InstanceId'] for s in st], [INSTANCE, IMPAIRED], 'describe_instance_status instances')
eq(st[0], {'InstanceId': INSTANCE, 'AvailabilityZone': 'lab-1a', 'InstanceState': {'Code': 16, 'Name': 'running'},
           'SystemStatus': {'Status': 'ok', 'Details': [{'Name': 'reachability', 'Status': 'passed'}]},
           'InstanceStatus': {'Status': 'ok', 'Details': [{'Name': 'reachability', 'Status': 'passed'}]}},
   'an instance whose checks passed')
eq(st[1]['InstanceStatus'], {'Status': 'impaired', 'Details': [
    {'Name': 'reachability', 'Status': 'failed', 'ImpairedSince': WHEN}]}, 'a failed check')
pages = list(ec2.get_paginator('describe_instance_status').paginate(PaginationConfig={'PageSize': 5}))
eq([[s['InstanceId'] for s in p['InstanceStatuses']] for p in pages], [[INSTANCE], [IMPAIRED]],
   'the paginator follows NextToken')

proc, url = moto_compare.start_moto()
try:
    moto = moto_compare.client(url, 'testing', 'testing')
    ami = moto.describe_images(Owners=['amazon'])['Images'][0]['ImageId']
    mine = moto.run_instances(ImageId=ami, InstanceType='t3.micro', MinCount=1, MaxCount=1)['Instances'][0]['InstanceId']
    for name in ('instanceType', 'userData', 'disableApiTermination', 'groupSet'):
        moto_compare.compare('DescribeInstanceAttribute ' + name, attr(name),
                             moto.describe_instance_attribute(InstanceId=mine, Attribute=name), [])
    moto_compare.compare('ModifyInstanceAttribute',
                         ec2.modify_instance_attribute(InstanceId=INSTANCE, DisableApiStop={'Value': False}),
                         moto.modify_instance_attribute(InstanceId=mine, DisableApiStop={'Value': False}), [])
    moto_compare.compare('DescribeInstanceStatus', ec2.describe_instance_status(),
                         moto.describe_instance_status(),
                         [('InstanceStatuses[0]', lambda r: r['InstanceStatuses'][0]),
                          ('InstanceStatus', lambda r: r['InstanceStatuses'][0]['InstanceStatus'])])
finally:
    proc.terminate()
    proc.wait(timeout=10)
if problems:
    raise AssertionError('documents that do not match the botocore model:\n  ' + '\n  '.join(problems))
print('validated against the botocore model')
print('INSTANCE ATTRS OK')
