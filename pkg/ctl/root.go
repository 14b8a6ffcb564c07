package ctl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/ec2lab/ec2lab/pkg/version"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// NewRootCommand builds the ec2ctl command tree.
func NewRootCommand(opts ...Option) *cobra.Command {
	e := defaultEnv()
	for _, o := range opts {
		o(e)
	}
	a := &app{env: e}
	root := &cobra.Command{
		Use:           "ec2ctl",
		Short:         "Command-line client for ec2lab, shaped like `aws ec2`",
		Long:          rootLong,
		Version:       version.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	registerGlobalFlags(root, &a.g)
	root.PersistentPreRunE = func(*cobra.Command, []string) error { return a.g.aws.check() }
	for _, add := range commandGroups {
		add(root, a)
	}
	addModelFlags(root, a)
	apps.Store(root, a)
	return root
}

// rootLong is ec2ctl's help, on what differs from the AWS CLI's setup.
const rootLong = `Command-line client for ec2lab, shaped like ` + "`aws ec2`" + `.

ec2ctl speaks ec2d's gRPC API (ec2d --grpc-addr, default ` + DefaultEndpoint + `), not the
EC2 Query API the AWS CLI uses (ec2d --http-addr). Its endpoint is, first found first:
--endpoint-url; EC2LAB_ENDPOINT; AWS_ENDPOINT_URL_EC2, then AWS_ENDPOINT_URL (as the
AWS CLI reads them, but holding a gRPC endpoint: host:port or grpcs://host[:port] for
TLS, grpc://host:port for plaintext; an http(s) URL there is the Query API's and is refused); in the
config file (EC2LAB_CONFIG_FILE, default ~/.ec2lab/config) the ec2 endpoint_url of the
profile's services section, then the profile's endpoint_url; else ` + DefaultEndpoint + `.
AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true skips the AWS variables and the config file.
Keys come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or ~/.aws/credentials.
ec2d serves TLS with a certificate from its region CA (DATA_DIR/ca/ca.pem): trust it with
--ca-bundle, AWS_CA_BUNDLE or the config file's ca_bundle.`

// apps maps each root command to its app so Run can close connections.
var apps sync.Map

func registerGlobalFlags(root *cobra.Command, g *globalFlags) {
	f := root.PersistentFlags()
	f.StringVar(&g.endpointURL, "endpoint-url", "", "ec2d's gRPC endpoint: host:port or grpcs://host[:port] (TLS), grpc://host:port (plaintext) "+
		"(else env EC2LAB_ENDPOINT, AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL, config endpoint_url; default "+DefaultEndpoint+")")
	f.StringVar(&g.region, "region", "", "region to use (env AWS_REGION/AWS_DEFAULT_REGION, config region)")
	f.StringVar(&g.profile, "profile", "", "profile in the credentials and config files (env AWS_PROFILE, else ec2lab if present, else default)")
	f.StringVar(&g.output, "output", "", "output format: json, yaml, table or text (default table on a terminal, json otherwise)")
	f.StringVar(&g.query, "query", "", "JMESPath query applied to the response")
	f.StringVar(&g.caBundle, "ca-bundle", "", "PEM file of CA certificates to trust for TLS endpoints, such as ec2d's DATA_DIR/ca/ca.pem (env AWS_CA_BUNDLE, config ca_bundle)")
	f.BoolVar(&g.debug, "debug", false, "print each gRPC method and request to stderr")
	f.BoolVar(&g.noPaginate, "no-paginate", false, "make one call only: the first page, and the service's NextToken when there are more")
	g.aws.register(f)
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(
		[]string{OutputJSON, OutputYAML, OutputTable, OutputText}, cobra.ShellCompDirectiveNoFileComp))
}

// commandGroups add the commands; each file registers its own group.
var commandGroups []func(root *cobra.Command, a *app)

// nargsAnnotation marks flags that, like the AWS CLI's list parameters,
// take several space-separated values (--instance-ids i-1 i-2).
const nargsAnnotation = "ec2ctl/nargs"

func markList(cmd *cobra.Command, names ...string) {
	for _, n := range names {
		_ = cmd.Flags().SetAnnotation(n, nargsAnnotation, []string{"+"})
	}
}

// markOptionalValue marks flags that, like the AWS CLI's (argparse
// nargs='?'), take a value when the next argument is not an option and
// none otherwise (--enable-dns-support, --enable-dns-support Value=false);
// the flag's NoOptDefVal is the value it takes alone.
func markOptionalValue(cmd *cobra.Command, names ...string) {
	for _, n := range names {
		_ = cmd.Flags().SetAnnotation(n, nargsAnnotation, []string{"?"})
	}
}

// Run executes root with args, prints any error the way the AWS CLI does
// and returns the process exit code.
func Run(ctx context.Context, root *cobra.Command, args []string) int {
	root.SetArgs(expandListArgs(root, args))
	err := root.ExecuteContext(ctx)
	if a, ok := apps.LoadAndDelete(root); ok {
		a.(*app).close()
	}
	if err == nil {
		return ExitOK
	}
	if strings.HasPrefix(err.Error(), "unknown command ") { // cobra's, for a mistyped verb or waiter
		err = &usageError{err}
	}
	if ctx.Err() != nil && !errors.As(err, new(*ServiceError)) {
		err = errInterrupted
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(root.ErrOrStderr(), "%s\n\nRun '%s --help' for usage.\n", err, commandPath(root, args))
	} else {
		fmt.Fprintln(root.ErrOrStderr(), err)
	}
	return ExitCode(err)
}

func commandPath(root *cobra.Command, args []string) string {
	if c, _, err := root.Find(args); err == nil {
		return c.CommandPath()
	}
	return root.Name()
}

// expandListArgs rewrites "--flag a b c" into "--flag a --flag b --flag c"
// for flags marked as lists, so that pflag sees one value per flag, and
// "--flag v" into "--flag=v" for flags with an optional value (pflag takes
// such a flag's value only after "=").
func expandListArgs(root *cobra.Command, args []string) []string {
	nargs := flagNargs(root)
	out := make([]string, 0, len(args))
	current := ""
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			return append(out, args[i:]...)
		case strings.HasPrefix(arg, "-"):
			current = ""
			name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
			long := strings.HasPrefix(arg, "--")
			switch {
			case long && nargs[name] == "+":
				current = name
			case long && nargs[name] == "?" && !hasValue && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-"):
				arg += "=" + args[i+1]
				i++
			}
			out = append(out, arg)
		case current != "" && len(out) > 0 && out[len(out)-1] != "--"+current:
			out = append(out, "--"+current, arg)
		default:
			out = append(out, arg)
		}
	}
	return out
}

// flagNargs maps the name of every flag marked as a list ("+") or as
// taking an optional value ("?") to its mark.
func flagNargs(root *cobra.Command) map[string]string {
	nargs := map[string]string{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if v := f.Annotations[nargsAnnotation]; len(v) > 0 {
				nargs[f.Name] = v[0]
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return nargs
}
