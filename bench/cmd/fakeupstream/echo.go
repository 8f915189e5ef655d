package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// Echo mode (-echo): the answer repeats the request's last user message, so a
// gateway that pseudonymizes personal data in the prompt has to restore its
// placeholders in the answer. The non-streaming answer is the message padded
// with the usual filler to about -size bytes; the stream carries the message
// in pieces of a few characters, as a model's tokens arrive, so a placeholder
// is split over several events, followed by the usual " tokN" pieces up to
// -chunks events. The last message echoed is served at GET /echo/last, for
// bench/run to check what reached the upstream.

// echoPiece is the length in characters of each streamed piece of the
// echoed message: about a token.
const echoPiece = 4

type echoState struct {
	size    int
	nChunks int
	last    atomic.Pointer[string]
}

// lastUserText returns the text of the last user message of a chat
// completions request: its content string, or its text parts joined.
func lastUserText(body []byte) (string, error) {
	var req struct {
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return "", fmt.Errorf("invalid JSON body: %v", err)
	}
	for i := len(req.Messages) - 1; i >= 0; i-- {
		m := req.Messages[i]
		if m.Role != "user" {
			continue
		}
		var s string
		if json.Unmarshal(m.Content, &s) == nil {
			return s, nil
		}
		var parts []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal(m.Content, &parts); err != nil {
			return "", fmt.Errorf("user content is neither a string nor parts: %v", err)
		}
		var sb strings.Builder
		for _, p := range parts {
			if p.Type == "text" {
				sb.WriteString(p.Text)
			}
		}
		return sb.String(), nil
	}
	return "", fmt.Errorf("no user message")
}

// echoPieces splits text into the content of n-2 stream events (the first
// event carries the role, the last the finish reason): pieces of echoPiece
// characters, longer when the text needs more than n-2 of them, then " tokN"
// fillers.
func echoPieces(text string, n int) []string {
	slots := max(n-2, 1)
	runes := []rune(text)
	size := max(echoPiece, (len(runes)+slots-1)/slots)
	var pieces []string
	for i := 0; i < len(runes); i += size {
		pieces = append(pieces, string(runes[i:min(i+size, len(runes))]))
	}
	for i := len(pieces); i < slots; i++ {
		pieces = append(pieces, fmt.Sprintf(" tok%d", i+1))
	}
	return pieces
}

func (e *echoState) chat(w http.ResponseWriter, body []byte, stream, includeUsage bool) {
	text, err := lastUserText(body)
	if err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":{"message":%q,"type":"invalid_request_error"}}`, err.Error())
		return
	}
	e.last.Store(&text)
	h := w.Header()
	if !stream {
		b := buildEchoCompletion(text, e.size)
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{strconv.Itoa(len(b))}
		w.Write(b)
		return
	}
	h["Content-Type"] = []string{"text/event-stream"}
	h["Cache-Control"] = []string{"no-cache"}
	w.WriteHeader(http.StatusOK)
	f := w.(http.Flusher)
	pieces := echoPieces(text, e.nChunks)
	frame := func(delta map[string]any, finish any) []byte {
		return sse(orderedChunk{ID: completionID, Object: "chat.completion.chunk", Created: created, Model: model,
			Choices: []chunkChoice{{Index: 0, Delta: delta, FinishReason: finish}}})
	}
	write := func(b []byte) bool {
		if _, err := w.Write(b); err != nil {
			return false
		}
		f.Flush()
		return true
	}
	if !write(frame(map[string]any{"role": "assistant", "content": ""}, nil)) {
		return
	}
	yieldCPU()
	for _, p := range pieces {
		if !write(frame(map[string]any{"content": p}, nil)) {
			return
		}
	}
	if !write(frame(map[string]any{}, "stop")) {
		return
	}
	if includeUsage {
		write(sse(struct {
			ID      string        `json:"id"`
			Object  string        `json:"object"`
			Created int64         `json:"created"`
			Model   string        `json:"model"`
			Choices []chunkChoice `json:"choices"`
			Usage   usage         `json:"usage"`
		}{completionID, "chat.completion.chunk", created, model, []chunkChoice{}, usage{9, len(pieces), 9 + len(pieces)}}))
	}
	write([]byte("data: [DONE]\n\n"))
}

// buildEchoCompletion is a chat.completion whose content is text, then
// filler up to about size bytes of JSON.
func buildEchoCompletion(text string, size int) []byte {
	content := text
	if pad := size - len(completionJSON(text)) - 1; pad > 0 {
		content += " " + filler(pad)
	}
	return completionJSON(content)
}

func (e *echoState) serveLast(w http.ResponseWriter) {
	p := e.last.Load()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if p == nil {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.Write([]byte(*p))
}
