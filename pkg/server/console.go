package server

import (
	"net/http"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/console"
)

// browserToConsole sends a browser's plain GET / (HTML accepted, no query,
// no credentials) to the management console; every other request,
// each EC2, STS, IAM and Auto Scaling client's included, reaches next
// unchanged.
func browserToConsole(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/" && r.URL.RawQuery == "" &&
			r.Header.Get("Authorization") == "" && strings.Contains(r.Header.Get("Accept"), "text/html") {
			http.Redirect(w, r, console.Prefix, http.StatusFound)
			return
		}
		next.ServeHTTP(w, r)
	})
}
