package console_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/console"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

var (
	key1 = auth.Key{AccessKeyID: "AKIACONSOLE000000001", SecretAccessKey: "secret-one-xyz", AccountID: "111111111111", Admin: true}
	key2 = auth.Key{AccessKeyID: "AKIACONSOLE000000002", SecretAccessKey: "secret-two-xyz", AccountID: "222222222222"}
)

// rig is a console over a fakeCompute with two accounts, one instance
// each, a movable clock and a captured log.
type rig struct {
	srv  *httptest.Server
	fake *fakeCompute
	log  *bytes.Buffer
	mu   sync.Mutex
	now  time.Time
}

func newRig(t *testing.T, tls bool) *rig {
	t.Helper()
	r := &rig{log: &bytes.Buffer{}, now: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	r.fake = &fakeCompute{byAcct: map[string][]*v1.Instance{
		key1.AccountID: {{InstanceId: "i-0first000000000", State: &v1.InstanceState{Name: "running"}, InstanceType: "t3.nano"},
			{InstanceId: "i-0third000000000", State: &v1.InstanceState{Name: "pending"}, InstanceType: "c5.large",
				Tags: []*v1.Tag{{Key: "Name", Value: "web"}}}},
		key2.AccountID: {{InstanceId: "i-0second00000000", State: &v1.InstanceState{Name: "stopped"}, InstanceType: "t3.nano",
			VpcId: "vpc-1", SecurityGroups: []*v1.GroupIdentifier{{GroupId: "sg-1", GroupName: "default"}}}},
	}}
	h := console.New(console.Options{Compute: r.fake, Keys: auth.StaticKeys{key1.AccessKeyID: key1, key2.AccessKeyID: key2},
		Log: slog.New(slog.NewTextHandler(&syncWriter{w: r.log}, nil)), Region: "lab-1", SessionTTL: 10 * time.Minute,
		Now: r.clock})
	mux := http.NewServeMux()
	mux.Handle(console.Prefix, h)
	if tls {
		r.srv = httptest.NewTLSServer(mux)
	} else {
		r.srv = httptest.NewServer(mux)
	}
	t.Cleanup(r.srv.Close)
	return r
}

func (r *rig) clock() time.Time { r.mu.Lock(); defer r.mu.Unlock(); return r.now }

func (r *rig) advance(d time.Duration) { r.mu.Lock(); r.now = r.now.Add(d); r.mu.Unlock() }

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// reply is a response's status, headers and body.
type reply struct {
	status int
	header http.Header
	body   string
	cookie *http.Cookie
}

// do sends one request, following no redirect, with cookie when set.
func (r *rig) do(t *testing.T, method, path string, form url.Values, cookie *http.Cookie) reply {
	t.Helper()
	return r.doOrigin(t, method, path, form, cookie, "")
}

// doOrigin is do with an Origin header (none when "").
func (r *rig) doOrigin(t *testing.T, method, path string, form url.Values, cookie *http.Cookie, origin string) reply {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, r.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	c := r.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	rep := reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
	for _, ck := range resp.Cookies() {
		if ck.Name == "ec2lab_console" {
			rep.cookie = ck
		}
	}
	return rep
}

// signIn signs k in and returns the session cookie.
func (r *rig) signIn(t *testing.T, k auth.Key) *http.Cookie {
	t.Helper()
	rep := r.do(t, http.MethodPost, "/console/signin", url.Values{"access_key_id": {k.AccessKeyID}, "secret_access_key": {k.SecretAccessKey}}, nil)
	if rep.status != http.StatusSeeOther || rep.cookie == nil {
		t.Fatalf("sign-in of %s: %d, cookie %v\n%s", k.AccessKeyID, rep.status, rep.cookie, rep.body)
	}
	return rep.cookie
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the CSRF token of the session's instances page.
func (r *rig) csrf(t *testing.T, c *http.Cookie) string {
	t.Helper()
	rep := r.do(t, http.MethodGet, "/console/instances", nil, c)
	m := csrfRe.FindStringSubmatch(rep.body)
	if rep.status != http.StatusOK || m == nil {
		t.Fatalf("instances page: %d, no CSRF token\n%s", rep.status, rep.body)
	}
	return m[1]
}

// TestSignIn: without a session every page sends to the sign-in page; the
// right key and secret start a session whose cookie is HttpOnly,
// SameSite=Strict, scoped to /console/ and not Secure over plain HTTP; the
// instances page then lists the account's instance; sign-out ends it.
func TestSignIn(t *testing.T) {
	r := newRig(t, false)
	if rep := r.do(t, http.MethodGet, "/console/instances", nil, nil); rep.status != http.StatusSeeOther ||
		rep.header.Get("Location") != "/console/signin" {
		t.Fatalf("instances without a session: %d %s", rep.status, rep.header.Get("Location"))
	}
	if rep := r.do(t, http.MethodGet, "/console/signin", nil, nil); rep.status != http.StatusOK || !strings.Contains(rep.body, "Secret access key") {
		t.Fatalf("sign-in page: %d\n%s", rep.status, rep.body)
	}
	c := r.signIn(t, key1)
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/console/" || c.Secure || len(c.Value) < 32 || c.MaxAge != 0 {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/console/, not Secure over HTTP, a long random value, "+
			"no Max-Age (the server ends idle sessions)", c)
	}
	rep := r.do(t, http.MethodGet, "/console/instances", nil, c)
	if rep.status != http.StatusOK || !strings.Contains(rep.body, "i-0first000000000") || !strings.Contains(rep.body, "account 111111111111") {
		t.Fatalf("instances page: %d\n%s", rep.status, rep.body)
	}
	if csp := rep.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	tok := r.csrf(t, c)
	out := r.do(t, http.MethodPost, "/console/signout", url.Values{"csrf": {tok}}, c)
	if out.status != http.StatusSeeOther || out.cookie == nil || out.cookie.MaxAge >= 0 {
		t.Fatalf("sign-out: %d, cookie %+v", out.status, out.cookie)
	}
	if rep := r.do(t, http.MethodGet, "/console/instances", nil, c); rep.status != http.StatusSeeOther {
		t.Fatalf("the old cookie after sign-out: %d, want a redirect to sign in", rep.status)
	}
	if strings.Contains(r.log.String(), key1.SecretAccessKey) {
		t.Errorf("the secret was logged:\n%s", r.log.String())
	}
}

