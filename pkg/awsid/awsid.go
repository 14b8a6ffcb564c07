// Package awsid answers the identity calls that tools make before they
// touch EC2, on ec2d's HTTP listener: STS GetCallerIdentity (SigV4 service
// "sts") and IAM GetUser (service "iam"), for the caller's own access key.
// Terraform's AWS provider, Ansible's amazon.aws modules and many scripts
// find the account ID this way.
//
// ec2lab has no IAM: an access key belongs to an account, so the caller is
// presented as an IAM user named after its access key ID
// (arn:aws:iam::ACCOUNT:user/AKID, user ID "AIDA" + the key's suffix).
// ec2lab records no creation time for keys, so GetUser's CreateDate, which
// the IAM shape requires, is the fixed keyEpoch.
package awsid

import (
	"encoding/xml"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2query"
)

// Services are the SigV4 services this package answers.
var Services = []string{"sts", "iam"}

// maxBody bounds a request body (these calls carry a few parameters).
const maxBody = 64 << 10

// keyEpoch is the CreateDate reported for every key (see the package doc).
const keyEpoch = "2026-01-01T00:00:00Z"

// CodeNoSuchEntity is IAM's answer for a user that does not exist.
const CodeNoSuchEntity = "NoSuchEntity"

// Handler serves the identity calls of one SigV4 service.
type Handler struct {
	service string
	keys    auth.KeyStore
	log     *slog.Logger
	now     func() time.Time
}

// NewHandler answers the identity calls of service ("sts" or "iam").
func NewHandler(service string, keys auth.KeyStore, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	return &Handler{service: service, keys: keys, log: log, now: time.Now}
}

// namespaces are the XML namespaces of each service's responses.
var namespaces = map[string]string{
	"sts": "https://sts.amazonaws.com/doc/2011-06-15/",
	"iam": "https://iam.amazonaws.com/doc/2010-05-08/",
}

// versions are the API versions each service's callers send.
var versions = map[string]string{"sts": "2011-06-15", "iam": "2010-05-08"}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := ec2query.NewRequestID()
	action, result, err := h.serve(r)
	code := "Success"
	if err != nil {
		code = ec2err.Code(err)
		h.writeError(w, reqID, err)
	} else {
		h.writeResult(w, reqID, action, result)
	}
	h.log.Info("identity request", "service", h.service, "action", action, "code", code, "request_id", reqID)
}

func (h *Handler) serve(r *http.Request) (string, any, error) {
	opts := auth.SigV4Options{Service: h.service}
	if err := opts.Precheck(r.Context(), r, h.keys, h.now()); err != nil { // before the body is read
		return "", nil, err
	}
	raw, vals, err := ec2query.ReadParams(r, maxBody)
	if err != nil {
		return "", nil, err
	}
	res, err := opts.Verify(r.Context(), r, raw, h.keys, h.now())
	if err != nil {
		return "", nil, err
	}
	auth.ConnAuthenticated(r.Context())
	action := vals.Get("Action")
	if v := vals.Get("Version"); v != "" && v != versions[h.service] {
		return action, nil, ec2err.New(ec2err.InvalidParameterValue, "Version %q is not supported by %s; use %s", v, h.service, versions[h.service])
	}
	result, err := h.answer(action, vals.Get("UserName"), res.Key)
	return action, result, err
}

// answer is the result element of action for the caller k.
func (h *Handler) answer(action, userName string, k auth.Key) (any, error) {
	id := identityOf(k)
	switch {
	case h.service == "sts" && action == "GetCallerIdentity":
		return getCallerIdentityResult{Arn: id.arn, UserID: id.userID, Account: k.AccountID}, nil
	case h.service == "iam" && action == "GetUser":
		if userName != "" && userName != id.name {
			return nil, ec2err.New(CodeNoSuchEntity, "The user with name %s cannot be found.", userName)
		}
		return getUserResult{User: iamUser{Path: "/", UserName: id.name, UserID: id.userID, Arn: id.arn,
			CreateDate: keyEpoch}}, nil
	case action == "":
		return nil, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter Action")
	}
	return nil, ec2err.New(ec2err.InvalidAction, "Could not find operation %s for version %s (ec2lab answers %s here)",
		action, versions[h.service], map[string]string{"sts": "GetCallerIdentity", "iam": "GetUser"}[h.service])
}

type identity struct{ name, userID, arn string }

// identityOf presents an access key as the IAM user ec2lab reports.
func identityOf(k auth.Key) identity {
	suffix := strings.TrimPrefix(k.AccessKeyID, "AKIA")
	return identity{name: k.AccessKeyID, userID: "AIDA" + suffix,
		arn: "arn:aws:iam::" + k.AccountID + ":user/" + k.AccessKeyID}
}

type getCallerIdentityResult struct {
	XMLName xml.Name `xml:"GetCallerIdentityResult"`
	Arn     string   `xml:"Arn"`
	UserID  string   `xml:"UserId"`
	Account string   `xml:"Account"`
}

type getUserResult struct {
	XMLName xml.Name `xml:"GetUserResult"`
	User    iamUser  `xml:"User"`
}

type iamUser struct {
	Path       string `xml:"Path"`
	UserName   string `xml:"UserName"`
	UserID     string `xml:"UserId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

// response is the query protocol's envelope: <ActionResponse> holding the
// result element (named by the result's XMLName) and the request ID.
type response struct {
	XMLName   xml.Name
	Xmlns     string `xml:"xmlns,attr"`
	Result    any
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

func (h *Handler) writeResult(w http.ResponseWriter, reqID, action string, result any) {
	WriteResult(w, namespaces[h.service], reqID, action, result)
}

// WriteResult answers a query-protocol call (STS, IAM, Auto Scaling): the
// <ActionResponse> envelope in namespace ns holding result.
func WriteResult(w http.ResponseWriter, ns, reqID, action string, result any) {
	doc := response{Xmlns: ns, Result: result, RequestID: reqID}
	doc.XMLName.Local = action + "Response"
	write(w, http.StatusOK, doc)
}

// errorResponse is the query protocol's error document (STS, IAM).
type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

func (h *Handler) writeError(w http.ResponseWriter, reqID string, err error) {
	e, ok := ec2err.As(err)
	if !ok {
		h.log.Error("identity request failed", "service", h.service, "err", err)
		e = ec2err.New(ec2err.InternalError, "An internal error has occurred")
	}
	status := ec2query.HTTPStatus(e.Code)
	if e.Code == CodeNoSuchEntity {
		status = http.StatusNotFound
	}
	WriteError(w, namespaces[h.service], reqID, status, e)
}

// WriteError answers a query-protocol call with e's code and message in
// namespace ns: a Sender error, a Receiver one from status 500 on.
func WriteError(w http.ResponseWriter, ns, reqID string, status int, e *ec2err.Error) {
	var doc errorResponse
	doc.Xmlns, doc.RequestID = ns, reqID
	doc.Error.Type, doc.Error.Code, doc.Error.Message = "Sender", e.Code, e.Message
	if status >= 500 {
		doc.Error.Type = "Receiver"
	}
	write(w, status, doc)
}

func write(w http.ResponseWriter, status int, doc any) {
	b, err := xml.Marshal(doc)
	if err != nil {
		http.Error(w, "encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(append([]byte(xml.Header), b...))
}
