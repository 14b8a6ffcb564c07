package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// What the AWS CLI adds to every operation's command, from the model
// (model.go): --cli-input-json and --cli-input-yaml, which fill the
// options from a document of the request's members; --generate-cli-skeleton
// (input, yaml-input or output); the check of required options before
// anything is sent; and the global --no-paginate.

// Skeleton kinds of --generate-cli-skeleton.
const (
	skeletonInput     = "input"
	skeletonYAMLInput = "yaml-input"
	skeletonOutput    = "output"
)

// modelFlags are the per-command options of an operation's command.
type modelFlags struct {
	inputJSON, inputYAML, skeleton string
}

// addModelFlags gives every command of the EC2 model its AWS CLI options
// and checks; root's other commands are left alone.
func addModelFlags(root *cobra.Command, a *app) { addModelFlagsOf(root, a, loadModel()) }

// addModelFlagsOf is addModelFlags for the commands under parent of the
// model m (a service's command group).
func addModelFlagsOf(parent *cobra.Command, a *app, m *cliModel) {
	for _, cmd := range parent.Commands() {
		v := m.Verbs[cmd.Name()]
		if v == nil || cmd.RunE == nil {
			continue
		}
		fl := &modelFlags{}
		f := cmd.Flags()
		f.StringVar(&fl.inputJSON, "cli-input-json", "", "the request's members as JSON (or file://path), as --generate-cli-skeleton writes them; options given on the command line win")
		f.StringVar(&fl.inputYAML, "cli-input-yaml", "", "the request's members as YAML (or file://path), as --generate-cli-skeleton yaml-input writes them")
		f.StringVar(&fl.skeleton, "generate-cli-skeleton", "", "print a sample request (input, the default; yaml-input) or response (output) and send nothing")
		f.Lookup("generate-cli-skeleton").NoOptDefVal = skeletonInput
		markOptionalValue(cmd, "generate-cli-skeleton")
		run := cmd.RunE
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			done, err := a.beforeOperation(cmd, v, fl)
			if done || err != nil {
				return err
			}
			return run(cmd, args)
		}
	}
}

// beforeOperation does what the AWS CLI does before calling: it reads
// --cli-input-json/--cli-input-yaml, prints a requested skeleton (done),
// checks the required options and --no-paginate.
func (a *app) beforeOperation(cmd *cobra.Command, v *cliVerb, fl *modelFlags) (done bool, err error) {
	if err := fillFromInput(cmd, v, fl); err != nil {
		return false, err
	}
	switch fl.skeleton {
	case "":
	case skeletonInput:
		return true, jsonPrinter{}.Print(a.env.stdout, v.Op, skeleton(v.model, v.In, false))
	case skeletonYAMLInput:
		return true, yamlPrinter{}.Print(a.env.stdout, v.Op, skeleton(v.model, v.In, false))
	case skeletonOutput:
		if err := checkRequired(cmd, v); err != nil {
			return false, err
		}
		if v.Out == "" {
			return true, nil
		}
		return true, a.print(v.Op, skeleton(v.model, v.Out, true))
	default:
		return false, usageErrorf("argument --generate-cli-skeleton: invalid choice: '%s' (choose from 'input', 'yaml-input', 'output')", fl.skeleton)
	}
	if err := checkRequired(cmd, v); err != nil {
		return false, err
	}
	if a.g.noPaginate && v.Paginated {
		if err := checkNoPaginate(cmd); err != nil {
			return false, err
		}
		cmd.SetContext(context.WithValue(cmd.Context(), noPaginateKey{}, true))
	}
	return false, nil
}

// checkRequired refuses a command without an option the AWS CLI
// requires, with argparse's message.
func checkRequired(cmd *cobra.Command, v *cliVerb) error {
	var missing []string
	for _, name := range v.Required {
		if f := cmd.Flags().Lookup(name); f != nil && !f.Changed {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) > 0 {
		return usageErrorf("the following arguments are required: %s", strings.Join(missing, ", "))
	}
	return nil
}

// noPaginateKey marks a context whose command asked for one page only.
type noPaginateKey struct{}

func noPaginate(ctx context.Context) bool {
	on, _ := ctx.Value(noPaginateKey{}).(bool)
	return on
}

// checkNoPaginate refuses --no-paginate with the options of automatic
// pagination, as the AWS CLI does.
func checkNoPaginate(cmd *cobra.Command) error {
	var used []string
	for _, name := range []string{"starting-token", "page-size", "max-items"} {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			used = append(used, "--"+name)
		}
	}
	if len(used) > 0 {
		return usageErrorf("Cannot specify --no-paginate along with pagination arguments: %s", strings.Join(used, ", "))
	}
	return nil
}

