"""Checks an EC2 response document against botocore's output shape: every
element must be a member the model knows (by its locationName), lists must
hold <item>s, booleans must be lowercase, numbers and times must parse."""
import datetime
import xml.etree.ElementTree as ET

NS = '{http://ec2.amazonaws.com/doc/2016-11-15/}'


def _name(member_name, shape):
    return shape.serialization.get('name', member_name)


def _check(el, shape, path, problems):
    tag = el.tag.replace(NS, '')
    if shape.type_name == 'structure':
        names = {_name(n, s): s for n, s in shape.members.items()}
        for child in el:
            ctag = child.tag.replace(NS, '')
            if ctag not in names:
                problems.append('%s/%s: not in %s' % (path, ctag, shape.name))
                continue
            _check(child, names[ctag], path + '/' + ctag, problems)
    elif shape.type_name == 'list':
        item = shape.member.serialization.get('name', 'member')
        for child in el:
            ctag = child.tag.replace(NS, '')
            if ctag != item:
                problems.append('%s/%s: list %s wants <%s>' % (path, ctag, shape.name, item))
                continue
            _check(child, shape.member, path + '/' + ctag, problems)
    else:
        if len(el):
            problems.append('%s: scalar %s has children' % (path, shape.name))
        text = el.text or ''
        if shape.type_name == 'boolean' and text not in ('true', 'false'):
            problems.append('%s: boolean %r' % (path, text))
        if shape.type_name in ('integer', 'long'):
            try:
                int(text)
            except ValueError:
                problems.append('%s: integer %r' % (path, text))
        if shape.type_name == 'timestamp':
            try:
                datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%S.%fZ')
            except ValueError:
                problems.append('%s: timestamp %r is not RFC 3339 with milliseconds' % (path, text))


def check(operation_model, body):
    """Returns a list of problems with body (bytes) as operation's answer."""
    root = ET.fromstring(body)
    problems = []
    want = operation_model.name + 'Response'
    if root.tag != NS + want:
        return ['root is %s, want %s%s' % (root.tag, NS, want)]
    kids = [c.tag.replace(NS, '') for c in root]
    if not kids or kids[0] != 'requestId':
        problems.append('first child is not requestId: %s' % kids[:1])
    shape = operation_model.output_shape
    for child in root:
        ctag = child.tag.replace(NS, '')
        if ctag == 'requestId':
            continue
        if shape is None:
            if ctag != 'return':
                problems.append('%s: operation has no output shape' % ctag)
            continue
        names = {_name(n, s): s for n, s in shape.members.items()}
        if ctag == 'return' and ctag not in names:
            continue  # EC2 answers <return>true</return> where the model has no output
        if ctag not in names:
            problems.append('%s: not in %s' % (ctag, shape.name))
            continue
        _check(child, names[ctag], ctag, problems)
    return problems


def watch(client, problems, seen=None):
    """Checks every successful answer client parses against its output
    shape, appending to problems; names the operations in seen."""
    def validate(operation_model, response_dict, **_):
        if seen is not None:
            seen.add(operation_model.name)
        if response_dict['status_code'] >= 300:
            return
        for p in check(operation_model, response_dict['body']):
            problems.append('%s: %s' % (operation_model.name, p))
    client.meta.events.register('before-parse.ec2', validate)


def eq(got, want, what):
    if got != want:
        raise AssertionError('%s: got %r, want %r' % (what, got, want))


def error_code(fn, **kw):
    """The EC2 error code and HTTP status of a call that must fail."""
    from botocore.exceptions import ClientError
    try:
        fn(**kw)
    except ClientError as e:
        return e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode']
    raise AssertionError('%s(%s) did not fail' % (fn.__name__, kw))
