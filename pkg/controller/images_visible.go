package controller

import (
	"slices"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// Who sees and launches an image: its owner always, everyone when it is
// public, and the accounts of its launch permissions.

// ownerAliases are the Owners values DescribeImages accepts besides
// account IDs. EC2's own aliases own nothing here.
var ownerAliases = []string{"self", "all", "amazon", "aws-marketplace", "aws-backup-vault"}

func imageVisible(img Image, acct string) bool {
	return img.Owner == acct || img.Public || slices.Contains(img.LaunchAccounts, acct)
}

// imageViewFor is what acct may know of img: another account's image
// shows no tags (tags are per account) and of its launch permissions only
// acct's own.
func imageViewFor(img Image, acct string) Image {
	if img.Owner == acct {
		return img
	}
	img.Tags = nil
	img.LastLaunchedTime = time.Time{} // the owner's usage, as DescribeImageAttribute's
	if slices.Contains(img.LaunchAccounts, acct) {
		img.LaunchAccounts = []string{acct}
	} else {
		img.LaunchAccounts = nil
	}
	return img
}

func ownerWanted(owners []string, owner, acct string) bool {
	if len(owners) == 0 {
		return true
	}
	for _, o := range owners {
		if o == "all" || o == owner || (o == "self" && owner == acct) {
			return true
		}
	}
	return false
}

// executableBy is DescribeImages' ExecutableUsers: "all" keeps public
// images, "self" images of other accounts shared with the caller, an
// account ID images with a launch permission for it (as far as the caller
// may know them: see imageViewFor).
func executableBy(img Image, users []string, acct string) bool {
	if len(users) == 0 {
		return true
	}
	for _, u := range users {
		switch {
		case u == "all" && img.Public:
			return true
		case u == "self" && img.Owner != acct && slices.Contains(img.LaunchAccounts, acct):
			return true
		case slices.Contains(img.LaunchAccounts, u):
			return true
		}
	}
	return false
}

// checkUserIDs accepts 12-digit account IDs and the given aliases; anything
// else is InvalidUserID.Malformed, as EC2 answers bad Owners/ExecutableBy.
func checkUserIDs(vals []string, aliases ...string) error {
	for _, v := range vals {
		if !accountIDPattern.MatchString(v) && !slices.Contains(aliases, v) {
			return ec2err.New(ec2err.InvalidUserIDMalformed, "Invalid user id: \"%s\"", v)
		}
	}
	return nil
}
