package ctl

import (
	"strings"
	"testing"
)

func TestWaiters(t *testing.T) {
	const id = "i-0123456789abcdef0"
	tests := []struct {
		name      string
		script    []string
		notFound  bool
		args      []string
		code      int
		sleeps    int
		stderrHas string
	}{
		{"running after pending", []string{"pending", "pending", "running"}, false,
			[]string{"wait", "instance-running", "--instance-ids", id}, 0, 2, "pending"},
		{"running fails on terminated", []string{"pending", "terminated"}, false,
			[]string{"wait", "instance-running", "--instance-ids", id}, ExitOther, 1,
			`Waiter InstanceRunning failed: Waiter encountered a terminal failure state: For expression "Reservations[].Instances[].State.Name" we matched expected path: "terminated" at least once`},
		{"running fails on stopping", []string{"stopping"}, false,
			[]string{"wait", "instance-running", "--instance-ids", id}, ExitOther, 0, `"stopping" at least once`},
		{"timeout", []string{"pending"}, false,
			[]string{"wait", "instance-running", "--instance-ids", id, "--max-attempts", "3"}, ExitOther, 2,
			"Waiter InstanceRunning failed: Max attempts exceeded"},
		{"not found is retried", []string{"running"}, true,
			[]string{"wait", "instance-running", "--instance-ids", id}, 0, 1, "InvalidInstanceID.NotFound"},
		{"stopped", []string{"running", "stopping", "stopped"}, false,
			[]string{"wait", "instance-stopped", "--instance-ids", id}, 0, 2, ""},
		{"stopped fails on pending", []string{"pending"}, false,
			[]string{"wait", "instance-stopped", "--instance-ids", id}, ExitOther, 0, `"pending" at least once`},
		{"empty result never satisfies", []string{"terminated"}, false,
			[]string{"wait", "instance-terminated", "--filters", "Name=instance-state-name,Values=shutting-down", "--max-attempts", "2"},
			ExitOther, 1, "Max attempts exceeded"},
		{"terminated", []string{"shutting-down", "terminated"}, false,
			[]string{"wait", "instance-terminated", "--instance-ids", id}, 0, 1, ""},
		{"unexpected error fails", nil, false,
			[]string{"wait", "instance-stopped", "--instance-ids", "i-00000000000000000"}, ExitOther, 0,
			"An error occurred (InvalidInstanceID.NotFound)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.fake.stateScript = map[string][]string{id: tt.script}
			h.fake.notFoundOnce = tt.notFound
			out, errOut, code := h.run(append(tt.args, "--delay", "1")...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			if h.sleep != tt.sleeps {
				t.Errorf("slept %d times, want %d", h.sleep, tt.sleeps)
			}
			if !strings.Contains(errOut, tt.stderrHas) {
				t.Errorf("stderr %q lacks %q", errOut, tt.stderrHas)
			}
			if out != "" {
				t.Errorf("a waiter prints nothing on stdout, got %q", out)
			}
		})
	}
}

func TestWaiterProgressOnTTY(t *testing.T) {
	const id = "i-0123456789abcdef0"
	h := newHarness(t)
	h.tty = true
	h.fake.stateScript = map[string][]string{id: {"pending", "running"}}
	_, errOut, code := h.run("wait", "instance-running", "--instance-ids", id)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "\r\x1b[K") || !strings.Contains(errOut, id+" pending") || strings.Count(errOut, "\n") != 0 {
		t.Errorf("TTY progress should rewrite one line in place: %q", errOut)
	}
}

func TestWaiterPlainProgressLines(t *testing.T) {
	const id = "i-0123456789abcdef0"
	h := newHarness(t)
	h.fake.stateScript = map[string][]string{id: {"pending", "pending", "running"}}
	_, errOut, _ := h.run("wait", "instance-running", "--instance-ids", id)
	want := "waiting for InstanceRunning (attempt 1/40): " + id + " pending\n" +
		"waiting for InstanceRunning (attempt 3/40): " + id + " running\n"
	if errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
}

// TestMistypedCommands: a wrong verb or waiter name is a usage error (exit
// 252) that calls nothing, never a help screen that exits 0.
func TestMistypedCommands(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"wait"}, "the following arguments are required: a waiter name"},
		{[]string{"wait", "instance-runing", "--instance-ids", "i-0123456789abcdef0"}, `unknown command "instance-runing" for "ec2ctl wait"`},
		{[]string{"describe-instancez"}, `unknown command "describe-instancez" for "ec2ctl"`},
		{[]string{"describe-instances", "extra"}, `unknown command "extra"`},
	} {
		h := newHarness(t)
		out, errOut, code := h.run(tt.args...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d and %q", tt.args, code, out, errOut, ExitUsage, tt.want)
		}
		if h.fake.describes != 0 || h.fake.lastMD != nil {
			t.Errorf("%v called the service", tt.args)
		}
	}
}
