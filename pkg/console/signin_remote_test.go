package console_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/console"
)

// TestSignInOverPlainHTTPFromAnotherHost: a sign-in form posted over
// plain HTTP from a non-loopback address is refused before the secret is
// checked, and no session starts; from the loopback it is accepted.
func TestSignInOverPlainHTTPFromAnotherHost(t *testing.T) {
	var log strings.Builder
	h := console.New(console.Options{Compute: &fakeCompute{}, Keys: auth.StaticKeys{key1.AccessKeyID: key1},
		Log: slog.New(slog.NewTextHandler(&syncWriter{w: &log}, nil)), Region: "lab-1", SessionTTL: time.Minute})
	form := url.Values{"access_key_id": {key1.AccessKeyID}, "secret_access_key": {key1.SecretAccessKey}}
	for _, c := range []struct {
		remote string
		want   int
	}{{"192.0.2.9:40000", http.StatusForbidden}, {"127.0.0.1:40000", http.StatusSeeOther}} {
		req := httptest.NewRequest(http.MethodPost, "http://ec2d.lab:8080"+console.Prefix+"signin", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://ec2d.lab:8080")
		req.RemoteAddr = c.remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != c.want {
			t.Errorf("from %s: status %d, want %d", c.remote, w.Code, c.want)
		}
		if got := w.Result().Cookies(); (c.want == http.StatusForbidden) != (len(got) == 0) {
			t.Errorf("from %s: cookies %v", c.remote, got)
		}
	}
	if strings.Contains(log.String(), key1.SecretAccessKey) {
		t.Error("the secret reached the log")
	}
}
