package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/server"
)

// TestConsoleMount: the HTTP listener serves the console under /console/
// and redirects only a browser's plain GET / there; EC2 clients' requests
// to / (unsigned GET, a query, a POST) answer as before.
func TestConsoleMount(t *testing.T) {
	k := auth.Key{AccessKeyID: "AKIAEXAMPLE000000001", SecretAccessKey: "secret-1", AccountID: "123456789012"}
	srv := httptest.NewServer(server.NewHTTPHandler(regionsOnly{}, auth.StaticKeys{k.AccessKeyID: k},
		slog.New(slog.NewTextHandler(io.Discard, nil)), "lab-1"))
	defer srv.Close()
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	get := func(method, path, accept, body string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(b)
	}
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	if st, loc, _ := get(http.MethodGet, "/", browser, ""); st != http.StatusFound || loc != "/console/" {
		t.Errorf("browser GET /: %d %q, want 302 to /console/", st, loc)
	}
	for _, tc := range []struct{ method, path, accept, body string }{
		{http.MethodGet, "/", "", ""},
		{http.MethodGet, "/", "*/*", ""},
		{http.MethodGet, "/?Action=DescribeRegions&Version=2016-11-15", browser, ""},
		{http.MethodPost, "/", browser, "Action=DescribeRegions&Version=2016-11-15"},
	} {
		if st, _, body := get(tc.method, tc.path, tc.accept, tc.body); st != http.StatusUnauthorized && st != http.StatusBadRequest ||
			!strings.Contains(body, "MissingAuthenticationToken") {
			t.Errorf("%s %s (Accept %q): %d\n%s", tc.method, tc.path, tc.accept, st, body)
		}
	}
	if st, _, body := get(http.MethodGet, "/console/signin", browser, ""); st != http.StatusOK || !strings.Contains(body, "Access key ID") {
		t.Errorf("GET /console/signin: %d\n%s", st, body)
	}
	if st, _, body := get(http.MethodGet, "/console/static/vendor/htmx.min.js", "", ""); st != http.StatusOK || len(body) < 10000 {
		t.Errorf("embedded htmx: %d, %d bytes", st, len(body))
	}
}
