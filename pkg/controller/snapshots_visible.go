package controller

import "slices"

// Who sees and uses a snapshot: its owner always, everyone when it is
// public, and the accounts of its createVolumePermission.

func snapshotVisible(sn Snapshot, acct string) bool {
	return sn.Owner == acct || sn.Public || slices.Contains(sn.VolumeAccounts, acct)
}

// snapshotViewFor is what acct may know of sn: another account's snapshot
// shows no tags (tags are per account) and of its permissions only acct's
// own.
func snapshotViewFor(sn Snapshot, acct string) Snapshot {
	if sn.Owner == acct {
		return sn
	}
	sn.Tags = nil
	if slices.Contains(sn.VolumeAccounts, acct) {
		sn.VolumeAccounts = []string{acct}
	} else {
		sn.VolumeAccounts = nil
	}
	return sn
}

// restorableBy is DescribeSnapshots' RestorableBy: "all" keeps public
// snapshots, "self" those the caller owns or is explicitly granted, an
// account ID the caller's snapshots shared with that account.
func restorableBy(sn Snapshot, users []string, acct string) bool {
	if len(users) == 0 {
		return true
	}
	for _, u := range users {
		switch {
		case u == "all" && sn.Public:
			return true
		case u == "self" && (sn.Owner == acct || slices.Contains(sn.VolumeAccounts, acct)):
			return true
		case sn.Owner == acct && slices.Contains(sn.VolumeAccounts, u):
			return true
		}
	}
	return false
}

// privateCopy is sn as the start of a new snapshot of acct: a copy is
// shared with no one.
func privateCopy(sn Snapshot, acct string) Snapshot {
	sn.Owner, sn.Public, sn.VolumeAccounts = acct, false, nil
	return sn
}
