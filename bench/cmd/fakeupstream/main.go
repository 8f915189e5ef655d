// Command fakeupstream is a zero-delay fake OpenAI server for the Veil
// gateway-core benchmark.
//
// It answers POST /v1/chat/completions with a pre-serialised chat.completion
// of about -size bytes, or, when the request asks for "stream": true, with
// -chunks chat.completion.chunk server-sent events flushed one by one (plus a
// usage chunk when stream_options.include_usage is true) and "data: [DONE]".
// GET /v1/models lists the one model it serves.
//
// It also speaks Anthropic's Messages API: POST /v1/messages answers a
// pre-serialised "message" of about -size bytes, or, with "stream": true, the
// documented event sequence (message_start, content_block_start, -chunks
// content_block_delta text_delta events, content_block_stop, message_delta
// with stop_reason and usage, message_stop), each "event: <type>\ndata:
// <json>\n\n" and flushed, yielding like the OpenAI stream. Everything is
// built once at start-up so a request costs little more than the HTTP
// exchange itself.
//
// With -echo, chat completions answer the request's last user message
// instead (see echo.go): the answer then holds whatever a gateway sent in
// place of the prompt's personal data, for it to restore.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	anthropicModel = "claude-bench"
	messageID      = "msg_veilbench00000000000000000"

	model        = "gpt-4o-mini"
	created      = 1735689600
	completionID = "chatcmpl-veilbench0000000000000000"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (port 0 picks a free port)")
	portFile := flag.String("port-file", "", "write the chosen port to this file once listening")
	size := flag.Int("size", 1024, "approximate size in bytes of the non-streaming response body")
	chunks := flag.Int("chunks", 64, "number of chat.completion.chunk events per streamed response (>= 2)")
	chunkDelay := flag.Duration("chunk-delay", 0, "delay between streamed chunks (0 = none)")
	responseDelay := flag.Duration("response-delay", 0, "delay before a non-streaming response is written (0 = none): a slow model")
	yield := flag.String("yield", "first", "give up the CPU after flushing: none, first (the first chunk only) or every (each chunk)")
	echo := flag.Bool("echo", false, "answer chat completions with the request's last user message (padded to -size; streamed in pieces of a few characters, then fillers up to -chunks events; -chunk-delay and -yield do not apply) and serve the last one at GET /echo/last")
	flag.Parse()
	if *chunks < 2 {
		log.Fatalf("-chunks must be >= 2, got %d", *chunks)
	}

	s := newServer(*size, *chunks, *chunkDelay)
	s.responseDelay = *responseDelay
	if *echo {
		s.echo = &echoState{size: *size, nChunks: *chunks}
	}
	switch *yield {
	case "none", "first", "every":
		s.yield = *yield
	default:
		log.Fatalf("-yield must be none, first or every, got %q", *yield)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if *portFile != "" {
		tmp := *portFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(strconv.Itoa(port)+"\n"), 0o644); err != nil {
			log.Fatalf("write port file: %v", err)
		}
		if err := os.Rename(tmp, *portFile); err != nil {
			log.Fatalf("write port file: %v", err)
		}
	}
	fmt.Printf("fakeupstream listening on http://%s (completion %d bytes, %d chunks, chunk delay %s, response delay %s, echo %t)\n",
		ln.Addr(), len(s.completion), *chunks, *chunkDelay, *responseDelay, *echo)

	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       5 * time.Minute,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	log.Fatal(srv.Serve(ln))
}

