"""boto3 volume modifications, status and attributes, snapshot sharing and
EBS encryption by default against the ec2query handler backed by the Go
test's fakeCompute (storage_ops_test.go, fake_storage_test.go): every
document must match botocore's model and parse to the values asserted
here. Then the calls moto serves must give the same top-level keys.
Prints "STORAGE OPS OK"; any failure raises."""
import datetime
import os
import sys


sys.path.insert(0, os.path.dirname(__file__))
import moto_compare  # noqa: E402
import xmlcheck  # noqa: E402

VOLUME = 'vol-0123456789abcdef0'
ROOT = 'vol-00000000000000001'
SNAPSHOT = 'snap-0123456789abcdef0'
FOREIGN = 'snap-0000000000000f00d'
INSTANCE = 'i-0123456789abcdef0'
T = datetime.datetime(2026, 11, 26, 10, 11, 12, 345000, tzinfo=datetime.timezone.utc)

ec2 = moto_compare.client(os.environ['EC2_ENDPOINT'], os.environ['EC2_KEY'], os.environ['EC2_SECRET'])
problems = []
xmlcheck.watch(ec2, problems)
eq, error_code = xmlcheck.eq, xmlcheck.error_code

# Volume modifications.
mods = ec2.describe_volumes_modifications(VolumeIds=[VOLUME], Filters=[{'Name': 'modification-state', 'Values': ['completed']}])
eq(mods['NextToken'], 'next-page', 'modifications next token')
done, failed = mods['VolumesModifications']
eq((done['VolumeId'], done['ModificationState'], done['OriginalSize'], done['TargetSize'], done['OriginalVolumeType'],
    done['TargetVolumeType'], done['OriginalIops'], done['TargetIops'], done['Progress'], done['StartTime'], done['EndTime']),
   (VOLUME, 'completed', 8, 16, 'gp2', 'gp3', 100, 3000, 100, T, T), 'completed modification')
eq((failed['ModificationState'], failed['StatusMessage'], failed['Progress']),
   ('failed', 'resize failed: no space left', 0), 'failed modification')

# Volume status.
ok, bad = ec2.describe_volume_status()['VolumeStatuses']
eq(ok['VolumeStatus'], {'Status': 'ok', 'Details': [{'Name': 'io-enabled', 'Status': 'passed'},
                                                   {'Name': 'io-performance', 'Status': 'insufficient-data'}]}, 'ok status')
eq((ok['Events'], ok['Actions'], ok['AvailabilityZone']), ([], [], 'lab-1a'), 'no events or actions')
eq(ok['AttachmentStatuses'], [{'InstanceId': INSTANCE, 'IoPerformance': 'insufficient-data'}], 'attachment statuses')
eq((bad['VolumeId'], bad['VolumeStatus']['Status'], bad['VolumeStatus']['Details']),
   (ROOT, 'impaired', [{'Name': 'io-enabled', 'Status': 'failed'}]), 'impaired status')

# Volume attributes.
a = ec2.describe_volume_attribute(VolumeId=VOLUME, Attribute='autoEnableIO')
eq((a['VolumeId'], a['AutoEnableIO']), (VOLUME, {'Value': True}), 'autoEnableIO')
eq(ec2.describe_volume_attribute(VolumeId=VOLUME, Attribute='productCodes')['ProductCodes'], [], 'productCodes')
ec2.modify_volume_attribute(VolumeId=VOLUME, AutoEnableIO={'Value': True})

# Snapshot sharing (the requests Compute gets are checked by the Go test, in this order).
ec2.modify_snapshot_attribute(SnapshotId=SNAPSHOT, CreateVolumePermission={'Add': [{'UserId': '222222222222'}, {'Group': 'all'}]})
ec2.modify_snapshot_attribute(SnapshotId=SNAPSHOT, Attribute='createVolumePermission', OperationType='remove',
                              UserIds=['222222222222'], GroupNames=['all'])
eq(error_code(ec2.modify_snapshot_attribute, SnapshotId=FOREIGN, CreateVolumePermission={'Add': [{'Group': 'all'}]}),
   ('AuthFailure', 401), 'share another account\'s snapshot')
p = ec2.describe_snapshot_attribute(SnapshotId=SNAPSHOT, Attribute='createVolumePermission')
eq((p['SnapshotId'], p['CreateVolumePermissions']), (SNAPSHOT, [{'Group': 'all'}, {'UserId': '222222222222'}]),
   'createVolumePermission')
eq(ec2.describe_snapshot_attribute(SnapshotId=SNAPSHOT, Attribute='productCodes')['ProductCodes'], [], 'snapshot productCodes')
ec2.reset_snapshot_attribute(SnapshotId=SNAPSHOT, Attribute='createVolumePermission')
eq(len(ec2.describe_snapshots(RestorableByUserIds=['self', 'all'])['Snapshots']), 1, 'describe_snapshots(RestorableByUserIds)')

# EBS encryption by default.
eq(ec2.get_ebs_encryption_by_default()['EbsEncryptionByDefault'], True, 'get encryption by default')
eq(ec2.enable_ebs_encryption_by_default()['EbsEncryptionByDefault'], True, 'enable')
eq(ec2.disable_ebs_encryption_by_default()['EbsEncryptionByDefault'], False, 'disable')
eq(ec2.get_ebs_default_kms_key_id()['KmsKeyId'], 'alias/aws/ebs', 'default key')
eq(error_code(ec2.modify_ebs_default_kms_key_id, KmsKeyId='alias/mine')[0], 'UnsupportedOperation', 'modify key')
eq(error_code(ec2.reset_ebs_default_kms_key_id)[0], 'UnsupportedOperation', 'reset key')
if problems:
    raise AssertionError('documents that do not match the botocore model:\n  ' + '\n  '.join(problems))
print('validated against the botocore model')

proc, url = moto_compare.start_moto()
try:
    moto = moto_compare.client(url, 'testing', 'testing')
    vol = moto.create_volume(AvailabilityZone='us-east-1a', Size=8, VolumeType='gp2')['VolumeId']
    moto.modify_volume(VolumeId=vol, Size=16)
    moto_compare.compare('DescribeVolumesModifications', ec2.describe_volumes_modifications(),
                         moto.describe_volumes_modifications(VolumeIds=[vol]) | {'NextToken': 'x'},
                         [('modification', lambda r: r['VolumesModifications'][0])])
    snap = moto.create_snapshot(VolumeId=vol)['SnapshotId']
    moto.modify_snapshot_attribute(SnapshotId=snap, Attribute='createVolumePermission', OperationType='add',
                                   UserIds=['222222222222'], GroupNames=['all'])
    moto_compare.compare('DescribeSnapshotAttribute', ec2.describe_snapshot_attribute(SnapshotId=SNAPSHOT, Attribute='createVolumePermission'),
                         moto.describe_snapshot_attribute(SnapshotId=snap, Attribute='createVolumePermission'), [])
    moto_compare.compare('GetEbsEncryptionByDefault', ec2.get_ebs_encryption_by_default(), moto.get_ebs_encryption_by_default(), [])
    moto_compare.compare('EnableEbsEncryptionByDefault', ec2.enable_ebs_encryption_by_default(), moto.enable_ebs_encryption_by_default(), [])
finally:
    proc.terminate()
    proc.wait(timeout=10)
print('STORAGE OPS OK')
