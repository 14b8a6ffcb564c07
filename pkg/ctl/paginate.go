package ctl

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
)

// pageFlags are the AWS CLI's pagination flags. With --max-results or
// --next-token the CLI makes one call (the caller pages); otherwise it
// follows NextToken itself, --max-items caps the total and
// --starting-token resumes.
type pageFlags struct {
	maxItems      int
	pageSize      int32
	startingToken string
	maxResults    int32
	nextToken     string
}

func (p *pageFlags) register(cmd *cobra.Command) { p.registerLimit(cmd, "max-results") }

// registerLimit is register with the page size option named limit (Auto
// Scaling's is max-records).
func (p *pageFlags) registerLimit(cmd *cobra.Command, limit string) {
	f := cmd.Flags()
	f.IntVar(&p.maxItems, "max-items", 0, "total number of items to return; a NextToken to resume is printed when more remain")
	f.Int32Var(&p.pageSize, "page-size", 0, "number of items per service call")
	f.StringVar(&p.startingToken, "starting-token", "", "a NextToken printed by an earlier --max-items call")
	f.Int32Var(&p.maxResults, limit, 0, "return one page of at most this many items (disables automatic pagination)")
	f.StringVar(&p.nextToken, "next-token", "", "the service token of the page to fetch (disables automatic pagination)")
}

// resumeToken is the AWS CLI's --starting-token: the service token plus
// how many items of that page were already returned.
type resumeToken struct {
	NextToken string `json:"NextToken"`
	Truncate  int    `json:"boto_truncate_amount,omitempty"`
}

func encodeResume(t resumeToken) string {
	b, _ := json.Marshal(t)
	return base64.StdEncoding.EncodeToString(b)
}

func decodeResume(s string) (resumeToken, error) {
	var t resumeToken
	if s == "" {
		return t, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &t)
	}
	if err != nil || t.Truncate < 0 { // a negative amount would slice out of range
		t = resumeToken{}
		return t, usageErrorf("invalid --starting-token %q", s)
	}
	return t, nil
}

// fetchPage fetches one page: items and the service's next token.
type fetchPage[T any] func(ctx context.Context, token string, maxResults int32) ([]T, string, error)

// paginate collects items according to the flags and returns the token
// to print as NextToken ("" when everything was returned). Under the
// global --no-paginate it makes one call, as with --max-results or
// --next-token.
func paginate[T any](ctx context.Context, p pageFlags, fetch fetchPage[T]) ([]T, string, error) {
	if p.maxResults > 0 || p.nextToken != "" || noPaginate(ctx) {
		return fetch(ctx, p.nextToken, p.maxResults)
	}
	start, err := decodeResume(p.startingToken)
	if err != nil {
		return nil, "", err
	}
	var out []T
	token, skip := start.NextToken, start.Truncate
	for pages := 0; ; pages++ {
		if pages > 10000 {
			return nil, "", fmt.Errorf("pagination did not end after %d pages", pages)
		}
		items, next, err := fetch(ctx, token, p.pageSize)
		if err != nil {
			return nil, "", err
		}
		items = items[min(skip, len(items)):]
		if p.maxItems > 0 && len(out)+len(items) > p.maxItems {
			take := p.maxItems - len(out)
			out = append(out, items[:take]...)
			return out, encodeResume(resumeToken{NextToken: token, Truncate: skip + take}), nil
		}
		out = append(out, items...)
		skip = 0
		if next == "" || next == token {
			return out, "", nil
		}
		token = next
		if p.maxItems > 0 && len(out) == p.maxItems {
			return out, encodeResume(resumeToken{NextToken: token}), nil
		}
	}
}
