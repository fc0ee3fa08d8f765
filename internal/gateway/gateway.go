// Package gateway posts JSON to the HTTP model gateways (embeddings,
// reranking) with the retry rules both share.
package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// StatusError is a non-2xx answer.
type StatusError struct {
	StatusCode int
	Body       string // the start of the body
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("gateway answered %d: %s", e.StatusCode, e.Body)
}

// ErrDecode is a 2xx answer that is not the expected JSON.
var ErrDecode = errors.New("gateway answer is not the expected JSON")

// Call is one endpoint and how to retry it.
type Call struct {
	Client  *http.Client
	URL     string
	Key     string        // bearer key; none sent when empty
	Retries int           // extra tries after a 429 or 5xx answer
	Backoff time.Duration // first wait; doubles per try unless Retry-After says otherwise
}

// maxAnswer bounds how much of an answer is read.
const maxAnswer = 64 << 20

// Post sends body and decodes a 2xx answer into v. 429 and 5xx answers are
// retried while ctx allows; other answers fail at once with *StatusError.
func (c Call) Post(ctx context.Context, body []byte, v any) error {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		if c.Key != "" {
			req.Header.Set("Authorization", "Bearer "+c.Key)
		}
		resp, err := c.Client.Do(req)
		if err != nil {
			return fmt.Errorf("post %s: %w", c.URL, err)
		}
		raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("read answer of %s: %w", c.URL, err)
		}
		if resp.StatusCode/100 == 2 {
			if err := json.Unmarshal(raw, v); err != nil {
				return fmt.Errorf("%w: %w", ErrDecode, err)
			}
			return nil
		}
		serr := &StatusError{StatusCode: resp.StatusCode, Body: truncate(string(raw), 512)}
		retryable := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
		if !retryable || attempt >= c.Retries {
			return serr
		}
		wait := c.Backoff << attempt
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			wait = time.Duration(s) * time.Second
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return errors.Join(serr, ctx.Err())
		case <-timer.C:
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
