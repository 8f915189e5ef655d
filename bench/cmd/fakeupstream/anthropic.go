package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Anthropic Messages API wire format (https://docs.anthropic.com/en/api/messages
// and .../messages-streaming). Struct field order fixes the JSON key order.

type anthUsage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

type anthText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type anthMessage struct {
	ID           string     `json:"id"`
	Type         string     `json:"type"`
	Role         string     `json:"role"`
	Model        string     `json:"model"`
	Content      []anthText `json:"content"`
	StopReason   *string    `json:"stop_reason"`
	StopSequence *string    `json:"stop_sequence"`
	Usage        anthUsage  `json:"usage"`
}

// buildMessage returns an Anthropic "message" whose serialised size is as
// close to size as the fixed fields allow, padding the text block.
func buildMessage(size int) []byte {
	endTurn := "end_turn"
	mk := func(text string) []byte {
		b, err := json.Marshal(anthMessage{
			ID: messageID, Type: "message", Role: "assistant", Model: anthropicModel,
			Content:    []anthText{{"text", text}},
			StopReason: &endTurn, Usage: anthUsage{9, 180},
		})
		if err != nil {
			panic(err)
		}
		return b
	}
	const words = "Hello! This is the Veil benchmark's fake upstream speaking. "
	n := size - len(mk(""))
	if n < 0 {
		n = 0
	}
	return mk(strings.TrimRight(strings.Repeat(words, n/len(words)+1)[:n], " "))
}

func event(typ string, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return []byte(fmt.Sprintf("event: %s\ndata: %s\n\n", typ, b))
}

// buildMessageEvents returns the streamed form: message_start,
// content_block_start, n content_block_delta (text_delta), content_block_stop,
// message_delta (stop_reason, usage), message_stop.
func buildMessageEvents(n int) [][]byte {
	type start struct {
		Type    string      `json:"type"`
		Message anthMessage `json:"message"`
	}
	type blockStart struct {
		Type         string   `json:"type"`
		Index        int      `json:"index"`
		ContentBlock anthText `json:"content_block"`
	}
	type blockDelta struct {
		Type  string   `json:"type"`
		Index int      `json:"index"`
		Delta anthText `json:"delta"`
	}
	type blockStop struct {
		Type  string `json:"type"`
		Index int    `json:"index"`
	}
	type msgDelta struct {
		Type  string `json:"type"`
		Delta struct {
			StopReason   string  `json:"stop_reason"`
			StopSequence *string `json:"stop_sequence"`
		} `json:"delta"`
		Usage struct {
			OutputTokens int `json:"output_tokens"`
		} `json:"usage"`
	}
	evs := [][]byte{
		event("message_start", start{"message_start", anthMessage{
			ID: messageID, Type: "message", Role: "assistant", Model: anthropicModel,
			Content: []anthText{}, Usage: anthUsage{9, 1},
		}}),
		event("content_block_start", blockStart{"content_block_start", 0, anthText{"text", ""}}),
	}
	for i := 0; i < n; i++ {
		evs = append(evs, event("content_block_delta", blockDelta{"content_block_delta", 0, anthText{"text_delta", fmt.Sprintf(" tok%d", i+1)}}))
	}
	evs = append(evs, event("content_block_stop", blockStop{"content_block_stop", 0}))
	md := msgDelta{Type: "message_delta"}
	md.Delta.StopReason = "end_turn"
	md.Usage.OutputTokens = n
	evs = append(evs, event("message_delta", md))
	evs = append(evs, event("message_stop", struct {
		Type string `json:"type"`
	}{"message_stop"}))
	return evs
}

// messages serves POST /v1/messages like chat serves chat completions.
func (s *server) messages(w http.ResponseWriter, r *http.Request) {
	bp := bufPool.Get().(*[]byte)
	body := (*bp)[:0]
	var err error
	body, err = readAll(r.Body, body)
	defer func() { *bp = body[:0]; bufPool.Put(bp) }()
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	stream, _, err := streamFlags(body)
	if err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"type":"error","error":{"type":"invalid_request_error","message":%q}}`, err.Error())
		return
	}
	h := w.Header()
	if !stream {
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{s.messageLen}
		w.Write(s.message)
		return
	}
	h["Content-Type"] = []string{"text/event-stream"}
	h["Cache-Control"] = []string{"no-cache"}
	w.WriteHeader(http.StatusOK)
	f := w.(http.Flusher)
	for i, e := range s.events {
		if i > 0 && s.delay > 0 {
			time.Sleep(s.delay)
		}
		if _, err := w.Write(e); err != nil {
			return
		}
		f.Flush()
		if s.yield == "every" || (i == 0 && s.yield == "first") {
			yieldCPU()
		}
	}
}
