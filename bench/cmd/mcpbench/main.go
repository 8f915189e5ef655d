// Command mcpbench measures what Veil's MCP gateway adds to a tools/call: the
// same tool called through Veil (/mcp/<server>, with the policy check, the
// definition check, PII pseudonymization and the audit record) and directly on
// the upstream MCP server, one call at a time, and prints p50/p99 of both and
// their difference.
//
//	mcpbench -serve -port-file F     a zero-delay MCP server (Streamable HTTP, JSON answers)
//	mcpbench -direct URL -veil URL   the measurement
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
	"time"

	"dev.veil/bench/internal/stats"
)

func main() {
	serve := flag.Bool("serve", false, "serve the zero-delay MCP server instead of measuring")
	portFile := flag.String("port-file", "", "with -serve: write the chosen port to this file once listening")
	direct := flag.String("direct", "", "the MCP server's URL, e.g. http://127.0.0.1:9100/mcp")
	veil := flag.String("veil", "", "the same server through Veil, e.g. http://127.0.0.1:8080/mcp/bench")
	key := flag.String("key", "bench-master-key", "Veil's key")
	n := flag.Int("n", 5000, "measured calls per side")
	warmup := flag.Int("warmup", 2000, "calls per side before measuring")
	warmupFor := flag.Duration("warmup-for", 60*time.Second, "keep warming Veil up this long at least: its JIT "+
		"compiles for 35-70 s on this machine, and a call that meets it costs milliseconds")
	out := flag.String("out", "", "write the result as JSON here too")
	flag.Parse()
	if *serve {
		serveMCP(*portFile)
		return
	}
	if *direct == "" || *veil == "" {
		log.Fatal("-direct and -veil are required (or -serve)")
	}
	directSamples := measure(*direct, "", *warmup, 0, *n)
	veilSamples := measure(*veil, *key, *warmup, *warmupFor, *n)
	result := map[string]any{
		"scenario": "mcp tools/call, one at a time",
		"direct":   stats.Summarise(directSamples),
		"veil":     stats.Summarise(veilSamples),
	}
	result["added"] = stats.Diff(result["direct"].(stats.Percentiles), result["veil"].(stats.Percentiles))
	d, v, a := result["direct"].(stats.Percentiles), result["veil"].(stats.Percentiles), result["added"].(stats.Added)
	fmt.Printf("tools/call     %10s %10s\n", "p50 (us)", "p99 (us)")
	fmt.Printf("direct         %10.1f %10.1f\n", d.P50, d.P99)
	fmt.Printf("through Veil   %10.1f %10.1f\n", v.P50, v.P99)
	fmt.Printf("added by Veil  %10.1f %10.1f\n", a.P50, a.P99)
	if *out != "" {
		data, _ := json.MarshalIndent(result, "", "  ")
		if err := os.WriteFile(*out, append(data, '\n'), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}, Timeout: 30 * time.Second}

type session struct {
	url, key, id string
	next         int
}

func (s *session) post(body map[string]any) (*http.Response, []byte) {
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if s.key != "" {
		req.Header.Set("Authorization", "Bearer "+s.key)
	}
	if s.id != "" {
		req.Header.Set("Mcp-Session-Id", s.id)
		req.Header.Set("MCP-Protocol-Version", "2025-06-18")
	}
	resp, err := client.Do(req)
	if err != nil {
		log.Fatalf("%s: %v", s.url, err)
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		log.Fatalf("%s: %v", s.url, err)
	}
	return resp, answer
}

func (s *session) request(method string, params map[string]any) []byte {
	s.next++
	resp, answer := s.post(map[string]any{"jsonrpc": "2.0", "id": s.next, "method": method, "params": params})
	if resp.StatusCode != 200 || bytes.Contains(answer, []byte(`"error"`)) {
		log.Fatalf("%s %s: HTTP %d: %s", s.url, method, resp.StatusCode, answer)
	}
	return answer
}

func measure(url, key string, warmup int, warmupFor time.Duration, n int) []time.Duration {
	s := &session{url: url, key: key}
	resp, answer := s.post(map[string]any{"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": map[string]any{
		"protocolVersion": "2025-06-18", "capabilities": map[string]any{},
		"clientInfo": map[string]any{"name": "mcpbench", "version": "1"}}})
	if resp.StatusCode != 200 {
		log.Fatalf("%s initialize: HTTP %d: %s", url, resp.StatusCode, answer)
	}
	s.id = resp.Header.Get("Mcp-Session-Id")
	s.post(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
	call := map[string]any{"name": "echo", "arguments": map[string]any{"text": "ticket 4711 is resolved"}}
	until := time.Now().Add(warmupFor)
	for i := 0; i < warmup || time.Now().Before(until); i++ {
		s.request("tools/call", call)
	}
	samples := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		start := time.Now()
		s.request("tools/call", call)
		samples = append(samples, time.Since(start))
	}
	return samples
}

const echoTool = `{"name":"echo","description":"Echoes its text","inputSchema":{"type":"object",` +
	`"properties":{"text":{"type":"string"}},"required":["text"]}}`

// serveMCP answers MCP over Streamable HTTP at /mcp at once, statelessly, with JSON.
func serveMCP(portFile string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if portFile != "" {
		if err := os.WriteFile(portFile, []byte(strconv.Itoa(port)), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	http.HandleFunc("/mcp", func(w http.ResponseWriter, r *http.Request) {
		var msg struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params struct {
				Arguments struct {
					Text string `json:"text"`
				} `json:"arguments"`
			} `json:"params"`
		}
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&msg) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if msg.ID == nil {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		var result string
		switch msg.Method {
		case "initialize":
			result = `{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"bench","version":"1"}}`
		case "tools/list":
			result = `{"tools":[` + echoTool + `]}`
		case "tools/call":
			text, _ := json.Marshal(msg.Params.Arguments.Text)
			result = `{"content":[{"type":"text","text":` + string(text) + `}]}`
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"error":{"code":-32601,"message":"Method not found"}}`, msg.ID)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"result":%s}`, msg.ID, result)
	})
	log.Fatal(http.Serve(ln, nil))
}