// fillFromInput sets, from --cli-input-json or --cli-input-yaml, every
// option the command line left unset. A member the command has no option
// for is refused (ec2ctl does not send what it cannot name).
func fillFromInput(cmd *cobra.Command, v *cliVerb, fl *modelFlags) error {
	doc, flag, err := readInput(fl)
	if err != nil || doc == nil {
		return err
	}
	members := make([]string, 0, len(doc))
	for k := range doc {
		members = append(members, k)
	}
	sort.Strings(members)
	for _, member := range members {
		name, val := inputOption(cmd.Name(), v, member, doc)
		if name == "" {
			continue
		}
		f := cmd.Flags().Lookup(name)
		if f == nil {
			return usageErrorf("--%s: ec2ctl %s has no option for %s (the AWS CLI's --%s)", flag, cmd.Name(), member, name)
		}
		if f.Changed {
			continue
		}
		if err := setFlag(cmd.Flags(), f, val); err != nil {
			return usageErrorf("--%s: %s: %v", flag, member, err)
		}
	}
	return nil
}

// inputOption names the option that takes member of doc, and its value;
// "" for a member another one stands for.
func inputOption(verb string, v *cliVerb, member string, doc map[string]any) (string, any) {
	if verb == "run-instances" { // the AWS CLI's --count is MinCount[:MaxCount]
		switch member {
		case "MinCount":
			minC, maxC := doc["MinCount"], doc["MaxCount"]
			if maxC == nil {
				maxC = minC
			}
			return "count", fmt.Sprintf("%s:%s", scalarText(minC), scalarText(maxC))
		case "MaxCount":
			if doc["MinCount"] == nil {
				return "count", fmt.Sprintf("%s:%s", scalarText(doc["MaxCount"]), scalarText(doc["MaxCount"]))
			}
			return "", nil
		}
	}
	if name, ok := v.Args[member]; ok {
		return name, doc[member]
	}
	return kebabName(member), doc[member]
}

// readInput decodes --cli-input-json or --cli-input-yaml (file://
// allowed) into the request's members; nil when neither is given.
func readInput(fl *modelFlags) (map[string]any, string, error) {
	if fl.inputJSON != "" && fl.inputYAML != "" {
		return nil, "", usageErrorf("Only one --cli-input-json or --cli-input-yaml may be given")
	}
	flag, raw := "cli-input-json", fl.inputJSON
	if fl.inputYAML != "" {
		flag, raw = "cli-input-yaml", fl.inputYAML
	}
	if raw == "" {
		return nil, flag, nil
	}
	b, err := readParam(raw)
	if err != nil {
		return nil, flag, usageErrorf("--%s: %v", flag, err)
	}
	var doc map[string]any
	if flag == "cli-input-json" {
		err = json.Unmarshal(b, &doc)
	} else {
		err = yaml.Unmarshal(b, &doc)
	}
	if err != nil {
		return nil, flag, usageErrorf("--%s: not a %s object of the request's members: %v", flag,
			strings.ToUpper(strings.TrimPrefix(flag, "cli-input-")), err)
	}
	return doc, flag, nil
}

// setFlag gives f the value val from an input document: lists of
// scalars element by element, structures and lists of them as JSON, and
// scalars as text.
func setFlag(fs *pflag.FlagSet, f *pflag.Flag, val any) error {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		items, isList := val.([]any)
		if !isList {
			items = []any{val}
		}
		var vals []string
		if scalarsOnly(items) {
			for _, it := range items {
				vals = append(vals, scalarText(it))
			}
		} else {
			b, err := json.Marshal(jsonable(items))
			if err != nil {
				return err
			}
			vals = []string{string(b)}
		}
		if err := sv.Replace(vals); err != nil {
			return err
		}
		f.Changed = true
		return nil
	}
	switch val.(type) {
	case map[string]any, []any:
		b, err := json.Marshal(jsonable(val))
		if err != nil {
			return err
		}
		return fs.Set(f.Name, string(b))
	case nil:
		return nil
	}
	return fs.Set(f.Name, scalarText(val))
}

func scalarsOnly(items []any) bool {
	for _, it := range items {
		switch it.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

// scalarText is a JSON or YAML scalar as an option's text.
func scalarText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// jsonable turns YAML's map[any]any (for non-string keys) into JSON's.
func jsonable(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = jsonable(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[fmt.Sprint(k)] = jsonable(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = jsonable(e)
		}
		return out
	}
	return v
}

// kebabName is the AWS CLI's option name for an API member or operation
// (botocore's xform_name with "-"): DescribeInstances -> describe-instances,
// DescribeVpcClassicLinkDnsSupport -> describe-vpc-classic-link-dns-support.
func kebabName(name string) string {
	r := []rune(name)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prevLower := unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1])
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if prevLower || (unicode.IsUpper(r[i-1]) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}