// TestSecureCookieOverTLS: served over TLS, the session cookie is Secure.
func TestSecureCookieOverTLS(t *testing.T) {
	r := newRig(t, true)
	if c := r.signIn(t, key1); !c.Secure || !c.HttpOnly {
		t.Errorf("cookie over TLS %+v, want Secure and HttpOnly", c)
	}
}

// TestBadSecret: a wrong secret or an unknown key gets a clear error, 401
// and no cookie, and the secret tried is not logged; after five failures
// from an address even the right secret is refused (429) for a minute.
func TestBadSecret(t *testing.T) {
	r := newRig(t, false)
	for i, f := range []url.Values{
		{"access_key_id": {key1.AccessKeyID}, "secret_access_key": {"not-the-secret-42"}},
		{"access_key_id": {"AKIANOSUCHKEY0000000"}, "secret_access_key": {"not-the-secret-42"}},
		{"access_key_id": {key1.AccessKeyID}, "secret_access_key": {""}},
	} {
		rep := r.do(t, http.MethodPost, "/console/signin", f, nil)
		if rep.status != http.StatusUnauthorized || rep.cookie != nil || !strings.Contains(rep.body, "access key ID or secret access key is wrong") {
			t.Errorf("attempt %d: %d, cookie %v\n%s", i, rep.status, rep.cookie, rep.body)
		}
	}
	if strings.Contains(r.log.String(), "not-the-secret-42") {
		t.Errorf("a tried secret was logged:\n%s", r.log.String())
	}
	bad := url.Values{"access_key_id": {key1.AccessKeyID}, "secret_access_key": {"wrong"}}
	r.do(t, http.MethodPost, "/console/signin", bad, nil)
	r.do(t, http.MethodPost, "/console/signin", bad, nil)
	good := url.Values{"access_key_id": {key1.AccessKeyID}, "secret_access_key": {key1.SecretAccessKey}}
	if rep := r.do(t, http.MethodPost, "/console/signin", good, nil); rep.status != http.StatusTooManyRequests || rep.cookie != nil {
		t.Fatalf("right secret after 5 failures: %d, cookie %v", rep.status, rep.cookie)
	}
	r.advance(61 * time.Second)
	r.signIn(t, key1)
}

