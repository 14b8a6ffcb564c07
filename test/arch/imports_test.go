// Package arch checks the direction of the module's imports (README,
// Architecture). It runs in `make test` and `make unit-test` (it needs only
// the go command).
//
// Every package of the module is placed in one layer, by its longest
// matching path prefix (a package in no layer fails the test: place it):
//
//	layer    packages                                            may import (of the module)
//	edge     cmd/..., scripts/..., test/...,                     anything
//	         pkg/api, pkg/ec2query, pkg/ctl, pkg/server,
//	         pkg/registry, pkg/awsid, pkg/asgquery, pkg/metrics,
//	         pkg/console
//	service  pkg/controller, pkg/accounts                        service, driver, shared, proto
//	driver   pkg/agent, pkg/hypervisor/..., pkg/storage,         driver, shared, proto
//	         pkg/netplane/..., pkg/cloudinit, pkg/imds, pkg/vpcdns,
//	         pkg/scheduler, pkg/store/..., pkg/instancetypes,
//	         pkg/virttype, pkg/peer, pkg/host/..., pkg/leader
//	shared   pkg/ec2err/..., pkg/ids, pkg/auth, pkg/fspath,      shared
//	         pkg/tlsutil, pkg/version, pkg/crashpoint, pkg/network,
//	         pkg/uefivars, pkg/throttle, pkg/fsmode
//	proto    proto/... (generated)                               proto
//
// So edges may import services and drivers, services must not import edges,
// and drivers must not import services or edges. Besides, the domain
// packages (exactly: pkg/controller, pkg/scheduler, pkg/instancetypes,
// pkg/store, pkg/ec2err, pkg/host) must not import google.golang.org/grpc/...,
// google.golang.org/protobuf/... or the generated protos
// (github.com/ec2lab/ec2lab/proto/...).
//
// Only the imports of non-test files count: tests may reach across layers
// (fakes, gRPC rigs).
//
// The violations that exist today are listed in ratchet; the test fails on
// any violation not listed there, and on a listed one that is gone (delete
// its line: the list may only shrink).
package arch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/ec2lab/ec2lab"

type layer int

const (
	edge layer = iota
	service
	driver
	shared
	proto
)

var layerNames = map[layer]string{edge: "edge", service: "service", driver: "driver", shared: "shared", proto: "proto"}

// layers places packages (module-relative path prefixes; the longest match
// wins). Keep it in step with the table in the package comment.
var layers = map[string]layer{
	"cmd": edge, "scripts": edge, "test": edge,
	"pkg/api": edge, "pkg/ec2query": edge, "pkg/ctl": edge, "pkg/server": edge, "pkg/registry": edge, "pkg/awsid": edge,
	"pkg/asgquery": edge, "pkg/metrics": edge, "pkg/console": edge,

	"pkg/controller": service, "pkg/accounts": service,

	"pkg/agent": driver, "pkg/hypervisor": driver, "pkg/storage": driver, "pkg/netplane": driver,
	"pkg/cloudinit": driver, "pkg/imds": driver, "pkg/vpcdns": driver, "pkg/scheduler": driver, "pkg/store": driver,
	"pkg/instancetypes": driver, "pkg/virttype": driver, "pkg/peer": driver, "pkg/host": driver,
	"pkg/leader": driver,

	"pkg/ec2err": shared, "pkg/ids": shared, "pkg/auth": shared, "pkg/fspath": shared,
	"pkg/tlsutil": shared, "pkg/version": shared, "pkg/crashpoint": shared, "pkg/network": shared,
	"pkg/uefivars": shared, "pkg/throttle": shared, "pkg/fsmode": shared,

	"proto": proto,
}

// mayImport is, for each layer, the layers of the module it may import.
var mayImport = map[layer][]layer{
	edge:    {edge, service, driver, shared, proto},
	service: {service, driver, shared, proto},
	driver:  {driver, shared, proto},
	shared:  {shared},
	proto:   {proto},
}

