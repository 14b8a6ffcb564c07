// Package version holds the build version of the ec2lab binaries.
package version

// Version is set at build time with -ldflags "-X github.com/ec2lab/ec2lab/pkg/version.Version=...".
var Version = "0.1.0-dev"
