package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
)

// placeholder matches the placeholders Veil's pii-redaction writes in place
// of personal data (<EMAIL_1>, <PERSON_2>).
var placeholder = regexp.MustCompile(`<[A-Z][A-Z0-9_]*_[0-9]+>`)

// checkRestored sends -prompt through the gateway to the fake upstream, which
// must run with -echo, once without and once with streaming. It fails unless
// every one of values reached the fake as a placeholder, not as itself, and
// came back restored in both answers: a privacy benchmark that redacted
// nothing, or restored nothing, would measure a pipeline that does not work.
func checkRestored(c config, values []string) error {
	if c.gateway == "" || c.direct == "" {
		return fmt.Errorf("needs -gateway and -direct (the fake upstream, with -echo)")
	}
	for _, v := range values {
		if !strings.Contains(c.prompt, v) {
			return fmt.Errorf("the prompt does not contain %q", v)
		}
	}
	gw := newTarget("gateway", c.gateway, c.key, c.model, c.prompt, 1)
	code, b, err := gw.unaryBody(false)
	if err != nil || code != http.StatusOK {
		return fmt.Errorf("through the gateway: HTTP %d, %v: %.300s", code, err, b)
	}
	var comp struct {
		Choices []struct{ Message struct{ Content string } } `json:"choices"`
	}
	if err := json.Unmarshal(b, &comp); err != nil || len(comp.Choices) == 0 {
		return fmt.Errorf("through the gateway: not a chat.completion (%v): %.300s", err, b)
	}
	if err := restored("the answer", comp.Choices[0].Message.Content, values); err != nil {
		return err
	}
	received, err := lastEchoed(c.direct)
	if err != nil {
		return err
	}
	for _, v := range values {
		if strings.Contains(received, v) {
			return fmt.Errorf("the fake upstream received %q: the gateway did not redact it", v)
		}
	}
	if n := len(placeholder.FindAllString(received, -1)); n < len(values) {
		return fmt.Errorf("the fake upstream received %d placeholders for %d values: %q", n, len(values), received)
	}
	text, events, err := streamedText(gw)
	if err != nil {
		return err
	}
	if err := restored("the streamed answer", text, values); err != nil {
		return err
	}
	logf("check-restore ok: the fake received %q; both answers (the streamed one in %d events) hold the %d values restored",
		received, events, len(values))
	return nil
}

func restored(what, text string, values []string) error {
	for _, v := range values {
		if !strings.Contains(text, v) {
			return fmt.Errorf("%s lacks %q: placeholders not restored? (%d placeholders left)", what, v,
				len(placeholder.FindAllString(text, -1)))
		}
	}
	if p := placeholder.FindString(text); p != "" {
		return fmt.Errorf("%s still holds the placeholder %s", what, p)
	}
	return nil
}

// lastEchoed is the last user message the fake at base echoed.
func lastEchoed(base string) (string, error) {
	resp, err := http.Get(strings.TrimRight(base, "/") + "/echo/last")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s/echo/last: HTTP %d, %v (is the fake upstream running with -echo?)", base, resp.StatusCode, err)
	}
	return string(b), nil
}

// streamedText is the content of a streamed chat completion, its deltas
// joined, and the number of data events.
func streamedText(t *target) (string, int, error) {
	code, b, err := t.unaryBody(true)
	if err != nil || code != http.StatusOK {
		return "", 0, fmt.Errorf("stream through the gateway: HTTP %d, %v: %.300s", code, err, b)
	}
	var sb strings.Builder
	events := 0
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data:")
		data = strings.TrimSpace(data)
		if !ok || data == "[DONE]" {
			continue
		}
		events++
		var ch struct {
			Choices []struct{ Delta struct{ Content string } } `json:"choices"`
		}
		if err := json.Unmarshal([]byte(data), &ch); err != nil {
			return "", events, fmt.Errorf("stream through the gateway: event %d is not JSON: %.200s", events, data)
		}
		for _, c := range ch.Choices {
			sb.WriteString(c.Delta.Content)
		}
	}
	return sb.String(), events, sc.Err()
}
