package ctl

import (
	"strings"
	"testing"
)

func TestCompletionOfIDsFromServer(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "describe-instances", "--instance-ids", ""}, []string{"i-0123456789abcdef0\trunning web", "i-0fedcba9876543210\tstopped web"}},
		{[]string{"__complete", "describe-instances", "--instance-ids", "i-0123456789abcdef0", ""}, []string{"i-0fedcba9876543210\tstopped web"}},
		{[]string{"__complete", "attach-volume", "--volume-id", ""}, []string{"vol-0aaaaaaaaaaaaaaa1\tin-use", "vol-0bbbbbbbbbbbbbbb2\tavailable data"}},
		{[]string{"__complete", "create-volume", "--snapshot-id", ""}, []string{"snap-0ccccccccccccccc3\tcompleted nightly"}},
		{[]string{"__complete", "run-instances", "--image-id", ""}, []string{"ami-0123456789abcdef0\ttiny"}},
		{[]string{"__complete", "console", ""}, []string{"i-0123456789abcdef0\trunning web"}},
	}
	for _, tt := range tests {
		h := newHarness(t)
		out, errOut, code := h.run(tt.args...)
		if code != 0 {
			t.Fatalf("%q: exit %d: %s", tt.args, code, errOut)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w+"\n") {
				t.Errorf("%q: completions %q lack %q", tt.args, out, w)
			}
		}
	}
}

func TestCompletionIgnoresServerErrors(t *testing.T) {
	var out, errOut strings.Builder
	root := NewRootCommand(WithIO(strings.NewReader(""), &out, &errOut),
		WithEnv(func(k string) string { return map[string]string{"HOME": t.TempDir()}[k] }))
	code := Run(t.Context(), root, []string{"__complete", "--endpoint-url", "127.0.0.1:1", "describe-instances", "--instance-ids", ""})
	if code != 0 || strings.Contains(out.String(), "i-") || !strings.Contains(out.String(), ":4") {
		t.Fatalf("exit %d, %q", code, out.String())
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		h := newHarness(t)
		out, _, code := h.run("completion", shell)
		if code != 0 || !strings.Contains(out, "ec2ctl") {
			t.Errorf("completion %s: exit %d, %d bytes", shell, code, len(out))
		}
	}
}
