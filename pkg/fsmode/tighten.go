package fsmode

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// ServiceUsers are the accounts that may own tenant files: QEMU's under
// libvirt (Debian's, then Fedora's; libvirt's dynamic_ownership leaves
// files a domain read owned by it) and dnsmasq's (its DHCP hosts files).
var ServiceUsers = []string{"libvirt-qemu", "qemu", "dnsmasq"}

// Owners are the users a tree may hold files of: directories must belong
// to Dirs, files to Dirs or Files. A user other than root that owns a
// file could open it up again, so Tighten refuses it.
type Owners struct {
	Dirs, Files map[uint32]bool
}

// DefaultOwners are root and this process's user for everything, and
// ServiceUsers (those that exist here) for files.
func DefaultOwners() Owners {
	o := Owners{Dirs: map[uint32]bool{0: true, uint32(os.Geteuid()): true}, Files: map[uint32]bool{}}
	for _, name := range ServiceUsers {
		if u, err := user.Lookup(name); err == nil {
			if id, err := strconv.ParseUint(u.Uid, 10, 32); err == nil {
				o.Files[uint32(id)] = true
			}
		}
	}
	return o
}

func (o Owners) allowed(uid uint32, dir bool) bool {
	return o.Dirs[uid] || (!dir && o.Files[uid])
}

// ErrRefused wraps what Tighten cannot fix.
var ErrRefused = errors.New("refusing to start")

// Tighten walks each root (a missing one is skipped) and makes every
// directory and file in it at most as open as Want allows, logging each
// fix and the count. It does not follow symbolic links. A directory or file
// owned by a user outside owners is an error wrapping ErrRefused naming
// it; so is a root that is not a directory.
func Tighten(ctx context.Context, log *slog.Logger, owners Owners, roots ...string) (fixed int, err error) {
	for _, root := range roots {
		n, err := tightenTree(ctx, log, owners, root)
		fixed += n
		if err != nil {
			return fixed, err
		}
	}
	if fixed > 0 {
		log.Warn("tightened file modes of tenant data", "fixed", fixed, "roots", roots)
	}
	return fixed, nil
}

// TightenPaths is Tighten for each path alone (a directory's entries are
// left alone): for directories that hold other things besides tenant data,
// and single files. Missing paths are skipped.
func TightenPaths(log *slog.Logger, owners Owners, paths ...string) (fixed int, err error) {
	for _, p := range paths {
		ok, err := tightenOne(log, owners, p)
		if err != nil {
			return fixed, fmt.Errorf("check mode of %s: %w", p, err)
		}
		if !ok {
			fixed++
		}
	}
	return fixed, nil
}

func tightenTree(ctx context.Context, log *slog.Logger, owners Owners, root string) (int, error) {
	// a root may be a link (a pool on another disk); links inside are skipped
	if resolved, err := filepath.EvalSymlinks(root); err == nil {
		root = resolved
	}
	fi, err := os.Lstat(root)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("check modes of %s: %w", root, err)
	}
	if !fi.IsDir() {
		return 0, fmt.Errorf("%w: %s is not a directory", ErrRefused, root)
	}
	fixed := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil // removed while we walk (a temp file)
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		ok, err := tightenOne(log, owners, path)
		if !ok && err == nil {
			fixed++
		}
		return err
	})
	if err != nil {
		return fixed, fmt.Errorf("check modes of %s: %w", root, err)
	}
	return fixed, nil
}

// tightenOne checks path's owner and fixes its mode; ok reports that the
// mode was right already.
func tightenOne(log *slog.Logger, owners Owners, path string) (ok bool, err error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if st, isUnix := fi.Sys().(*syscall.Stat_t); isUnix && !owners.allowed(st.Uid, fi.IsDir()) {
		return false, fmt.Errorf("%w: %s is owned by uid %d, who could open it to every user; chown it to root or move it away",
			ErrRefused, path, st.Uid)
	}
	if !fi.IsDir() && !fi.Mode().IsRegular() {
		return true, nil // sockets, fifos: no tenant data in them
	}
	want, ok := Want(fi.Mode())
	if ok {
		return true, nil
	}
	if err := os.Chmod(path, want); err != nil {
		return false, err
	}
	log.Info("file mode tightened", "path", path, "was", fmt.Sprintf("%#o", fi.Mode().Perm()), "now", fmt.Sprintf("%#o", want))
	return false, nil
}
