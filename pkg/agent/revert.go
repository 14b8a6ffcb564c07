package agent

// revert is an undo stack for multi-step provisioning: each step that
// made something adds its undo; Fail runs them newest first unless Success
// was called.
type revert struct {
	undo []func()
	ok   bool
}

func (r *revert) Add(f func()) { r.undo = append(r.undo, f) }

func (r *revert) Success() { r.ok = true }

// Fail undoes everything (call it deferred).
func (r *revert) Fail() {
	if r.ok {
		return
	}
	for i := len(r.undo) - 1; i >= 0; i-- {
		r.undo[i]()
	}
}
