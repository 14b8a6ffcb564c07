"""boto3 calls of security group rules (as Terraform's and Ansible's AWS
modules make them) against the ec2query handler backed by the Go test's
fakeCompute (fake_secgroups_test.go): every document must match botocore's
model and parse to the values asserted here. The requests Compute gets are
checked by the Go test (secgroup_rules_test.go), in this order. Then
DescribeSecurityGroupRules against a moto_server must give the same
top-level keys. Prints "SECGROUP RULES OK"; any failure raises."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import moto_compare  # noqa: E402
import xmlcheck  # noqa: E402

GROUP = 'sg-0123456789abcdef0'
PEER = 'sg-0fedcba987654321f'
RULE = 'sgr-0123456789abcdef0'
ACCOUNT = '123456789012'

ec2 = moto_compare.client(os.environ['EC2_ENDPOINT'], os.environ['EC2_KEY'], os.environ['EC2_SECRET'])
problems, seen = [], set()
xmlcheck.watch(ec2, problems, seen)
eq = xmlcheck.eq

auth = ec2.authorize_security_group_ingress(
    GroupId=GROUP,
    IpPermissions=[{'IpProtocol': 'tcp', 'FromPort': 22, 'ToPort': 22,
                    'IpRanges': [{'CidrIp': '10.0.0.0/8', 'Description': 'ssh'}]}],
    TagSpecifications=[{'ResourceType': 'security-group-rule', 'Tags': [{'Key': 'Name', 'Value': 'ssh'}]}])
eq(auth['Return'], True, 'authorize Return')
rule = auth['SecurityGroupRules'][0]
eq((rule['SecurityGroupRuleId'], rule['GroupId'], rule['GroupOwnerId'], rule['IsEgress'], rule['IpProtocol'],
    rule['FromPort'], rule['ToPort'], rule['CidrIpv4'], rule['Description'], rule['Tags']),
   (RULE, GROUP, ACCOUNT, False, 'tcp', 22, 22, '10.0.0.0/8', 'ssh', [{'Key': 'Name', 'Value': 'ssh'}]),
   'authorized rule')

# Terraform's aws_security_group revokes the default IPv6 egress rule.
rev = ec2.revoke_security_group_egress(
    GroupId=GROUP, IpPermissions=[{'IpProtocol': '-1', 'FromPort': 0, 'ToPort': 0, 'Ipv6Ranges': [{'CidrIpv6': '::/0'}]}])
eq(rev['Return'], True, 'revoke Return')
rev = ec2.revoke_security_group_egress(GroupId=GROUP, SecurityGroupRuleIds=[RULE])
eq([(r['SecurityGroupRuleId'], r['IsEgress']) for r in rev['RevokedSecurityGroupRules']],
   [(RULE, True), ('sgr-0fedcba987654321f', True)], 'revoked rules')
eq(rev['RevokedSecurityGroupRules'][1]['ReferencedGroupId'], PEER, 'revoked group rule')

desc = ec2.describe_security_group_rules(SecurityGroupRuleIds=[RULE])
eq(len(desc['SecurityGroupRules']), 2, 'described rules')
eq(desc['SecurityGroupRules'][1]['ReferencedGroupInfo'], {'GroupId': PEER, 'UserId': ACCOUNT}, 'referenced group')
eq((desc['SecurityGroupRules'][1]['FromPort'], desc['SecurityGroupRules'][1]['ToPort']), (-1, -1), 'all-traffic ports')

eq(ec2.modify_security_group_rules(GroupId=GROUP, SecurityGroupRules=[{
    'SecurityGroupRuleId': RULE, 'SecurityGroupRule': {
        'IpProtocol': 'tcp', 'FromPort': 2222, 'ToPort': 2222, 'CidrIpv4': '10.1.0.0/16', 'Description': 'ssh moved'}}])['Return'],
   True, 'modify Return')
eq(ec2.update_security_group_rule_descriptions_ingress(
    GroupId=GROUP, SecurityGroupRuleDescriptions=[{'SecurityGroupRuleId': RULE, 'Description': 'x'}])['Return'],
   True, 'update descriptions Return')

group = ec2.describe_security_groups(GroupIds=[GROUP])['SecurityGroups'][0]
eq(group['SecurityGroupArn'], 'arn:aws:ec2:lab-1:%s:security-group/%s' % (ACCOUNT, GROUP), 'SecurityGroupArn')
perm = group['IpPermissions'][0]
eq(perm['UserIdGroupPairs'], [{'Description': 'from peers', 'GroupId': PEER, 'UserId': ACCOUNT}], 'group pairs')
eq((perm['Ipv6Ranges'], perm['PrefixListIds']), ([], []), 'empty IPv6 ranges and prefix lists')

if problems:
    raise AssertionError('documents that do not match the botocore model:\n  ' + '\n  '.join(problems))
print('validated %d operations against the botocore model' % len(seen))

proc, url = moto_compare.start_moto()
try:
    moto = moto_compare.client(url, 'testing', 'testing')
    gid = moto.create_security_group(GroupName='web', Description='web servers')['GroupId']
    theirs = moto.authorize_security_group_ingress(
        GroupId=gid, IpPermissions=[{'IpProtocol': 'tcp', 'FromPort': 22, 'ToPort': 22, 'IpRanges': [{'CidrIp': '10.0.0.0/8'}]}])
    moto_compare.compare('AuthorizeSecurityGroupIngress', auth, theirs,
                         [('SecurityGroupRules[0]', lambda d: d['SecurityGroupRules'][0])])
    mine = theirs['SecurityGroupRules'][0]['SecurityGroupRuleId']
    moto_compare.compare('DescribeSecurityGroupRules', desc,
                         moto.describe_security_group_rules(SecurityGroupRuleIds=[mine]),
                         [('SecurityGroupRules[0]', lambda d: d['SecurityGroupRules'][0])])
finally:
    proc.kill()
print('SECGROUP RULES OK')
