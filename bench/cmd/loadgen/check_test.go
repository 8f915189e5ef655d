package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

const checkPrompt = "I am Dagny Sjöberg, mail dagny@example.com."

var checkValues = []string{"Dagny Sjöberg", "dagny@example.com"}

// echoUpstream answers a chat completion with its last user message and
// serves that message at /echo/last, as fakeupstream -echo does.
func echoUpstream(t *testing.T) *httptest.Server {
	var mu sync.Mutex
	last := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == "/echo/last" {
			io.WriteString(w, last)
			return
		}
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		last = req.Messages[len(req.Messages)-1].Content
		e := json.NewEncoder(w)
		e.SetEscapeHTML(false)
		e.Encode(map[string]any{"object": "chat.completion",
			"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": last}}}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// fakeGateway relays to upstream, replacing the values with placeholders on
// the way there when it redacts and back when it restores; it streams the
// answer as two events split inside the first value.
func fakeGateway(t *testing.T, upstream string, redact, restore bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		stream := bytes.Contains(body, []byte(`"stream":true`))
		body = bytes.ReplaceAll(body, []byte(`,"stream":true`), nil)
		for i, v := range checkValues {
			if redact {
				body = bytes.ReplaceAll(body, []byte(v), []byte(fmt.Sprintf("<PII_%d>", i+1)))
			}
		}
		resp, err := http.Post(upstream+"/v1/chat/completions", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Error(err)
			return
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if restore {
			for i, v := range checkValues {
				answer = bytes.ReplaceAll(answer, []byte(fmt.Sprintf("<PII_%d>", i+1)), []byte(v))
			}
		}
		if !stream {
			w.Write(answer)
			return
		}
		var c struct {
			Choices []struct{ Message struct{ Content string } } `json:"choices"`
		}
		json.Unmarshal(answer, &c)
		text := c.Choices[0].Message.Content
		for _, piece := range []string{text[:8], text[8:]} {
			b, _ := json.Marshal(map[string]any{"choices": []any{map[string]any{"delta": map[string]any{"content": piece}}}})
			fmt.Fprintf(w, "data: %s\n\n", b)
		}
		io.WriteString(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func checkThrough(t *testing.T, redact, restore bool) error {
	up := echoUpstream(t)
	gw := fakeGateway(t, up.URL, redact, restore)
	return checkRestored(config{direct: up.URL, gateway: gw.URL, key: "k", model: "bench", prompt: checkPrompt}, checkValues)
}

func TestCheckRestorePassesAGatewayThatRedactsAndRestores(t *testing.T) {
	if err := checkThrough(t, true, true); err != nil {
		t.Fatal(err)
	}
}

func TestCheckRestoreFailsAGatewayThatSendsThePersonalDataUpstream(t *testing.T) {
	err := checkThrough(t, false, false)
	if err == nil || !strings.Contains(err.Error(), "did not redact") {
		t.Fatalf("got %v, want a failure naming the unredacted value", err)
	}
}

func TestCheckRestoreFailsAGatewayThatLeavesThePlaceholdersInTheAnswer(t *testing.T) {
	err := checkThrough(t, true, false)
	if err == nil || !strings.Contains(err.Error(), "not restored") {
		t.Fatalf("got %v, want a failure for the answer's placeholders", err)
	}
}

func TestCheckRestoreRefusesValuesThePromptDoesNotHold(t *testing.T) {
	err := checkRestored(config{direct: "http://127.0.0.1:1", gateway: "http://127.0.0.1:1", prompt: "Say hello"}, checkValues)
	if err == nil || !strings.Contains(err.Error(), "does not contain") {
		t.Fatalf("got %v", err)
	}
}

func TestJsonStringKeepsTheDefaultBodyAndAnglesAsTheyAre(t *testing.T) {
	if b := string(newTarget("t", "http://x", "k", "bench", "Say hello", 1).body); b != `{"model":"bench","messages":[{"role":"user","content":"Say hello"}]}` {
		t.Fatalf("default body changed: %s", b)
	}
	if s := jsonString(`a <b> & "c"`); s != `"a <b> & \"c\""` {
		t.Fatalf("jsonString = %s", s)
	}
}
