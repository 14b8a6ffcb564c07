"""Writes ec2ctl's model of the AWS CLI's commands of one service.

The service is the argument (default ec2: awsmodel.json; autoscaling:
awsmodel_autoscaling.json). Reads the action names ec2lab serves on stdin,
one a line, and prints,
from the installed AWS CLI and botocore, for each action's command: its
operation, input and output shapes, the options the AWS CLI requires (in
its order), the option each input member is given by, and whether the
command paginates; every shape those reach; and botocore's waiters
(waiters-2.json) whose operation is one of those actions. Run by model_test.go
(go test ./pkg/ctl -run TestModelMatchesAWSCLI -update rewrites the file).
"""
import json
import sys

from awscli.arguments import BooleanArgument
from awscli.clidriver import create_clidriver
from botocore import xform_name


def main():
    service = sys.argv[1] if len(sys.argv) > 1 else 'ec2'
    actions = [l.strip() for l in sys.stdin if l.strip()]
    driver = create_clidriver()
    commands = driver._get_command_table()[service]._get_command_table()
    model = driver.session.get_service_model(service)
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
            # argparse requires neither form of a boolean (botocore's
            # parameter validation refuses it missing)
            'required': [name for name, arg in table.items() if arg.required and not isinstance(arg, BooleanArgument)],
            'args': args,
            'paginated': 'starting-token' in table,
        }
    waiters = {}
    if service != 'ec2':  # waiters are ec2ctl's for EC2 only
        waiter_model = None
    else:
        waiter_model = driver.session.get_waiter_model(service)
    for name in waiter_model.waiter_names if waiter_model else []:
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