// TestSessionExpiry: a session idle longer than its TTL is gone; one used
// within it lives on.
func TestSessionExpiry(t *testing.T) {
	r := newRig(t, false)
	c := r.signIn(t, key1)
	r.advance(9 * time.Minute)
	if rep := r.do(t, http.MethodGet, "/console/instances", nil, c); rep.status != http.StatusOK {
		t.Fatalf("after 9 of 10 minutes: %d", rep.status)
	}
	r.advance(9 * time.Minute) // renewed by the request above
	if rep := r.do(t, http.MethodGet, "/console/instances/table", nil, c); rep.status != http.StatusOK {
		t.Fatalf("9 minutes after the last request: %d", rep.status)
	}
	r.advance(11 * time.Minute)
	if rep := r.do(t, http.MethodGet, "/console/instances", nil, c); rep.status != http.StatusSeeOther ||
		rep.header.Get("Location") != "/console/signin" {
		t.Fatalf("after 11 idle minutes: %d %s, want a redirect to sign in", rep.status, rep.header.Get("Location"))
	}
}

// TestCSRF: a POST without the session's CSRF token, or with another
// session's, is refused with 403 and stops nothing; with it, the instance
// is stopped.
func TestCSRF(t *testing.T) {
	r := newRig(t, false)
	c := r.signIn(t, key1)
	tok := r.csrf(t, c)
	other := r.csrf(t, r.signIn(t, key1))
	for name, f := range map[string]url.Values{"none": {}, "wrong": {"csrf": {"AAAAAAAAAAAAAAAAAAAAAAAAAA"}}, "another session's": {"csrf": {other}}} {
		rep := r.do(t, http.MethodPost, "/console/instances/i-0first000000000/stop", f, c)
		if rep.status != http.StatusForbidden {
			t.Errorf("stop with %s token: %d, want 403", name, rep.status)
		}
		if rep := r.do(t, http.MethodPost, "/console/signout", f, c); rep.status != http.StatusForbidden {
			t.Errorf("sign-out with %s token: %d, want 403", name, rep.status)
		}
	}
	if len(r.fake.stopped) != 0 {
		t.Fatalf("refused POSTs stopped %v", r.fake.stopped)
	}
	rep := r.do(t, http.MethodPost, "/console/instances/i-0first000000000/stop", url.Values{"csrf": {tok}}, c)
	if rep.status != http.StatusSeeOther || len(r.fake.stopped) != 1 {
		t.Fatalf("stop with the token: %d, stopped %v\n%s", rep.status, r.fake.stopped, rep.body)
	}
	// htmx sends the token as a header, from the body's hx-headers
	page := r.do(t, http.MethodGet, "/console/instances", nil, c).body
	m := regexp.MustCompile(`hx-headers='\{"X-CSRF-Token": "([A-Z0-9]+)"\}'`).FindStringSubmatch(page)
	if m == nil || m[1] != tok {
		t.Fatalf("hx-headers with the CSRF token: %q\n%s", m, page[:min(len(page), 1500)])
	}
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/console/instances/i-0first000000000/stop", nil)
	req.AddCookie(c)
	req.Header.Set("X-CSRF-Token", tok)
	resp, err := r.srv.Client().Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || len(r.fake.stopped) != 2 {
		t.Fatalf("stop with the token in X-CSRF-Token: %d, stopped %v", resp.StatusCode, r.fake.stopped)
	}
}

// TestAccountIsolation: a second account's session lists none of the
// first's instances, and stopping one of them shows the EC2 error (the
// Compute saw the second account's key).
func TestAccountIsolation(t *testing.T) {
	r := newRig(t, false)
	c2 := r.signIn(t, key2)
	rep := r.do(t, http.MethodGet, "/console/instances/table", nil, c2)
	if strings.Contains(rep.body, "i-0first") || !strings.Contains(rep.body, "i-0second00000000") {
		t.Fatalf("account 2's table:\n%s", rep.body)
	}
	tok := r.csrf(t, c2)
	rep = r.do(t, http.MethodPost, "/console/instances/i-0first000000000/stop", url.Values{"csrf": {tok}}, c2)
	if rep.status != http.StatusBadRequest || !strings.Contains(rep.body, "InvalidInstanceID.NotFound") ||
		!strings.Contains(rep.body, "does not exist") || len(r.fake.stopped) != 0 {
		t.Fatalf("account 2 stopping account 1's instance: %d, stopped %v\n%s", rep.status, r.fake.stopped, rep.body)
	}
}

