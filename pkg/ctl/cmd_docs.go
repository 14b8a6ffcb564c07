package ctl

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

func init() { commandGroups = append(commandGroups, addDocsCommand) }

func addDocsCommand(root *cobra.Command, _ *app) {
	var dir, format string
	cmd := &cobra.Command{
		Use:    "docs",
		Short:  "Generate man pages or markdown for every command",
		Args:   cobra.NoArgs,
		Hidden: false,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return usageErrorf("the following arguments are required: --dir")
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("docs: %w", err)
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true
			switch format {
			case "man":
				return doc.GenManTree(root, &doc.GenManHeader{Title: "EC2CTL", Section: "1", Source: "ec2lab"}, dir)
			case "markdown":
				return doc.GenMarkdownTree(root, dir)
			}
			return usageErrorf("invalid --format %q: man or markdown", format)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory to write into")
	cmd.Flags().StringVar(&format, "format", "man", "man or markdown")
	root.AddCommand(cmd)
}
