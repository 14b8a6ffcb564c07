package controller

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestHooksRegistered checks that New registers every resource's sweep and
// collector, in the reconciler's order (hooks.go says why it matters), and
// a tag target for every kind CreateTags takes.
func TestHooksRegistered(t *testing.T) {
	r := newRig(t, 8, hostSpec{vcpus: 4, mem: 4096})
	var sweeps, collectors []string
	for _, sw := range r.svc.hooks.sweeps {
		sweeps = append(sweeps, sw.name)
	}
	for _, c := range r.svc.hooks.collectors {
		collectors = append(collectors, c.name)
	}
	wantSweeps := []string{"hosts", "instances", "volumes", "snapshots", "images", "image-copies", "network", "elastic-ips", "nat-gateways", "private-ip-claims", "public-ips", "auto-scaling-groups", "garbage-collector", "compactor"}
	if !slices.Equal(sweeps, wantSweeps) {
		t.Errorf("sweeps %q, want %q", sweeps, wantSweeps)
	}
	wantCollectors := []string{"domains", "pool-files", "image-tombstones"}
	if !slices.Equal(collectors, wantCollectors) {
		t.Errorf("collectors %q, want %q", collectors, wantCollectors)
	}
	var tags []string
	for _, tt := range r.svc.hooks.tagTargets {
		tags = append(tags, tt.idPrefix+"="+tt.kind)
		if tt.get == nil || tt.edit == nil {
			t.Errorf("tag target %s: get or edit missing", tt.kind)
		}
	}
	slices.Sort(tags)
	wantTags := []string{"ami=image", "eni=network-interface", "i=instance", "igw=internet-gateway", "key=key-pair", "lt=launch-template",
		"pg=placement-group", "rtb=route-table", "sg=security-group", "sgr=security-group-rule", "snap=snapshot",
		"subnet=subnet", "vol=volume", "vpc=vpc", "acl=network-acl", "eipalloc=elastic-ip", "dopt=dhcp-options", "nat=natgateway"}
	slices.Sort(wantTags)
	if !slices.Equal(tags, wantTags) {
		t.Errorf("tag targets %q, want %q", tags, wantTags)
	}
}

// coreFiles are the controller's core: they may call only the Service
// methods that the core itself declares (coreDecls), so that a resource
// reaches the core by registering hooks, never by being named in it.
var (
	coreFiles = []string{"reconcile.go", "gc.go", "tags.go"}
	coreDecls = []string{"reconcile.go", "gc.go", "tags.go", "hooks.go", "service.go"}
)

// TestCoreNamesNoResource fails when a core file calls (or takes the value
// of) a Service method declared in a resource's file.
func TestCoreNamesNoResource(t *testing.T) {
	fset := token.NewFileSet()
	declaredIn := map[string]string{} // Service method → its file
	parsed := map[string]*ast.File{}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed[name] = f
		for m := range serviceMethods(f) {
			declaredIn[m] = name
		}
	}
	for _, name := range coreFiles {
		f, ok := parsed[name]
		if !ok {
			t.Fatalf("core file %s is gone: update coreFiles", name)
		}
		for _, bad := range resourceCalls(fset, f, declaredIn) {
			t.Errorf("%s: the core names a resource's method; register it as a hook instead (hooks.go)", bad)
		}
	}
}

// TestCoreCheckCatches proves the check of TestCoreNamesNoResource flags
// the calls the reconciler used to make.
func TestCoreCheckCatches(t *testing.T) {
	const src = `package controller
func (s *Service) reconcileOnce(ctx context.Context) {
	s.checkHostHealth(ctx)
	s.reconcileVolumes(ctx)
	go s.collectFiles(ctx, nil)
	f := s.collectTombstones
	_ = s.gcInterval()
	_ = s.cfg
}`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "reconcile.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	declaredIn := map[string]string{"checkHostHealth": "hosts.go", "reconcileVolumes": "volumes.go",
		"collectFiles": "gc_files.go", "collectTombstones": "gc_images.go", "gcInterval": "gc.go"}
	got := resourceCalls(fset, f, declaredIn)
	want := []string{"reconcile.go:3:2: s.checkHostHealth (hosts.go)", "reconcile.go:4:2: s.reconcileVolumes (volumes.go)",
		"reconcile.go:5:5: s.collectFiles (gc_files.go)", "reconcile.go:6:7: s.collectTombstones (gc_images.go)"}
	if !slices.Equal(got, want) {
		t.Errorf("flagged %q, want %q", got, want)
	}
}

// serviceMethods returns the names of the methods on Service that f declares.
func serviceMethods(f *ast.File) map[string]bool {
	out := map[string]bool{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && receiverType(fd) == "Service" {
			out[fd.Name.Name] = true
		}
	}
	return out
}

func receiverType(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) != 1 {
		return ""
	}
	typ := fd.Recv.List[0].Type
	if st, ok := typ.(*ast.StarExpr); ok {
		typ = st.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// resourceCalls lists, in f's Service methods, every selector on the
// receiver that names a Service method declared outside coreDecls.
func resourceCalls(fset *token.FileSet, f *ast.File, declaredIn map[string]string) []string {
	var out []string
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || receiverType(fd) != "Service" || len(fd.Recv.List[0].Names) == 0 || fd.Body == nil {
			continue
		}
		recv := fd.Recv.List[0].Names[0].Name
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			x, ok := sel.X.(*ast.Ident)
			if !ok || x.Name != recv {
				return true
			}
			file, isMethod := declaredIn[sel.Sel.Name]
			if isMethod && !slices.Contains(coreDecls, file) {
				out = append(out, fset.Position(sel.Pos()).String()+": "+recv+"."+sel.Sel.Name+" ("+file+")")
			}
			return true
		})
	}
	return out
}
