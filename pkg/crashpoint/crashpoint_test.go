package crashpoint

import (
	"os"
	"os/exec"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		not  []string
	}{
		{"", nil, []string{"a"}},
		{"a", []string{"a"}, []string{"b"}},
		{" a , b ,", []string{"a", "b"}, []string{"", "c"}},
	} {
		m := parse(tc.in)
		for _, w := range tc.want {
			if !m[w] {
				t.Errorf("parse(%q) lacks %q", tc.in, w)
			}
		}
		for _, n := range tc.not {
			if m[n] {
				t.Errorf("parse(%q) has %q", tc.in, n)
			}
		}
	}
}

// TestHitKills runs this test binary again with a point armed and checks
// that it dies by SIGKILL at the point and not before.
func TestHitKills(t *testing.T) {
	if os.Getenv("CRASHPOINT_CHILD") == "1" {
		Hit("other") // not armed: returns
		os.Stdout.WriteString("before\n")
		Hit("here")
		os.Stdout.WriteString("after\n")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHitKills$")
	cmd.Env = append(os.Environ(), "CRASHPOINT_CHILD=1", Env+"=here")
	out, err := cmd.Output()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ProcessState.String() != "signal: killed" {
		t.Fatalf("child: %v, want killed by SIGKILL (output %q)", err, out)
	}
	if string(out) != "before\n" {
		t.Errorf("child printed %q, want only %q", out, "before\n")
	}
}