// TestLaunchWizard: the wizard offers the images and types with their
// families explained, shows both command lines, and submits RunInstances.
func TestLaunchWizard(t *testing.T) {
	r := newRig(t, false)
	c := r.signIn(t, key1)
	rep := r.do(t, http.MethodGet, "/console/launch", nil, c)
	for _, want := range []string{"ami-0tiny", "t3.nano: 2 vCPU, 512 MiB, 5% baseline", "Burstable general purpose", "Compute optimized",
		"ec2ctl run-instances --image-id ami-0tiny --instance-type t3.nano --count 1", "aws --endpoint-url http://127.0.0.1:"} {
		if !strings.Contains(rep.body, want) {
			t.Errorf("wizard lacks %q", want)
		}
	}
	tok := csrfRe.FindStringSubmatch(rep.body)[1]
	form := url.Values{"csrf": {tok}, "name": {"web one"}, "image_id": {"ami-0tiny"}, "instance_type": {"t3.nano"}, "count": {"2"},
		"user_data": {"#!/bin/sh\necho it's me"}, "security_group_ids": {"sg-1", "sg-2"}}
	prev := r.do(t, http.MethodPost, "/console/launch/preview", form, c)
	for _, want := range []string{"--count 2", "--tag-specifications &#39;ResourceType=instance,Tags=[{Key=Name,Value=web one}]&#39;",
		"--security-group-ids sg-1,sg-2", "--security-group-ids sg-1 sg-2", `&#39;\&#39;&#39;s me`} {
		if !strings.Contains(prev.body, want) {
			t.Errorf("preview lacks %q:\n%s", want, prev.body)
		}
	}
	rep = r.do(t, http.MethodPost, "/console/launch", form, c)
	if rep.status != http.StatusSeeOther || len(r.fake.runs) != 1 {
		t.Fatalf("launch: %d, runs %v\n%s", rep.status, r.fake.runs, rep.body)
	}
	got := r.fake.runs[0]
	if got.GetMinCount() != 2 || got.GetMaxCount() != 2 || got.GetTagSpecifications()[0].GetTags()[0].GetValue() != "web one" ||
		string(got.GetUserData()) != "#!/bin/sh\necho it's me" || len(got.GetSecurityGroupIds()) != 2 {
		t.Errorf("RunInstances request %v", got)
	}
}

// TestSerialWebsocket: the serial websocket needs a session and the page's
// own Origin; it then relays the console both ways as the signed-in
// account.
func TestSerialWebsocket(t *testing.T) {
	r := newRig(t, false)
	c := r.signIn(t, key2)
	u := "ws" + strings.TrimPrefix(r.srv.URL, "http") + "/console/instances/i-0second00000000/serial"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hdr := func(origin string, ck *http.Cookie) *websocket.DialOptions {
		h := http.Header{"Origin": {origin}}
		if ck != nil {
			h.Set("Cookie", ck.String())
		}
		return &websocket.DialOptions{HTTPHeader: h}
	}
	if _, resp, err := websocket.Dial(ctx, u, hdr(r.srv.URL, nil)); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("websocket without a session: %v %v", resp, err)
	}
	if _, resp, err := websocket.Dial(ctx, u, hdr("http://evil.example", c)); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("websocket from another origin: %v %v", resp, err)
	}
	ws, _, err := websocket.Dial(ctx, u, hdr(r.srv.URL, c))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	_, b, err := ws.Read(ctx)
	if err != nil || string(b) != "console of i-0second00000000 for 222222222222\n" {
		t.Fatalf("greeting %q, %v", b, err)
	}
	if err := ws.Write(ctx, websocket.MessageBinary, []byte("uname\r")); err != nil {
		t.Fatal(err)
	}
	if _, b, err = ws.Read(ctx); err != nil || string(b) != "uname\r" {
		t.Fatalf("echo %q, %v", b, err)
	}
	// a console the Compute refuses closes with its EC2 code and message
	stopped, _, err := websocket.Dial(ctx, strings.Replace(u, "i-0second00000000", "i-0stopped", 1), hdr(r.srv.URL, c))
	if err != nil {
		t.Fatal(err)
	}
	defer stopped.CloseNow()
	_, _, err = stopped.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation ||
		ce.Reason != "IncorrectInstanceState: The instance 'i-0stopped' is not running." {
		t.Fatalf("console of a stopped instance: %v", err)
	}
}

