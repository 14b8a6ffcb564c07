package ec2err

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodeSurvivesWrapping(t *testing.T) {
	base := New(IncorrectInstanceState, "The instance '%s' is not in a state from which it can be attached.", "i-1")
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"bare", base, IncorrectInstanceState},
		{"wrapped once", fmt.Errorf("attach vol-1: %w", base), IncorrectInstanceState},
		{"wrapped twice", fmt.Errorf("volume worker: %w", fmt.Errorf("attach vol-1: %w", base)), IncorrectInstanceState},
		{"joined", errors.Join(errors.New("cleanup failed"), base), IncorrectInstanceState},
		{"plain", errors.New("disk on fire"), InternalError},
		{"nil-free chain", fmt.Errorf("x: %w", errors.New("y")), InternalError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Code(tt.err); got != tt.code {
				t.Errorf("Code = %q, want %q", got, tt.code)
			}
			if is := errors.Is(tt.err, Sentinel(IncorrectInstanceState)); is != (tt.code == IncorrectInstanceState) {
				t.Errorf("errors.Is(Sentinel) = %v", is)
			}
		})
	}
	if errors.Is(base, Sentinel(VolumeInUse)) {
		t.Error("a sentinel of another code matched")
	}
}
