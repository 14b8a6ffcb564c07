package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ec2lab/ec2lab/pkg/auth"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// echoConsole is a Compute whose StreamConsole echoes what it receives.
type echoConsole struct{ regions }

func (echoConsole) StreamConsole(s v1.Compute_StreamConsoleServer) error {
	for {
		in, err := s.Recv()
		if err != nil {
			return nil
		}
		if len(in.GetData()) == 0 { // the first message names the instance
			continue
		}
		if err := s.Send(&v1.ConsoleChunk{Data: in.GetData()}); err != nil {
			return err
		}
	}
}

// TestConsoleConnectionAuthenticated: the serial console's websocket of a
// signed-in session outlives the grace ec2d gives unauthenticated
// connections, because a live session authenticates its connection, and
// the HTTP server's read and write timeouts.
func TestConsoleConnectionAuthenticated(t *testing.T) {
	k := auth.Key{AccessKeyID: "AKIAEXAMPLE000000001", SecretAccessKey: "secret-1", AccountID: "123456789012"}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	lim := newConnLimiter(10, 10, log)
	lim.grace = 300 * time.Millisecond
	hs := newHTTPServer(NewHTTPHandler(echoConsole{}, auth.StaticKeys{k.AccessKeyID: k}, log, "lab-1"), log)
	hs.ConnContext = lim.connContext
	hs.ReadTimeout, hs.WriteTimeout = time.Second, time.Second // the websocket must outlive these too
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = hs.Serve(lim.Listener(ln)) }()
	defer hs.Close()
	base := "http://" + ln.Addr().String()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/console/signin", url.Values{"access_key_id": {k.AccessKeyID}, "secret_access_key": {k.SecretAccessKey}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(resp.Cookies()) != 1 {
		t.Fatalf("sign-in: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/console/instances/i-1/serial",
		&websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {resp.Cookies()[0].String()}, "Origin": {base}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	time.Sleep(1500 * time.Millisecond)
	if err := ws.Write(ctx, websocket.MessageBinary, []byte("still there?")); err != nil {
		t.Fatalf("write after the grace: %v", err)
	}
	if _, b, err := ws.Read(ctx); err != nil || string(b) != "still there?" {
		t.Fatalf("echo after the grace: %q, %v", b, err)
	}
}