// TestCrossOrigin: a POST whose Origin is another site is refused, the
// sign-in form's included; the console's own origin is admitted.
func TestCrossOrigin(t *testing.T) {
	r := newRig(t, false)
	good := url.Values{"access_key_id": {key1.AccessKeyID}, "secret_access_key": {key1.SecretAccessKey}}
	if rep := r.doOrigin(t, http.MethodPost, "/console/signin", good, nil, "http://evil.example"); rep.status != http.StatusForbidden || rep.cookie != nil {
		t.Fatalf("cross-origin sign-in: %d, cookie %v", rep.status, rep.cookie)
	}
	rep := r.doOrigin(t, http.MethodPost, "/console/signin", good, nil, r.srv.URL)
	if rep.status != http.StatusSeeOther || rep.cookie == nil {
		t.Fatalf("same-origin sign-in: %d", rep.status)
	}
	tok := r.csrf(t, rep.cookie)
	stop := url.Values{"csrf": {tok}}
	if rep := r.doOrigin(t, http.MethodPost, "/console/instances/i-0first000000000/stop", stop, rep.cookie, "http://evil.example"); rep.status != http.StatusForbidden || len(r.fake.stopped) != 0 {
		t.Fatalf("cross-origin stop with the token: %d, stopped %v", rep.status, r.fake.stopped)
	}
}

// TestVolumesAndTables: the volumes page lists the account's volumes and
// creates one (its EC2 error shown on failure); Hosts is the admin's page
// only; the instance detail page shows the instance.
func TestVolumesAndTables(t *testing.T) {
	r := newRig(t, false)
	c1, c2 := r.signIn(t, key1), r.signIn(t, key2)
	rep := r.do(t, http.MethodGet, "/console/volumes", nil, c2)
	if rep.status != http.StatusOK || !strings.Contains(rep.body, "vol-0of222222222222") || strings.Contains(rep.body, "vol-0of111111111111") {
		t.Fatalf("account 2's volumes: %d\n%s", rep.status, rep.body)
	}
	tok := r.csrf(t, c2)
	rep = r.do(t, http.MethodPost, "/console/volumes", url.Values{"csrf": {tok}, "zone": {"lab-1a"}, "size": {"0"}}, c2)
	if rep.status != http.StatusBadRequest || !strings.Contains(rep.body, "InvalidParameterValue") {
		t.Errorf("a 0 GiB volume: %d\n%s", rep.status, rep.body)
	}
	rep = r.do(t, http.MethodPost, "/console/volumes", url.Values{"csrf": {tok}, "zone": {"lab-1a"}, "size": {"2"}, "name": {"data"}}, c2)
	if rep.status != http.StatusSeeOther || len(r.fake.volumes) != 1 || r.fake.volumes[0].GetSize() != 2 {
		t.Errorf("create volume: %d, %v", rep.status, r.fake.volumes)
	}
	if rep := r.do(t, http.MethodGet, "/console/hosts", nil, c2); rep.status != http.StatusForbidden {
		t.Errorf("hosts for a tenant: %d, want 403", rep.status)
	}
	if rep := r.do(t, http.MethodGet, "/console/instances", nil, c2); strings.Contains(rep.body, "/console/hosts") {
		t.Errorf("a tenant's nav links Hosts")
	}
	if rep := r.do(t, http.MethodGet, "/console/hosts", nil, c1); rep.status != http.StatusOK || !strings.Contains(rep.body, "h-lab-1a") ||
		!strings.Contains(rep.body, `<meter min="0" max="8" value="2"`) || !strings.Contains(rep.body, "2/8") {
		t.Errorf("hosts for the admin: %d\n%s", rep.status, rep.body)
	}
	if rep := r.do(t, http.MethodGet, "/console/instances/i-0first000000000", nil, c1); rep.status != http.StatusOK ||
		!strings.Contains(rep.body, "Instance i-0first000000000") || !strings.Contains(rep.body, "t3.nano") {
		t.Errorf("detail page: %d\n%s", rep.status, rep.body)
	}
}

