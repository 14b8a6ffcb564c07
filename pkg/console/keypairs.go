package console

import (
	"fmt"
	"net/http"
	"regexp"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// keyPairRoutes registers the key pairs page and its forms.
func (h *Handler) keyPairRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /console/key-pairs", h.authed(h.keyPairsPage))
	m.HandleFunc("POST /console/key-pairs", h.authed(h.createKeyPair))
	m.HandleFunc("POST /console/key-pairs/import", h.authed(h.importKeyPair))
	m.HandleFunc("POST /console/key-pairs/delete", h.authed(h.deleteKeyPair))
}

// keyPairsPage lists the key pairs with forms to create, import and delete.
func (h *Handler) keyPairsPage(w http.ResponseWriter, r *http.Request) {
	v := h.baseView(r, "Key pairs", "key-pairs")
	v.Notice = doneNotice(r)
	h.renderKeyPairs(w, r, http.StatusOK, v)
}

// renderKeyPairs renders the page with v's messages.
func (h *Handler) renderKeyPairs(w http.ResponseWriter, r *http.Request, status int, v view) {
	res, err := h.compute.DescribeKeyPairs(r.Context(), &v1.DescribeKeyPairsRequest{})
	if err != nil && v.Error == nil {
		v.Error, status = errorOf(fmt.Errorf("describe key pairs: %w", err)), http.StatusInternalServerError
	}
	v.Data = res.GetKeyPairs()
	h.pages.render(w, r, status, "keypairs", v)
}

// safeFileName is what a key's name may be to name the download as is.
var safeFileName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// createKeyPair makes a key pair and answers its private key as a
// download, the only time anyone sees it: the console keeps no copy.
func (h *Handler) createKeyPair(w http.ResponseWriter, r *http.Request) {
	kp, err := h.compute.CreateKeyPair(r.Context(), &v1.CreateKeyPairRequest{KeyName: r.PostFormValue("name"),
		KeyType: r.PostFormValue("type")})
	if err != nil {
		v := h.baseView(r, "Key pairs", "key-pairs")
		v.Error = errorOf(err)
		h.renderKeyPairs(w, r, statusOf(v.Error), v)
		return
	}
	file := "key.pem"
	if safeFileName.MatchString(kp.GetKeyName()) {
		file = kp.GetKeyName() + ".pem"
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(kp.GetKeyMaterial()))
}

// importKeyPair imports a public key from the page's form.
func (h *Handler) importKeyPair(w http.ResponseWriter, r *http.Request) {
	name := r.PostFormValue("name")
	_, err := h.compute.ImportKeyPair(r.Context(), &v1.ImportKeyPairRequest{KeyName: name,
		PublicKeyMaterial: []byte(r.PostFormValue("public_key"))})
	h.afterKeyPair(w, r, "import", name, err)
}

// deleteKeyPair deletes one key pair by name (a form field: names may hold
// a slash).
func (h *Handler) deleteKeyPair(w http.ResponseWriter, r *http.Request) {
	name := r.PostFormValue("name")
	_, err := h.compute.DeleteKeyPair(r.Context(), &v1.DeleteKeyPairRequest{KeyName: name})
	h.afterKeyPair(w, r, "delete", name, err)
}

// afterKeyPair shows an action's error or goes back to the page.
func (h *Handler) afterKeyPair(w http.ResponseWriter, r *http.Request, act, name string, err error) {
	if err != nil {
		v := h.baseView(r, "Key pairs", "key-pairs")
		v.Error = errorOf(err)
		h.renderKeyPairs(w, r, statusOf(v.Error), v)
		return
	}
	redirectDone(w, r, "key-pairs", act, name)
}