// domain packages (exact paths, not prefixes) must not import these.
var (
	domain          = []string{"pkg/controller", "pkg/scheduler", "pkg/instancetypes", "pkg/store", "pkg/ec2err", "pkg/host"}
	domainForbidden = []string{"google.golang.org/grpc", "google.golang.org/protobuf", module + "/proto"}
)

// ratchet lists the violations (package -> forbidden import, module-relative
// where in the module) that exist today. It may only shrink: the test fails
// on a violation not listed here and on a listed one that no longer exists.
// It is empty: the controller reaches hosts through pkg/host and peers
// through pkg/peer, and imports no transport; keep it that way.
var ratchet = map[string][]string{}

type pkg struct {
	ImportPath string
	Imports    []string
}

// listPackages runs `go list` on the whole module. -e: a package that does
// not build still has its imports listed (its build errors are other tests'
// business).
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	return pkgs
}

// rel is path relative to the module ("" and false for other modules).
func rel(path string) (string, bool) {
	if path == module {
		return "", true
	}
	r, ok := strings.CutPrefix(path, module+"/")
	return r, ok
}

func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// layerOf places a module-relative package path by its longest prefix.
func layerOf(path string) (layer, string, bool) {
	best := ""
	for prefix := range layers {
		if under(path, prefix) && len(prefix) > len(best) {
			best = prefix
		}
	}
	if best == "" {
		return 0, "", false
	}
	return layers[best], best, true
}

// violations is, for each package, its forbidden imports with the reason.
func violations(t *testing.T, pkgs []pkg) map[string]map[string]string {
	t.Helper()
	found := map[string]map[string]string{}
	add := func(p, imp, why string) {
		if found[p] == nil {
			found[p] = map[string]string{}
		}
		found[p][imp] = why
	}
	usedPrefix := map[string]bool{}
	for _, p := range pkgs {
		path, _ := rel(p.ImportPath)
		from, prefix, ok := layerOf(path)
		if !ok {
			t.Errorf("%s is in no layer: add it to layers (and to the table in the package comment)", p.ImportPath)
			continue
		}
		usedPrefix[prefix] = true
		isDomain := false
		for _, d := range domain {
			isDomain = isDomain || path == d
		}
		for _, imp := range p.Imports {
			if r, inModule := rel(imp); inModule {
				to, _, ok := layerOf(r)
				if !ok {
					continue // reported as a package in no layer
				}
				allowed := false
				for _, l := range mayImport[from] {
					allowed = allowed || l == to
				}
				if !allowed {
					add(path, r, fmt.Sprintf("%s imports %s", layerNames[from], layerNames[to]))
				}
			}
			if isDomain {
				for _, f := range domainForbidden {
					if under(imp, f) {
						key := imp
						if r, inModule := rel(imp); inModule {
							key = r
						}
						add(path, key, "a domain package imports "+f+"/...")
					}
				}
			}
		}
	}
	for prefix := range layers {
		if !usedPrefix[prefix] {
			t.Errorf("layers places %s, which holds no package: remove it", prefix)
		}
	}
	return found
}

func TestImportDirection(t *testing.T) {
	found := violations(t, listPackages(t))
	listed := map[string]map[string]bool{}
	for p, imps := range ratchet {
		listed[p] = map[string]bool{}
		for _, imp := range imps {
			listed[p][imp] = true
			if _, ok := found[p][imp]; !ok {
				t.Errorf("ratchet lists %s -> %s, which no longer exists: delete it from the list (it may only shrink)", p, imp)
			}
		}
	}
	var fresh []string
	for p, imps := range found {
		for imp, why := range imps {
			if !listed[p][imp] {
				fresh = append(fresh, fmt.Sprintf("%s imports %s: %s", p, imp, why))
			}
		}
	}
	sort.Strings(fresh)
	for _, v := range fresh {
		t.Errorf("new import-direction violation: %s (see the rules in test/arch/imports_test.go)", v)
	}
}
