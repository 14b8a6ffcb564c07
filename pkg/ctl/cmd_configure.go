package ctl

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addConfigureCommand) }

// configureValues are what configure writes; empty means "keep".
type configureValues struct {
	accessKeyID, secretAccessKey, endpoint, region, output string
}

func addConfigureCommand(root *cobra.Command, a *app) {
	var v configureValues
	var nonInteractive bool
	cmd := &cobra.Command{
		Use:   "configure",
		Short: "Write the endpoint and region (config file) and keys (credentials file)",
		Long: `configure asks for the access key, secret key, endpoint URL, region and
output format like 'aws configure' (press Enter to keep a shown value).
Values given as flags (--access-key-id, --secret-access-key and the global
--endpoint-url, --region, --output) are not asked for; with
--non-interactive nothing is asked.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v.endpoint, v.region, v.output = a.g.endpointURL, a.g.region, a.g.output
			return a.configure(v, nonInteractive)
		},
	}
	cmd.Flags().StringVar(&v.accessKeyID, "access-key-id", "", "access key ID to store")
	cmd.Flags().StringVar(&v.secretAccessKey, "secret-access-key", "", "secret access key to store")
	cmd.Flags().BoolVar(&nonInteractive, "non-interactive", false, "do not prompt")
	root.AddCommand(cmd)
}

func (a *app) configure(v configureValues, nonInteractive bool) error {
	e := a.env
	profile := e.profileName(a.g.profile)
	cfgPath, credPath := e.configPath(), e.credentialsPath()
	cfg, err := readINI(cfgPath)
	if err != nil {
		return &configError{err}
	}
	key, credRegion, _ := auth.ReadCredentialsFile(credPath, profile)
	cs := cfg.section(profile)
	if !nonInteractive {
		in := bufio.NewReader(e.stdin)
		prompts := []struct {
			label string
			dst   *string
			cur   string
		}{
			{"AWS Access Key ID", &v.accessKeyID, mask(key.AccessKeyID)},
			{"AWS Secret Access Key", &v.secretAccessKey, mask(key.SecretAccessKey)},
			{"EC2lab endpoint URL", &v.endpoint, orDefault(cs["endpoint_url"], DefaultEndpoint)},
			{"Default region name", &v.region, cs["region"]},
			{"Default output format", &v.output, cs["output"]},
		}
		for _, p := range prompts {
			if *p.dst != "" {
				continue
			}
			fmt.Fprintf(e.stdout, "%s [%s]: ", p.label, orDefault(p.cur, "None"))
			line, _ := in.ReadString('\n')
			*p.dst = strings.TrimSpace(line)
		}
	}
	setIf(cs, "endpoint_url", v.endpoint)
	setIf(cs, "region", v.region)
	setIf(cs, "output", v.output)
	if err := cfg.write(cfgPath); err != nil {
		return &configError{err}
	}
	if v.accessKeyID == "" && v.secretAccessKey == "" {
		return nil
	}
	key.AccessKeyID = firstNonEmpty(v.accessKeyID, key.AccessKeyID)
	key.SecretAccessKey = firstNonEmpty(v.secretAccessKey, key.SecretAccessKey)
	if key.AccessKeyID == "" || key.SecretAccessKey == "" {
		return usageErrorf("configure: both an access key ID and a secret access key are needed")
	}
	if err := auth.WriteCredentialsFile(credPath, profile, key, credRegion); err != nil {
		return &configError{err}
	}
	return nil
}

func setIf(m map[string]string, k, v string) {
	if v != "" {
		m[k] = v
	}
}

// mask shows only the last four characters, as aws configure does.
func mask(s string) string {
	if s == "" {
		return ""
	}
	if len(s) <= 4 {
		return strings.Repeat("*", 16)
	}
	return strings.Repeat("*", 16) + s[len(s)-4:]
}
