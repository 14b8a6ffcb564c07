package ec2query

import (
	"bytes"
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"

	"google.golang.org/protobuf/types/known/timestamppb"
)

// Namespace is the XML namespace of every EC2 2016-11-15 response.
const Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

// APIVersion is the Query API version this package speaks.
const APIVersion = "2016-11-15"

// timeFormat is how EC2 writes times: RFC 3339, UTC, milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z"

// meta is embedded first in every response body; it holds requestId.
type meta struct {
	RequestID string `xml:"requestId"`
}

func (m *meta) setRequestID(id string) { m.RequestID = id }

// body is a response body: a struct embedding meta whose other fields are
// the children of <ActionResponse>.
type body interface{ setRequestID(string) }

// returnBody is the answer of actions that only say they worked.
type returnBody struct {
	meta
	Return bool `xml:"return"`
}

func returnTrue() body { return &returnBody{Return: true} }

// marshalResponse renders b as <{action}Response xmlns=…>.
func marshalResponse(action, requestID string, b body) ([]byte, error) {
	b.setRequestID(requestID)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{Name: xml.Name{Space: Namespace, Local: action + "Response"}}
	if err := enc.EncodeElement(b, start); err != nil {
		return nil, fmt.Errorf("encode %s response: %w", action, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode %s response: %w", action, err)
	}
	return buf.Bytes(), nil
}

// errorResponse is EC2's error document (root Response, RequestID).
type errorResponse struct {
	XMLName   xml.Name   `xml:"Response"`
	Errors    []xmlError `xml:"Errors>Error"`
	RequestID string     `xml:"RequestID"`
}

type xmlError struct {
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

func marshalError(code, message, requestID string) []byte {
	out, err := xml.Marshal(errorResponse{Errors: []xmlError{{code, message}}, RequestID: requestID})
	if err != nil { // cannot happen for two strings; keep a valid document anyway
		out = []byte("<Response><Errors><Error><Code>InternalError</Code><Message></Message></Error></Errors><RequestID></RequestID></Response>")
	}
	return append([]byte(xml.Header), out...)
}

func writeXML(w http.ResponseWriter, status int, doc []byte) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
	w.WriteHeader(status)
	w.Write(doc)
}

// NewRequestID returns a random (version 4) UUID, as AWS request IDs are.
func NewRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// xmlTime formats t as EC2 does; a missing time is "" (element omitted).
func xmlTime(t *timestamppb.Timestamp) string {
	if t == nil {
		return ""
	}
	return t.AsTime().UTC().Format(timeFormat)
}
