package arch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// unprovoked are the EC2 codes no test provokes, each with why. The list
// may only shrink: a code here that a test now expects fails the check too.
var unprovoked = map[string]string{
	"ResourceContention": "a lost revision race between deleting an Auto Scaling group and another update of it; no test can time it without a hook",
}

// TestEveryCodeIsProvoked: every error code pkg/ec2err defines is expected
// by at least one test outside pkg/ec2err (whose own tests only check the
// mapping), so a new code cannot land without a test that makes ec2lab
// answer it. A test "expects" a code when its file names the code's
// string or its ec2err constant.
func TestEveryCodeIsProvoked(t *testing.T) {
	root := filepath.Join("..", "..")
	codes := ec2errCodes(t, filepath.Join(root, "pkg", "ec2err", "ec2err.go"))
	if len(codes) < 50 {
		t.Fatalf("read %d codes from pkg/ec2err: the parser missed them", len(codes))
	}
	tests := testSources(t, root)
	var missing, stale []string
	for name, code := range codes {
		seen := strings.Contains(tests, strconv.Quote(code)) || strings.Contains(tests, "ec2err."+name+")") ||
			strings.Contains(tests, "ec2err."+name+",") || strings.Contains(tests, "ec2err."+name+" ") ||
			strings.Contains(tests, "ec2err."+name+"}")
		_, excused := unprovoked[code]
		switch {
		case !seen && !excused:
			missing = append(missing, code)
		case seen && excused:
			stale = append(stale, code)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("codes no test outside pkg/ec2err expects (write a test that provokes each): %s", strings.Join(missing, ", "))
	}
	if len(stale) > 0 {
		t.Errorf("codes listed as unprovoked that a test now expects (drop them from the list): %s", strings.Join(stale, ", "))
	}
	for code := range unprovoked {
		if !containsValue(codes, code) {
			t.Errorf("unprovoked lists %s, which pkg/ec2err does not define", code)
		}
	}
}

// ec2errCodes reads the string constants of file: name → code.
func ec2errCodes(t *testing.T, file string) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					codes[n.Name] = v
				}
			}
		}
	}
	return codes
}

// testSources is every _test.go file of the module outside pkg/ec2err, joined.
func testSources(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch rel {
			case ".git", "images", "var", "bin", "proto", filepath.Join("pkg", "ec2err"):
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, "_test.go") && rel != filepath.Join("test", "arch", "codes_test.go") {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			b.Write(data)
			b.WriteByte('\n')
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func containsValue(m map[string]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}
