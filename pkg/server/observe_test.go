package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/controller"
)

func TestReadyHandler(t *testing.T) {
	runs := 0
	var checks []controller.ReadyCheck
	h := newReadyHandler(func(context.Context) []controller.ReadyCheck { runs++; return checks }, time.Hour)
	serve := func() (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return rec.Code, rec.Body.String()
	}
	checks = []controller.ReadyCheck{{Name: "store"}, {Name: "agents", Err: errors.New("zone lab-1b has no live agent")}}
	if code, body := serve(); code != http.StatusServiceUnavailable || body != "ok store\nfail agents: zone lab-1b has no live agent\n" {
		t.Errorf("failing check: %d\n%s", code, body)
	}
	checks = []controller.ReadyCheck{{Name: "store"}}
	if code, _ := serve(); code != http.StatusServiceUnavailable || runs != 1 {
		t.Errorf("within the cache time: %d after %d runs, want the cached 503 after 1", code, runs)
	}
	h.cacheFor = 0
	if code, body := serve(); code != http.StatusOK || body != "ok store\n" || runs != 2 {
		t.Errorf("all passing: %d %q after %d runs", code, body, runs)
	}
}

func TestNoReadyzWithoutChecks(t *testing.T) {
	rec := httptest.NewRecorder()
	NewHTTPHandler(nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil))).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code == http.StatusOK {
		t.Errorf("/readyz answered 200 with no checks to run")
	}
}