type server struct {
	completion    []byte   // full chat.completion JSON
	chunks        [][]byte // "data: {...}\n\n" frames, first has role, last has finish_reason
	usage         []byte   // "data: {...choices:[],usage...}\n\n"
	done          []byte
	models        []byte
	delay         time.Duration
	responseDelay time.Duration
	yield         string
	completionLen string

	message    []byte // full Anthropic "message" JSON
	messageLen string
	events     [][]byte // Anthropic stream: "event: <type>\ndata: {...}\n\n" frames

	echo *echoState // nil unless -echo
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func newServer(size, nChunks int, delay time.Duration) *server {
	s := &server{delay: delay, done: []byte("data: [DONE]\n\n")}
	s.completion = buildCompletion(size)
	s.completionLen = strconv.Itoa(len(s.completion))

	for i := 0; i < nChunks; i++ {
		var delta map[string]any
		var finish any
		switch {
		case i == 0:
			delta = map[string]any{"role": "assistant", "content": ""}
		case i == nChunks-1:
			delta = map[string]any{}
			finish = "stop"
		default:
			delta = map[string]any{"content": fmt.Sprintf(" tok%d", i)}
		}
		c := orderedChunk{
			ID: completionID, Object: "chat.completion.chunk", Created: created, Model: model,
			Choices: []chunkChoice{{Index: 0, Delta: delta, FinishReason: finish}},
		}
		s.chunks = append(s.chunks, sse(c))
	}
	s.usage = sse(struct {
		ID      string        `json:"id"`
		Object  string        `json:"object"`
		Created int64         `json:"created"`
		Model   string        `json:"model"`
		Choices []chunkChoice `json:"choices"`
		Usage   usage         `json:"usage"`
	}{completionID, "chat.completion.chunk", created, model, []chunkChoice{}, usage{9, nChunks - 2, 9 + nChunks - 2}})

	s.message = buildMessage(size)
	s.messageLen = strconv.Itoa(len(s.message))
	s.events = buildMessageEvents(nChunks)

	s.models, _ = json.Marshal(map[string]any{
		"object": "list",
		"data":   []any{map[string]any{"id": model, "object": "model", "created": created, "owned_by": "veil-bench"}},
	})
	return s
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

type chunkChoice struct {
	Index        int            `json:"index"`
	Delta        map[string]any `json:"delta"`
	FinishReason any            `json:"finish_reason"`
}

type orderedChunk struct {
	ID      string        `json:"id"`
	Object  string        `json:"object"`
	Created int64         `json:"created"`
	Model   string        `json:"model"`
	Choices []chunkChoice `json:"choices"`
}

func sse(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return append(append([]byte("data: "), b...), '\n', '\n')
}

// buildCompletion returns a chat.completion whose serialised size is as close
// to size as the fixed fields allow, padding the assistant message content.
func buildCompletion(size int) []byte {
	return completionJSON(filler(size - len(completionJSON(""))))
}

// completionJSON is a chat.completion answering content.
func completionJSON(content string) []byte {
	type message struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	type choice struct {
		Index        int     `json:"index"`
		Message      message `json:"message"`
		FinishReason string  `json:"finish_reason"`
	}
	type completion struct {
		ID      string   `json:"id"`
		Object  string   `json:"object"`
		Created int64    `json:"created"`
		Model   string   `json:"model"`
		Choices []choice `json:"choices"`
		Usage   usage    `json:"usage"`
	}
	b, err := json.Marshal(completion{
		ID: completionID, Object: "chat.completion", Created: created, Model: model,
		Choices: []choice{{0, message{"assistant", content}, "stop"}},
		Usage:   usage{9, 180, 189},
	})
	if err != nil {
		panic(err)
	}
	return b
}

// filler is n bytes of plain English (fewer when n < 0), without a trailing
// space.
func filler(n int) string {
	const words = "Hello! This is the Veil benchmark's fake upstream speaking. "
	if n <= 0 {
		return ""
	}
	return strings.TrimRight(strings.Repeat(words, n/len(words)+1)[:n], " ")
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && (r.URL.Path == "/v1/chat/completions" || r.URL.Path == "/chat/completions"):
		s.chat(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/messages":
		s.messages(w, r)
	case r.Method == http.MethodGet && (r.URL.Path == "/v1/models" || r.URL.Path == "/models"):
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{strconv.Itoa(len(s.models))}
		w.Write(s.models)
	case r.Method == http.MethodGet && r.URL.Path == "/echo/last" && s.echo != nil:
		s.echo.serveLast(w)
	case r.URL.Path == "/health":
		w.WriteHeader(http.StatusOK)
	default:
		http.Error(w, `{"error":{"message":"not found","type":"invalid_request_error"}}`, http.StatusNotFound)
	}
}

func (s *server) chat(w http.ResponseWriter, r *http.Request) {
	bp := bufPool.Get().(*[]byte)
	body := (*bp)[:0]
	var err error
	body, err = readAll(r.Body, body)
	defer func() { *bp = body[:0]; bufPool.Put(bp) }()
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	stream, includeUsage, err := streamFlags(body)
	if err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":{"message":%q,"type":"invalid_request_error"}}`, err.Error())
		return
	}
	if !stream && s.responseDelay > 0 {
		time.Sleep(s.responseDelay)
	}
	if s.echo != nil {
		s.echo.chat(w, body, stream, includeUsage)
		return
	}
	h := w.Header()
	if !stream {
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{s.completionLen}
		w.Write(s.completion)
		return
	}
	h["Content-Type"] = []string{"text/event-stream"}
	h["Cache-Control"] = []string{"no-cache"}
	w.WriteHeader(http.StatusOK)
	f := w.(http.Flusher)
	for i, c := range s.chunks {
		if i > 0 && s.delay > 0 {
			time.Sleep(s.delay)
		}
		if _, err := w.Write(c); err != nil {
			return
		}
		f.Flush()
		if s.yield == "every" || (i == 0 && s.yield == "first") {
			yieldCPU()
		}
	}
	if includeUsage {
		w.Write(s.usage)
		f.Flush()
	}
	w.Write(s.done)
	f.Flush()
}

func readAll(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

var streamKey = []byte(`"stream"`)

// streamFlags reports whether the request asks for streaming and for a usage
// chunk. The common non-streaming case costs one byte search: a body without
// the key "stream" cannot be a streaming request. When the key is present the
// body is parsed properly, so "stream": false, whitespace variants and the
// string appearing inside message content are all handled correctly.
func streamFlags(body []byte) (stream, includeUsage bool, err error) {
	if !bytes.Contains(body, streamKey) {
		return false, false, nil
	}
	var req struct {
		Stream        bool `json:"stream"`
		StreamOptions *struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return false, false, fmt.Errorf("invalid JSON body: %v", err)
	}
	return req.Stream, req.Stream && req.StreamOptions != nil && req.StreamOptions.IncludeUsage, nil
}
