package agent

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/imds"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// metadataGet asks h from ip: a token PUT first when withToken; it returns
// the status of GET instance-id (or of the failed PUT).
func metadataGet(h http.Handler, ip string, withToken bool) int {
	send := func(method, path string, hdr map[string]string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, nil)
		r.RemoteAddr = ip + ":40000"
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	hdr := map[string]string{}
	if withToken {
		w := send(http.MethodPut, "/latest/api/token", map[string]string{"X-aws-ec2-metadata-token-ttl-seconds": "60"})
		if w.Code != 200 {
			return w.Code
		}
		hdr["X-aws-ec2-metadata-token"] = w.Body.String()
	}
	return send(http.MethodGet, "/latest/meta-data/instance-id", hdr).Code
}

// TestMetadataOptionsPerInstance: CreateInstance's options and later
// SetMetadataOptions calls reach the handler's per-request lookup of that
// instance only, survive a restart, and bad values change nothing.
func TestMetadataOptionsPerInstance(t *testing.T) {
	ctx := context.Background()
	a := &Agent{cfg: Config{StateDir: t.TempDir()}, log: slog.Default()}
	add := func(a *Agent, id, ip, tokens, endpoint string) {
		req := metadataReq(id, &agentv1.Nic{SubnetId: "s1", Mac: "02:00:00:00:00:01", PrivateIp: ip})
		req.MetadataHttpTokens, req.MetadataHttpEndpoint = tokens, endpoint
		rec, _, err := metadataRecordOf(req, bridgeOfSubnet, "az-a", "r-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := writePrivate(a.metadataPath(id), mustJSON(t, rec)); err != nil {
			t.Fatal(err)
		}
		a.md.put(id, rec)
	}
	add(a, "i-strict", "10.0.0.4", "required", "")
	add(a, "i-open", "10.0.0.5", "", "")
	h := imds.NewHandler(a.md.lookupOn("br-s1"), imds.Options{})

	type want struct{ v1, v2 int } // tokenless GET, GET with a token
	steps := []struct {
		name             string
		id               string
		tokens, endpoint string
		strict, open     want
	}{
		{"as launched", "", "", "", want{401, 200}, want{200, 200}},
		{"strict back to optional", "i-strict", "optional", "enabled", want{200, 200}, want{200, 200}},
		{"open requires tokens", "i-open", "required", "enabled", want{200, 200}, want{401, 200}},
		{"open disabled", "i-open", "required", "disabled", want{200, 200}, want{404, 404}},
		{"unknown instance is no error", "i-gone", "required", "enabled", want{200, 200}, want{404, 404}},
	}
	for _, s := range steps {
		if s.id != "" {
			if _, err := a.SetMetadataOptions(ctx, &agentv1.SetMetadataOptionsRequest{InstanceId: s.id,
				HttpTokens: s.tokens, HttpEndpoint: s.endpoint}); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		for _, c := range []struct {
			ip string
			w  want
		}{{"10.0.0.4", s.strict}, {"10.0.0.5", s.open}} {
			if got := (want{metadataGet(h, c.ip, false), metadataGet(h, c.ip, true)}); got != c.w {
				t.Errorf("%s: %s answers %v, want %v", s.name, c.ip, got, c.w)
			}
		}
	}
	if _, err := a.SetMetadataOptions(ctx, &agentv1.SetMetadataOptionsRequest{InstanceId: "i-open",
		HttpTokens: "sometimes"}); err == nil {
		t.Error("SetMetadataOptions accepted http_tokens \"sometimes\"")
	}

	restarted := &Agent{cfg: a.cfg, log: slog.Default()}
	if err := restarted.recoverMetadata(map[string]bool{"i-strict": true, "i-open": true}); err != nil {
		t.Fatal(err)
	}
	rh := imds.NewHandler(restarted.md.lookupOn("br-s1"), imds.Options{})
	if got := metadataGet(rh, "10.0.0.5", true); got != 404 {
		t.Errorf("disabled instance after restart: %d, want 404", got)
	}
	if got := metadataGet(rh, "10.0.0.4", false); got != 200 {
		t.Errorf("optional instance after restart: %d, want 200", got)
	}
}