// TestSecurityGroupsKeyPairsImages: the security groups page lists rules
// and adds and revokes them; a new key pair's private key comes back once,
// as a download (a duplicate name shows EC2's error); the detail page's
// form creates an image.
func TestSecurityGroupsKeyPairsImages(t *testing.T) {
	r := newRig(t, false)
	c := r.signIn(t, key2)
	tok := r.csrf(t, c)
	rep := r.do(t, http.MethodGet, "/console/security-groups", nil, c)
	for _, want := range []string{"sg-1 default", "sgr-in", "sgr-out", "0.0.0.0/0", "Add rule"} {
		if !strings.Contains(rep.body, want) {
			t.Errorf("security groups page lacks %q", want)
		}
	}
	rep = r.do(t, http.MethodPost, "/console/security-groups/sg-1/authorize", url.Values{"csrf": {tok}, "direction": {"inbound"},
		"protocol": {"tcp"}, "ports": {"22"}, "source": {"10.0.0.0/8"}}, c)
	if rep.status != http.StatusSeeOther {
		t.Errorf("authorize: %d\n%s", rep.status, rep.body)
	}
	rep = r.do(t, http.MethodPost, "/console/security-groups/sg-1/authorize", url.Values{"csrf": {tok}, "protocol": {"tcp"},
		"ports": {"twenty"}, "source": {"10.0.0.0/8"}}, c)
	if rep.status != http.StatusBadRequest || !strings.Contains(rep.body, "InvalidParameterValue") {
		t.Errorf("a bad port: %d", rep.status)
	}
	r.do(t, http.MethodPost, "/console/security-groups/sg-1/revoke", url.Values{"csrf": {tok}, "rule_id": {"sgr-out"}, "egress": {"true"}}, c)
	rep = r.do(t, http.MethodPost, "/console/key-pairs", url.Values{"csrf": {tok}, "name": {"lab"}, "type": {"ed25519"}}, c)
	if rep.status != http.StatusOK || rep.header.Get("Content-Disposition") != `attachment; filename="lab.pem"` ||
		!strings.HasPrefix(rep.body, "-----BEGIN OPENSSH PRIVATE KEY-----") || rep.header.Get("Cache-Control") != "no-store" {
		t.Errorf("create key pair: %d %v\n%s", rep.status, rep.header, rep.body)
	}
	rep = r.do(t, http.MethodGet, "/console/key-pairs", nil, c)
	if !strings.Contains(rep.body, `name="name" value="team/ops"`) {
		t.Errorf("key pairs page:\n%s", rep.body)
	}
	if rep := r.do(t, http.MethodPost, "/console/key-pairs/delete", url.Values{"csrf": {tok}, "name": {"team/ops"}}, c); rep.status != http.StatusSeeOther {
		t.Errorf("delete key pair: %d", rep.status)
	}
	rep = r.do(t, http.MethodPost, "/console/key-pairs", url.Values{"csrf": {tok}, "name": {"taken"}}, c)
	if rep.status != http.StatusBadRequest || !strings.Contains(rep.body, "InvalidKeyPair.Duplicate") {
		t.Errorf("a duplicate key pair: %d\n%s", rep.status, rep.body)
	}
	rep = r.do(t, http.MethodGet, "/console/instances/i-0second00000000", nil, c)
	if !strings.Contains(rep.body, `name="group_ids" value="sg-1" checked`) {
		t.Errorf("detail page's group form:\n%s", rep.body)
	}
	rep = r.do(t, http.MethodPost, "/console/instances/i-0second00000000/groups", url.Values{"csrf": {tok}, "group_ids": {"sg-1", "sg-2"}}, c)
	if rep.status != http.StatusSeeOther {
		t.Errorf("change groups: %d\n%s", rep.status, rep.body)
	}
	rep = r.do(t, http.MethodPost, "/console/instances/i-0second00000000/image", url.Values{"csrf": {tok}, "name": {"golden"}}, c)
	if rep.status != http.StatusSeeOther || !strings.Contains(rep.header.Get("Location"), "ami-0new") {
		t.Errorf("create image: %d %s", rep.status, rep.header.Get("Location"))
	}
	want := []string{"222222222222 authorize-ingress sg-1 tcp 22-22 10.0.0.0/8", "222222222222 revoke-egress sg-1 sgr-out",
		"222222222222 create-key-pair lab", "222222222222 delete-key-pair team/ops", "222222222222 modify-groups i-0second00000000 sg-1,sg-2",
		"222222222222 create-image i-0second00000000 golden"}
	if strings.Join(r.fake.calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(r.fake.calls, "\n"), strings.Join(want, "\n"))
	}
}

