"""boto3 ModifyImageAttribute, DescribeImageAttribute, ResetImageAttribute
and DescribeImages(ExecutableUsers) against the ec2query handler backed by
the Go test's fakeCompute (image_attrs_test.go): every document must match
botocore's model and parse to the values asserted here. Then the same
describe calls against a moto_server must give the same top-level keys.
Prints "IMAGE ATTRS OK"; any failure raises."""
import os
import sys


sys.path.insert(0, os.path.dirname(__file__))
import moto_compare  # noqa: E402
import xmlcheck  # noqa: E402

IMAGE = 'ami-0123456789abcdef0'
FOREIGN = 'ami-0000000000000f00d'

ec2 = moto_compare.client(os.environ['EC2_ENDPOINT'], os.environ['EC2_KEY'], os.environ['EC2_SECRET'])
problems = []


xmlcheck.watch(ec2, problems)
eq, error_code = xmlcheck.eq, xmlcheck.error_code


def attr(name):
    return ec2.describe_image_attribute(ImageId=IMAGE, Attribute=name)


# The requests Compute gets are checked by the Go test, in this order.
ec2.modify_image_attribute(ImageId=IMAGE, LaunchPermission={'Add': [{'UserId': '222222222222'}]})
ec2.modify_image_attribute(ImageId=IMAGE, LaunchPermission={'Remove': [{'Group': 'all'}]})
ec2.modify_image_attribute(ImageId=IMAGE, Attribute='launchPermission', OperationType='add', UserIds=['333333333333'])
ec2.modify_image_attribute(ImageId=IMAGE, Description={'Value': 'shared tiny'})
eq(error_code(ec2.modify_image_attribute, ImageId=FOREIGN, LaunchPermission={'Add': [{'Group': 'all'}]}),
   ('AuthFailure', 401), 'modify another account\'s image')
eq(error_code(ec2.describe_image_attribute, ImageId=FOREIGN, Attribute='launchPermission'),
   ('AuthFailure', 401), 'describe another account\'s image')

lp = attr('launchPermission')
eq((lp['ImageId'], lp['LaunchPermissions']), (IMAGE, [{'Group': 'all'}, {'UserId': '222222222222'}]), 'launchPermission')
eq(attr('description')['Description'], {'Value': 'tiny test guest'}, 'description')
eq(attr('bootMode')['BootMode'], {'Value': 'legacy-bios'}, 'bootMode')
eq(attr('kernel')['KernelId'], {}, 'kernel of a disk-booted image')
ec2.reset_image_attribute(ImageId=IMAGE, Attribute='launchPermission')
eq(len(ec2.describe_images(ExecutableUsers=['self'])['Images']), 1, 'describe_images(ExecutableUsers)')
if problems:
    raise AssertionError('documents that do not match the botocore model:\n  ' + '\n  '.join(problems))
print('validated against the botocore model')

proc, url = moto_compare.start_moto()
try:
    moto = moto_compare.client(url, 'testing', 'testing')
    mine = moto.register_image(Name='tiny-linux', Description='tiny test guest')['ImageId']
    moto.modify_image_attribute(ImageId=mine, LaunchPermission={'Add': [{'UserId': '222222222222'}, {'Group': 'all'}]})
    for name in ('launchPermission', 'description'):
        moto_compare.compare('DescribeImageAttribute ' + name, attr(name),
                             moto.describe_image_attribute(ImageId=mine, Attribute=name), [])
    ours = attr('launchPermission')['LaunchPermissions']
    theirs = moto.describe_image_attribute(ImageId=mine, Attribute='launchPermission')['LaunchPermissions']
    eq(sorted(map(sorted, ours)), sorted(map(sorted, theirs)), 'LaunchPermissions item keys (ours, moto)')
    moto_compare.compare('ModifyImageAttribute',
                         ec2.modify_image_attribute(ImageId=IMAGE, Description={'Value': 'x'}),
                         moto.modify_image_attribute(ImageId=mine, Description={'Value': 'x'}), [])
    eq(error_code(moto.describe_image_attribute, ImageId=mine, Attribute='blockDeviceMapping')[0], 'AuthFailure',
       'moto: blockDeviceMapping (ec2lab answers the same, as EC2)')
finally:
    proc.terminate()
    proc.wait(timeout=10)
print('IMAGE ATTRS OK')
