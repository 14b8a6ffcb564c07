"""Reads {action: {"params": [...], "required": [...]}} (JSON on stdin) as
the Go parser understands them, and checks every parameter path exists in
botocore's input shape of that action and that the required parameters are
botocore's. Prints "MODEL OK"."""
import json
import sys

import botocore.session

model = botocore.session.get_session().get_service_model('ec2')


def serialized(name, shape):
    s = shape.serialization
    if 'queryName' in s:
        return s['queryName']
    if 'name' in s:
        return s['name'][0].upper() + s['name'][1:]
    return name


def paths(shape, prefix, out, depth=0):
    for name, member in shape.members.items():
        n = prefix + serialized(name, member)
        if member.type_name == 'list':
            n += '.N'
            member = member.member
        if member.type_name == 'structure' and depth < 5:
            paths(member, n + '.', out, depth + 1)
        else:
            out.add(n)
    return out


want = json.load(sys.stdin)
problems = []
for action, spec in sorted(want.items()):
    op = model.operation_model(action)
    known = paths(op.input_shape, '', set()) if op.input_shape else set()
    for p in spec['params']:
        if p not in known:
            problems.append('%s: parameter %s is not in the botocore model' % (action, p))
    req = set()
    if op.input_shape:
        for name in op.input_shape.required_members:
            m = op.input_shape.members[name]
            req.add(serialized(name, m) + ('.N' if m.type_name == 'list' else ''))
    if set(spec['required']) != req:
        problems.append('%s: required ours %s, botocore %s' % (action, sorted(spec['required']), sorted(req)))
if problems:
    print('\n'.join(problems))
    sys.exit(1)
print('checked %d actions' % len(want))
print('MODEL OK')