// TestImageSnapshotZoneTables: the images table offers launch (the wizard
// then has that image chosen) and, for the owner only, deregister; a
// completed snapshot makes a volume in the chosen zone; regions and zones
// are listed.
func TestImageSnapshotZoneTables(t *testing.T) {
	r := newRig(t, false)
	c1, c2 := r.signIn(t, key1), r.signIn(t, key2)
	if rep := r.do(t, http.MethodGet, "/console/images", nil, c1); !strings.Contains(rep.body, `href="/console/launch?image_id=ami-0tiny"`) ||
		strings.Contains(rep.body, "/deregister") {
		t.Errorf("images for a non-owner:\n%s", rep.body)
	}
	if rep := r.do(t, http.MethodGet, "/console/images", nil, c2); !strings.Contains(rep.body, `/console/images/ami-0tiny/deregister`) {
		t.Errorf("images for the owner lack deregister:\n%s", rep.body)
	}
	if rep := r.do(t, http.MethodGet, "/console/launch?image_id=ami-0tiny", nil, c2); !strings.Contains(rep.body, `<option value="ami-0tiny" selected>`) {
		t.Errorf("the wizard from a launch link:\n%s", rep.body)
	}
	tok := r.csrf(t, c2)
	if rep := r.do(t, http.MethodPost, "/console/images/ami-0tiny/deregister", url.Values{"csrf": {tok}}, c2); rep.status != http.StatusSeeOther {
		t.Errorf("deregister: %d\n%s", rep.status, rep.body)
	}
	rep := r.do(t, http.MethodPost, "/console/snapshots/snap-1/volume", url.Values{"csrf": {tok}, "zone": {"lab-1a"}}, c2)
	if rep.status != http.StatusSeeOther || !strings.Contains(rep.header.Get("Location"), "vol-0fromsnap") {
		t.Errorf("volume from snapshot: %d %s", rep.status, rep.header.Get("Location"))
	}
	if rep := r.do(t, http.MethodGet, "/console/zones", nil, c2); !strings.Contains(rep.body, "lab-1a") || !strings.Contains(rep.body, "http://lab-1") {
		t.Errorf("zones page:\n%s", rep.body)
	}
	want := "222222222222 deregister ami-0tiny\n222222222222 create-volume snap-1 lab-1a"
	if got := strings.Join(r.fake.calls, "\n"); got != want {
		t.Errorf("calls:\n%s\nwant:\n%s", got, want)
	}
}

// TestInstancesSortAndFilter: the table sorts by a column both ways
// (aria-sort says which) and keeps only rows matching the filter.
func TestInstancesSortAndFilter(t *testing.T) {
	r := newRig(t, false)
	c := r.signIn(t, key1)
	order := func(path string) string {
		t.Helper()
		body := r.do(t, http.MethodGet, path, nil, c).body
		return strings.Join(regexp.MustCompile(`id="row-(i-[0-9a-z]+)"`).FindAllString(body, -1), " ")
	}
	if got := order("/console/instances/table?sort=state"); got != `id="row-i-0third000000000" id="row-i-0first000000000"` {
		t.Errorf("by state: %s", got)
	}
	if got := order("/console/instances/table?sort=state&desc=1"); got != `id="row-i-0first000000000" id="row-i-0third000000000"` {
		t.Errorf("by state, descending: %s", got)
	}
	if got := order("/console/instances/table?q=WEB"); got != `id="row-i-0third000000000"` {
		t.Errorf("filtered by name: %s", got)
	}
	// the state counts are of all instances, whatever the filter
	if body := r.do(t, http.MethodGet, "/console/instances/table?q=WEB", nil, c).body; !strings.Contains(body,
		`<li class="state-pending"><strong>1</strong> pending</li><li class="state-running"><strong>1</strong> running</li>`) {
		t.Errorf("state counts:\n%s", body)
	}
	body := r.do(t, http.MethodGet, "/console/instances?sort=type", nil, c).body
	if !strings.Contains(body, `aria-sort="ascending"><a href="/console/instances?desc=1&amp;sort=type">Type</a>`) ||
		!strings.Contains(body, `hx-get="/console/instances/table?sort=type"`) {
		t.Errorf("sorted page's headers and polling:\n%s", body)
	}
}
