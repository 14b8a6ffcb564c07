package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// staticHandler serves the embedded CSS and JavaScript under
// /console/static/.
func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	fsrv := http.StripPrefix(Prefix+"static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

// view is what every page template gets: the layout's fields and the
// page's own Data.
type view struct {
	Title   string
	Nav     string // the nav entry to mark current
	Region  string
	Account string
	KeyID   string
	Admin   bool
	CSRF    string
	Error   *uiError
	Notice  string
	Data    any
}

// uiError is a failed action as the APIs would answer it.
type uiError struct{ Code, Message string }

// errorOf is err's EC2 code and message (InternalError when it has none).
func errorOf(err error) *uiError {
	if e, ok := ec2err.As(err); ok {
		return &uiError{Code: e.Code, Message: e.Message}
	}
	if st, ok := status.FromError(err); ok && st.Code() != 0 {
		return &uiError{Code: ec2err.InternalError, Message: st.Message()}
	}
	return &uiError{Code: ec2err.InternalError, Message: err.Error()}
}

// statusOf is the HTTP status a failed action answers with.
func statusOf(e *uiError) int {
	if e.Code == ec2err.InternalError {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// pages are the parsed templates, one set per page, each sharing
// layout.html and parts.html.
type pages struct{ byName map[string]*template.Template }

var pageNames = []string{"signin", "instances", "instance", "launch", "serial", "volumes", "table", "secgroups", "keypairs", "hosts", "network"}

// mustParsePages parses the embedded templates (a broken one panics at
// start, not at the first request).
func mustParsePages() *pages {
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html"))
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range pageNames {
		t := template.Must(base.Clone())
		p.byName[n] = template.Must(t.ParseFS(templateFS, "templates/"+n+".html"))
	}
	return p
}

// render executes page's layout (or, for htmx requests asking for a
// fragment, the named fragment) into w with status.
func (p *pages) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	p.renderTemplate(w, status, page, "layout", v)
}

// renderTemplate executes one named template of page; a failure answers 500
// without a half-written page.
func (p *pages) renderTemplate(w http.ResponseWriter, status int, page, name string, v view) {
	var buf bytes.Buffer
	if err := p.byName[page].ExecuteTemplate(&buf, name, v); err != nil {
		http.Error(w, fmt.Sprintf("render %s/%s: %v", page, name, err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// baseView is the layout data of the signed-in request r.
func (h *Handler) baseView(r *http.Request, title, nav string) view {
	s := current(r.Context())
	return view{Title: title, Nav: nav, Region: h.region, Account: s.key.AccountID, KeyID: s.key.AccessKeyID,
		Admin: s.key.Admin, CSRF: s.session.csrf}
}

var funcs = template.FuncMap{
	"tag":         tagValue,
	"when":        when,
	"join":        strings.Join,
	"lower":       strings.ToLower,
	"has":         slices.Contains[[]string],
	"sortColumns": func() []sortColumn { return sortColumns },
	"gpusUsed":    func(h *v1.Host) int32 { return h.GetGpus() - h.GetGpusFree() },
}

// tagValue is the value of tag key in tags ("" when absent).
func tagValue(tags []*v1.Tag, key string) string {
	for _, t := range tags {
		if t.GetKey() == key {
			return t.GetValue()
		}
	}
	return ""
}

// when formats a timestamp in UTC to the second ("" when unset).
func when(ts *timestamppb.Timestamp) string {
	if ts == nil || !ts.IsValid() || ts.AsTime().IsZero() {
		return ""
	}
	return ts.AsTime().UTC().Format(time.DateTime)
}

// doneNotice is the notice of a page an action redirected to
// (redirectDone): "ACTION requested for ID." ("" when none).
func doneNotice(r *http.Request) string {
	id, act := r.URL.Query().Get("id"), r.URL.Query().Get("done")
	if id == "" || act == "" {
		return ""
	}
	return fmt.Sprintf("%s requested for %s.", act, id)
}

// redirectDone sends the browser back to page after action act on id
// (POST, redirect, GET: a reload does not repeat it).
func redirectDone(w http.ResponseWriter, r *http.Request, page, act, id string) {
	q := url.Values{"done": {act}, "id": {id}}
	http.Redirect(w, r, Prefix+page+"?"+q.Encode(), http.StatusSeeOther)
}

// sortColumn is a sortable column of the instances table.
type sortColumn struct{ Key, Label string }

// sortColumns are the instances table's columns, in order.
var sortColumns = []sortColumn{{"id", "Instance ID"}, {"name", "Name"}, {"state", "State"}, {"type", "Type"}, {"zone", "Zone"},
	{"private", "Private IP"}, {"public", "Public IP"}, {"launched", "Launched (UTC)"}}
