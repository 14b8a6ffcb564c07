package ctl

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestConsoleStreamsAndEscapeLeaves(t *testing.T) {
	h := newHarness(t)
	pr, pw := io.Pipe()
	h.in, h.out = pr, &syncBuffer{}
	go func() {
		_, _ = pw.Write([]byte("root\n"))
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if strings.Contains(h.out.String(), "root\n") {
				break
			}
		}
		_, _ = pw.Write([]byte("\x1dignored"))
	}()
	out, errOut, code := h.run("console", "i-0123456789abcdef0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if out != "console of i-0123456789abcdef0\nroot\n" {
		t.Errorf("stdout %q", out)
	}
	h.fake.mu.Lock()
	sent := h.fake.consoleIn.String()
	h.fake.mu.Unlock()
	if strings.Contains(sent, "ignored") || strings.Contains(sent, "\x1d") {
		t.Errorf("keys after Ctrl-] were sent: %q", sent)
	}
	if !strings.Contains(errOut, "Escape character is '^]'") {
		t.Errorf("stderr %q", errOut)
	}
}

func TestConsoleEndOfInputWaitsForServer(t *testing.T) {
	h := newHarness(t)
	h.stdin = "root\n"
	out, errOut, code := h.run("console", "i-1")
	if code != 0 || out != "console of i-1\nroot\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
