package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/coder/websocket"
	"google.golang.org/grpc/metadata"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// serialView is the serial console page's data.
type serialView struct {
	ID, Output string
}

// serialPage is an instance's serial console (xterm.js over serialSocket)
// and its console output log.
func (h *Handler) serialPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := h.baseView(r, "Serial console of "+id, "instances")
	out, err := h.output(r.Context(), id)
	if err != nil {
		v.Error = errorOf(err)
	}
	v.Data = serialView{ID: id, Output: out}
	h.pages.render(w, r, http.StatusOK, "serial", v)
}

// consoleOutput is the console log fragment (GetConsoleOutput).
func (h *Handler) consoleOutput(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := h.baseView(r, "", "instances")
	out, err := h.output(r.Context(), id)
	if err != nil {
		v.Error = errorOf(err)
	}
	v.Data = serialView{ID: id, Output: out}
	h.pages.renderTemplate(w, http.StatusOK, "serial", "output", v)
}

// output is instance id's console output log.
func (h *Handler) output(ctx context.Context, id string) (string, error) {
	res, err := h.compute.GetConsoleOutput(ctx, &v1.GetConsoleOutputRequest{InstanceId: id, Latest: true})
	if err != nil {
		return "", fmt.Errorf("console output of %s: %w", id, err)
	}
	return string(res.GetOutput()), nil
}

// serialSocket bridges a websocket to the instance's live serial console
// (Compute.StreamConsole, as ec2ctl console uses it): binary frames carry
// bytes both ways. The session cookie was checked by authed; the websocket
// library refuses an Origin other than the page's own host.
func (h *Handler) serialSocket(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	// Accept hijacks the connection, which clears the HTTP server's read
	// and write deadlines; it refuses an Origin other than the Host.
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		h.log.Info("console: serial websocket refused", "instance", id, "err", err)
		return
	}
	defer ws.CloseNow()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	s := &wsConsole{ctx: ctx, cancel: cancel, ws: ws, id: id}
	err = h.compute.StreamConsole(s)
	if err != nil {
		h.log.Info("console: serial console ended", "instance", id, "err", err)
		_ = ws.Close(websocket.StatusPolicyViolation, truncate(errorOf(err).Code+": "+errorOf(err).Message, 120))
		return
	}
	_ = ws.Close(websocket.StatusNormalClosure, "console closed")
}

// truncate cuts s to n bytes (a websocket close reason is at most 123).
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// wsConsole is the server side of a StreamConsole call whose client is a
// websocket: the first Recv names the instance, later ones carry what the
// browser typed; Send writes console bytes to the browser.
type wsConsole struct {
	ctx    context.Context
	cancel context.CancelFunc // ends the console session when the browser goes
	ws     *websocket.Conn
	id     string
	first  bool
}

// Recv implements v1.Compute_StreamConsoleServer.
func (s *wsConsole) Recv() (*v1.ConsoleInput, error) {
	if !s.first {
		s.first = true
		return &v1.ConsoleInput{InstanceId: s.id}, nil
	}
	_, data, err := s.ws.Read(s.ctx)
	if err != nil {
		s.cancel()
		if websocket.CloseStatus(err) != -1 || errors.Is(err, context.Canceled) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("read websocket: %w", err)
	}
	return &v1.ConsoleInput{Data: data}, nil
}

// Send implements v1.Compute_StreamConsoleServer.
func (s *wsConsole) Send(c *v1.ConsoleChunk) error {
	if err := s.ws.Write(s.ctx, websocket.MessageBinary, c.GetData()); err != nil {
		return fmt.Errorf("write websocket: %w", err)
	}
	return nil
}

// Context carries the signed-in key, as the gRPC authenticator's would.
func (s *wsConsole) Context() context.Context { return s.ctx }

// SetHeader, SendHeader and SetTrailer have no websocket counterpart.
func (s *wsConsole) SetHeader(metadata.MD) error  { return nil }
func (s *wsConsole) SendHeader(metadata.MD) error { return nil }
func (s *wsConsole) SetTrailer(metadata.MD)       {}

// SendMsg and RecvMsg are Send and Recv for the generic stream interface.
func (s *wsConsole) SendMsg(m any) error {
	c, ok := m.(*v1.ConsoleChunk)
	if !ok {
		return fmt.Errorf("console stream: cannot send %T", m)
	}
	return s.Send(c)
}

// RecvMsg receives into m, which must be a *v1.ConsoleInput.
func (s *wsConsole) RecvMsg(m any) error {
	in, ok := m.(*v1.ConsoleInput)
	if !ok {
		return fmt.Errorf("console stream: cannot receive into %T", m)
	}
	got, err := s.Recv()
	if err != nil {
		return err
	}
	in.InstanceId, in.Data = got.GetInstanceId(), got.GetData()
	return nil
}
