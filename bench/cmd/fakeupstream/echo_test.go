package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const prompt = "I am Dagny Sjöberg, write to <EMAIL_1> or call <PHONE_1>."

func echoServer(t *testing.T, chunks int) *httptest.Server {
	s := newServer(1024, chunks, 0)
	s.echo = &echoState{size: 1024, nChunks: chunks}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, url, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(url+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("HTTP %d: %s", resp.StatusCode, b)
	}
	return resp
}

func requestBody(t *testing.T, content any, stream bool) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"model": "bench", "stream": stream, "messages": []any{
		map[string]any{"role": "system", "content": "Be brief."},
		map[string]any{"role": "user", "content": "an earlier turn"},
		map[string]any{"role": "assistant", "content": "ok"},
		map[string]any{"role": "user", "content": content},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEchoAnswersTheLastUserMessagePaddedToTheCompletionSize(t *testing.T) {
	srv := echoServer(t, 64)
	resp := post(t, srv.URL, requestBody(t, prompt, false))
	b, _ := io.ReadAll(resp.Body)
	var c struct {
		Object  string
		Choices []struct{ Message struct{ Content string } }
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if c.Object != "chat.completion" || !strings.HasPrefix(c.Choices[0].Message.Content, prompt+" Hello!") {
		t.Fatalf("not an echo: %s", b)
	}
	if len(b) < 1000 || len(b) > 1030 {
		t.Fatalf("completion is %d bytes, want about 1024", len(b))
	}
}

func TestEchoReadsTheTextPartsOfTheLastUserMessage(t *testing.T) {
	srv := echoServer(t, 64)
	parts := []any{
		map[string]any{"type": "text", "text": "I am Dagny Sjöberg, "},
		map[string]any{"type": "image_url", "image_url": map[string]any{"url": "https://example.com/a.png"}},
		map[string]any{"type": "text", "text": "write to <EMAIL_1>."},
	}
	post(t, srv.URL, requestBody(t, parts, false))
	resp, err := http.Get(srv.URL + "/echo/last")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "I am Dagny Sjöberg, write to <EMAIL_1>." {
		t.Fatalf("last echoed %q", b)
	}
}

func TestEchoStreamSplitsTheMessageIntoPiecesAndKeepsTheEventCount(t *testing.T) {
	const chunks = 64
	srv := echoServer(t, chunks)
	resp := post(t, srv.URL, requestBody(t, prompt, true))
	var text strings.Builder
	var events, split int
	sc := bufio.NewScanner(resp.Body)
	done := false
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if line == "[DONE]" {
			done = true
			break
		}
		events++
		var c struct {
			Choices []struct{ Delta struct{ Content string } }
		}
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatal(err)
		}
		d := c.Choices[0].Delta.Content
		if strings.Contains(d, "<") != strings.Contains(d, ">") {
			split++
		}
		text.WriteString(d)
	}
	if !done || events != chunks {
		t.Fatalf("%d data events (done %t), want %d and [DONE], as without -echo", events, done, chunks)
	}
	if !strings.HasPrefix(text.String(), prompt+" tok") {
		t.Fatalf("streamed text %q does not start with the prompt", text.String())
	}
	if split == 0 {
		t.Fatalf("no placeholder was split over events: %q", text.String())
	}
}

func TestEchoPiecesFillEveryContentEventWhenTheTextIsLong(t *testing.T) {
	long := strings.Repeat("ab", 200)
	pieces := echoPieces(long, 10)
	if len(pieces) != 8 || strings.Join(pieces, "") != long {
		t.Fatalf("%d pieces joining to %d bytes, want 8 joining to the text", len(pieces), len(strings.Join(pieces, "")))
	}
}

func TestWithoutEchoTheAnswerIsTheFixedCompletion(t *testing.T) {
	s := newServer(1024, 64, 0)
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp := post(t, srv.URL, requestBody(t, prompt, false))
	b, _ := io.ReadAll(resp.Body)
	if string(b) != string(s.completion) || strings.Contains(string(b), "Dagny") {
		t.Fatalf("answer is not the fixed completion: %.120s", b)
	}
	if r, err := http.Get(srv.URL + "/echo/last"); err != nil || r.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /echo/last without -echo: %v %v", r.StatusCode, err)
	}
}
