"""Makes the same boto3 calls against the ec2query handler (EC2_ENDPOINT)
and a moto_server it starts on a free loopback port, and compares the keys
botocore parses. Describe/Run answers: top-level keys must be equal. Answers
that are one resource (CreateVolume, CreateKeyPair): every key moto sends
must be in ours. Item keys moto has and we do not are printed. Prints
"MOTO OK" on success."""
import os
import socket
import subprocess
import sys
import time
import urllib.request

import boto3


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def start_moto():
    port = free_port()
    proc = subprocess.Popen(['moto_server', '-H', '127.0.0.1', '-p', str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = 'http://127.0.0.1:%d' % port
    for _ in range(150):
        try:
            urllib.request.urlopen(url + '/moto-api/', timeout=1)
            return proc, url
        except Exception:
            if proc.poll() is not None:
                raise RuntimeError('moto_server exited with %s' % proc.returncode)
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError('moto_server did not start')


def client(url, key, secret):
    return boto3.client('ec2', endpoint_url=url, region_name='us-east-1',
                        aws_access_key_id=key, aws_secret_access_key=secret)


def keys(d):
    return set(d) - {'ResponseMetadata'}


def compare(name, ours, theirs, item_paths, resource=False):
    if resource:
        if keys(theirs) - keys(ours):
            raise AssertionError('%s: moto has keys we lack: %s' % (name, sorted(keys(theirs) - keys(ours))))
        print('%s: every key of moto is ours too; only ours: %s' % (name, sorted(keys(ours) - keys(theirs))))
        return
    if keys(ours) != keys(theirs):
        raise AssertionError('%s top-level keys: ours %s, moto %s' % (name, sorted(keys(ours)), sorted(keys(theirs))))
    print('%s: top-level keys match: %s' % (name, sorted(keys(ours))))
    for label, get in item_paths:
        a, b = get(ours), get(theirs)
        print('  %s: only moto: %s; only ours: %s' % (label, sorted(set(b) - set(a)), sorted(set(a) - set(b))))


def main():
    proc, moto_url = start_moto()
    try:
        ours = client(os.environ['EC2_ENDPOINT'], os.environ['EC2_KEY'], os.environ['EC2_SECRET'])
        moto = client(moto_url, 'testing', 'testing')
        ami = moto.describe_images(Owners=['amazon'])['Images'][0]['ImageId']
        run = dict(InstanceType='t3.micro', MinCount=1, MaxCount=1,
                   TagSpecifications=[{'ResourceType': 'instance', 'Tags': [{'Key': 'Name', 'Value': 'web-1'}]}])
        compare('RunInstances', ours.run_instances(ImageId='ami-0123456789abcdef0', **run),
                moto.run_instances(ImageId=ami, **run), [('Instances[0]', lambda r: r['Instances'][0])])
        compare('DescribeInstances', ours.describe_instances(), moto.describe_instances(),
                [('Reservations[0]', lambda r: r['Reservations'][0]),
                 ('Instances[0]', lambda r: r['Reservations'][0]['Instances'][0])])
        moto_id = moto.describe_instances()['Reservations'][0]['Instances'][0]['InstanceId']
        opts = dict(HttpTokens='required', HttpEndpoint='enabled')
        compare('ModifyInstanceMetadataOptions',
                ours.modify_instance_metadata_options(InstanceId='i-0123456789abcdef0', **opts),
                moto.modify_instance_metadata_options(InstanceId=moto_id, **opts),
                [('InstanceMetadataOptions', lambda r: r['InstanceMetadataOptions'])])
        moto.create_volume(AvailabilityZone='us-east-1a', Size=8, VolumeType='gp3',
                           TagSpecifications=[{'ResourceType': 'volume', 'Tags': [{'Key': 'Name', 'Value': 'data'}]}])
        vol = dict(AvailabilityZone='us-east-1a', Size=8, VolumeType='gp3')
        compare('CreateVolume', ours.create_volume(**vol), moto.create_volume(**vol), [], resource=True)
        compare('DescribeVolumes', ours.describe_volumes(), moto.describe_volumes(),
                [('Volumes[0]', lambda r: r['Volumes'][0])])
        compare('DescribeImages', ours.describe_images(ImageIds=['ami-0123456789abcdef0']),
                moto.describe_images(ImageIds=[ami]), [('Images[0]', lambda r: r['Images'][0])])
        compare('CreateKeyPair', ours.create_key_pair(KeyName='lab'), moto.create_key_pair(KeyName='lab'), [], resource=True)
        compare('DescribeKeyPairs', ours.describe_key_pairs(), moto.describe_key_pairs(),
                [('KeyPairs[0]', lambda r: r['KeyPairs'][0])])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print('MOTO OK')


if __name__ == '__main__':
    sys.exit(main())
