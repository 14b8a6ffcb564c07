"""Writes ec2ctl's model of the AWS CLI's EC2 commands (awsmodel.json).

Reads the EC2 action names ec2lab serves on stdin, one a line, and prints,
from the installed AWS CLI and botocore, for each action's command: its
operation, input and output shapes, the options the AWS CLI requires (in
its order), the option each input member is given by, and whether the
command paginates; every shape those reach; and botocore's waiters
(waiters-2.json) whose operation is one of those actions. Run by model_test.go
(go test ./pkg/ctl -run TestModelMatchesAWSCLI -update rewrites the file).
"""
import json
import sys

from awscli.clidriver import create_clidriver
from botocore import xform_name


def main():
    actions = [l.strip() for l in sys.stdin if l.strip()]
    driver = create_clidriver()
    ec2 = driver._get_command_table()['ec2']
    commands = ec2._get_command_table()
    model = driver.session.get_service_model('ec2')
    shapes = {}
    verbs = {}
    for action in actions:
        verb = xform_name(action, '-')
        op = model.operation_model(action)
        table = commands[verb].arg_table
        args = {}
        for name, arg in table.items():
            member = getattr(arg, '_serialized_name', None)
            if member and not name.startswith('no-') and member in (op.input_shape.members if op.input_shape else {}):
                args.setdefault(member, name)
        verbs[verb] = {
            'op': action,
            'in': walk(op.input_shape, shapes),
            'out': walk(op.output_shape, shapes),
            'required': [name for name, arg in table.items() if arg.required],
            'args': args,
            'paginated': 'starting-token' in table,
        }
    waiters = {}
    waiter_model = driver.session.get_waiter_model('ec2')
    for name in waiter_model.waiter_names:
        w = waiter_model.get_waiter(name)
        if w.operation not in actions:
            continue
        waiters[xform_name(name, '-')] = {
            'name': name, 'op': w.operation, 'delay': w.delay, 'maxAttempts': w.max_attempts,
            'acceptors': [{'state': a.state, 'matcher': a.matcher, 'argument': a.argument, 'expected': a.expected}
                          for a in w.acceptors],
        }
    out = ['{', '"verbs": {']
    out.append(',\n'.join('%s: %s' % (json.dumps(k), json.dumps(verbs[k], sort_keys=True)) for k in sorted(verbs)))
    out.append('},')
    out.append('"shapes": {')
    out.append(',\n'.join('%s: %s' % (json.dumps(k), json.dumps(shapes[k], sort_keys=True)) for k in sorted(shapes)))
    out.append('},')
    out.append('"waiters": {')
    out.append(',\n'.join('%s: %s' % (json.dumps(k), json.dumps(waiters[k], sort_keys=True)) for k in sorted(waiters)))
    out.append('}')
    out.append('}')
    print('\n'.join(out))


def walk(shape, shapes):
    """Adds shape and what it reaches to shapes; returns its name."""
    if shape is None:
        return ''
    if shape.name in shapes:
        return shape.name
    d = {'type': shape.type_name}
    shapes[shape.name] = d
    if shape.type_name == 'structure':
        d['members'] = [[name, walk(m, shapes)] for name, m in shape.members.items()]
    elif shape.type_name == 'list':
        d['member'] = walk(shape.member, shapes)
    elif shape.type_name == 'map':
        d['value'] = walk(shape.value, shapes)
    elif shape.type_name == 'string' and shape.enum:
        d['enum'] = shape.enum[0]
    return shape.name


main()
