// Command loadgen drives the Veil gateway-core benchmark from its own process.
//
// Scenarios (comma-separated in -scenario, or "all"):
//
//	latency     concurrency 1, interleaved rounds of direct-to-fake and
//	            through-gateway requests; percentiles per side and the added
//	            latency (gateway - direct) at each percentile.
//	throughput  closed loop, -concurrency keep-alive connections for
//	            -duration after -tp-warmup, direct (the fake's ceiling) then
//	            through the gateway; requests/s, errors, p50/p99.
//	stream      concurrency 1, interleaved rounds of -chunks-chunk streams;
//	            time to first data event and total time, direct vs gateway;
//	            added TTFB and added time per chunk.
//	translation not in "all": concurrency 1, interleaved rounds of direct,
//	            gateway with -model (OpenAI upstream) and gateway with
//	            -translation-model (Anthropic upstream), first non-streaming
//	            (latency settings) then streaming (stream settings); added
//	            latency, TTFB and per chunk for each gateway path and the
//	            ratio of their added p99s.
//	responses   not in "all": concurrency 1, interleaved rounds of direct,
//	            gateway /v1/chat/completions, gateway /v1/responses with
//	            "store": false and gateway /v1/responses with the default
//	            store (true), all with -model (one OpenAI-compatible
//	            upstream, so a Responses request reaches the fake as chat
//	            completions); non-streaming (latency settings) then
//	            streaming (stream settings); added latency of each path and
//	            each Responses path minus the chat path, pooled and per round.
//
// Without -gateway only the direct side runs (useful to check the fake and
// the load generator alone). Results print as a table and, with -json, as
// one JSON document. Nothing here asserts: it measures and reports.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"dev.veil/bench/internal/result"
	"dev.veil/bench/internal/stats"
)

type config struct {
	scenarios []string
	direct    string
	gateway   string
	ref       string

	gatewayPID, refPID int
	key, refKey        string
	refLabel           string
	model              string
	translationModel   string
	prompt             string

	// jfr: record the gateway with Java Flight Recorder (through jcmd)
	// while it is under throughput load.
	jfr, jcmd, jfrOptions string

	globalWarmup    time.Duration
	warmRef         bool
	warmupMax       time.Duration
	jitQuiet        time.Duration
	jitQuietWindows int

	latWarmup   int
	latRounds   int
	latPerRound int
	latBudget   time.Duration

	tpConc     int
	tpWarmup   time.Duration
	tpDuration time.Duration

	stWarmup   int
	stRounds   int
	stPerRound int
	stBudget   time.Duration

	jsonOut string
}

func main() {
	var c config
	scen := flag.String("scenario", "all", "comma-separated scenarios: latency,throughput,stream,translation,responses or all (= latency,throughput,stream)")
	flag.StringVar(&c.direct, "direct", "", "base URL of the fake upstream, e.g. http://127.0.0.1:9001 (required)")
	flag.StringVar(&c.gateway, "gateway", "", "base URL of the gateway; empty = direct side only")
	flag.StringVar(&c.ref, "ref", "", "base URL of the reference side (calibration: a proxy, or Veil configured otherwise); empty = none")
	flag.IntVar(&c.gatewayPID, "gateway-pid", 0, "gateway process id: meter its CPU time per request and per chunk (Linux)")
	flag.IntVar(&c.refPID, "ref-pid", 0, "reference side process id, metered likewise")
	flag.StringVar(&c.key, "key", "bench-master-key", "bearer key sent on every request to the fake and the gateway")
	flag.StringVar(&c.refKey, "ref-key", "", "bearer key sent to the reference side (default: -key, for symmetry)")
	flag.StringVar(&c.refLabel, "ref-label", "refproxy", "what the printed tables call the reference side")
	flag.StringVar(&c.model, "model", "bench", "model name in the request body")
	flag.StringVar(&c.translationModel, "translation-model", "bench-anthropic", "translation: gateway model routed to an Anthropic upstream")
	flag.StringVar(&c.prompt, "prompt", "Say hello", "the user message of every request")
	flag.StringVar(&c.jfr, "jfr", "", "throughput: record the gateway (-gateway-pid, a JVM) with JFR, settings=profile, into this file, from before its warm-up to after its measured window, which the results give")
	flag.StringVar(&c.jcmd, "jcmd", "jcmd", "the JDK's jcmd, for -jfr")
	flag.StringVar(&c.jfrOptions, "jfr-options", "", "more JFR.start options for -jfr, space-separated (method-profiling=max samples every millisecond)")
	checkRestore := flag.String("check-restore", "", "check and exit: values of personal data in -prompt, separated by |, that a request through -gateway must have taken out before the fake upstream (-direct, run with -echo) and put back in the answer, streamed or not")
	flag.DurationVar(&c.globalWarmup, "warmup", 20*time.Second, "minimum initial warm-up of the gateway (JIT) before any scenario")
	flag.BoolVar(&c.warmRef, "warmup-ref", false, "warm the reference side up with the gateway (a JVM reference such as bench/floor needs its JIT warm too)")
	flag.DurationVar(&c.warmupMax, "warmup-max", 0, "with -gateway-pid: keep warming up until the JIT compiler threads are quiet, at most this long (0 = -warmup exactly)")
	flag.DurationVar(&c.jitQuiet, "jit-quiet", 50*time.Millisecond, "JIT compiler CPU per 5 s window at or below which a window counts as quiet")
	flag.IntVar(&c.jitQuietWindows, "jit-quiet-windows", 2, "consecutive quiet windows that end the warm-up")
	flag.IntVar(&c.latWarmup, "lat-warmup", 5000, "latency: warm-up requests per side at concurrency 1")
	flag.IntVar(&c.latRounds, "lat-rounds", 20, "latency: interleaved rounds")
	flag.IntVar(&c.latPerRound, "lat-per-round", 500, "latency: requests per side per round")
	flag.DurationVar(&c.latBudget, "lat-budget", 0, "latency: stop starting rounds after this long (0 = no limit); warm-up gets a quarter")
	flag.IntVar(&c.tpConc, "concurrency", 64, "throughput: concurrent keep-alive connections")
	flag.DurationVar(&c.tpWarmup, "tp-warmup", 5*time.Second, "throughput: warm-up per side before measuring")
	flag.DurationVar(&c.tpDuration, "duration", 20*time.Second, "throughput: measured duration per side")
	flag.IntVar(&c.stWarmup, "stream-warmup", 1000, "stream: warm-up streams per side")
	flag.IntVar(&c.stRounds, "stream-rounds", 10, "stream: interleaved rounds")
	flag.IntVar(&c.stPerRound, "stream-per-round", 200, "stream: streams per side per round")
	flag.DurationVar(&c.stBudget, "stream-budget", 0, "stream: stop starting rounds after this long (0 = no limit); warm-up gets a quarter")
	flag.StringVar(&c.jsonOut, "json", "", "write the results as JSON to this file")
	freePort := flag.Bool("free-port", false, "print a free loopback TCP port and exit (for bench/run)")
	flag.Parse()

	if *freePort {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fatalf("free port: %v", err)
		}
		fmt.Println(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
		return
	}

	if c.direct == "" {
		fatalf("-direct is required")
	}
	if c.refKey == "" {
		c.refKey = c.key
	}
	if *checkRestore != "" {
		if err := checkRestored(c, strings.Split(*checkRestore, "|")); err != nil {
			fatalf("check-restore: %v", err)
		}
		return
	}
	if *scen == "all" {
		c.scenarios = []string{"latency", "throughput", "stream"}
	} else {
		for _, s := range strings.Split(*scen, ",") {
			s = strings.TrimSpace(s)
			switch s {
			case "latency", "throughput", "stream", "translation", "responses":
				c.scenarios = append(c.scenarios, s)
			case "":
			default:
				fatalf("unknown scenario %q", s)
			}
		}
	}
	// Fewer, larger collections; explicit ones run between measured blocks.
	debug.SetGCPercent(400)

	res := run(c)

	if c.jsonOut != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(c.jsonOut, append(b, '\n'), 0o644); err != nil {
			fatalf("write %s: %v", c.jsonOut, err)
		}
	}
}

func fatalf(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "loadgen: "+f+"\n", a...)
	os.Exit(2)
}

func logf(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "[%s] "+f+"\n", append([]any{time.Now().Format("15:04:05")}, a...)...)
}

// ---------------------------------------------------------------- results

// ---------------------------------------------------------------- client

type target struct {
	name   string
	url    string
	client *http.Client
	body   []byte
	sbody  []byte
	key    string
	pid    int  // server process to meter CPU for, 0 = none
	resp   bool // speaks the Responses API: answers a "response", streams end with response.completed
}

func newTarget(name, base, key, model, prompt string, conns int) *target {
	p := jsonString(prompt)
	return &target{
		name:   name,
		url:    strings.TrimRight(base, "/") + "/v1/chat/completions",
		client: newClient(conns),
		body:   []byte(`{"model":"` + model + `","messages":[{"role":"user","content":` + p + `}]}`),
		sbody:  []byte(`{"model":"` + model + `","messages":[{"role":"user","content":` + p + `}],"stream":true}`),
		key:    key,
	}
}

// jsonString is s as a JSON string, with <, > and & as they are.
func jsonString(s string) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(s); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// newResponsesTarget sends the chat target's prompt to /v1/responses. With
// store false the body says "store": false; otherwise it leaves store out,
// so Veil keeps each response as it does by default.
func newResponsesTarget(name, base, key, model, prompt string, store bool, conns int) *target {
	storeField := ""
	if !store {
		storeField = `,"store":false`
	}
	return &target{
		name:   name,
		url:    strings.TrimRight(base, "/") + "/v1/responses",
		client: newClient(conns),
		body:   []byte(`{"model":"` + model + `","input":` + jsonString(prompt) + storeField + `}`),
		sbody:  []byte(`{"model":"` + model + `","input":` + jsonString(prompt) + storeField + `,"stream":true}`),
		key:    key,
		resp:   true,
	}
}

func newClient(conns int) *http.Client {
	tr := &http.Transport{
		Proxy: nil,
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          conns * 2,
		MaxIdleConnsPerHost:   conns * 2,
		IdleConnTimeout:       5 * time.Minute,
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
		ResponseHeaderTimeout: 30 * time.Second,
		WriteBufferSize:       8 << 10,
		ReadBufferSize:        16 << 10,
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

func (t *target) newReq(ctx context.Context, stream bool) *http.Request {
	b := t.body
	if stream {
		b = t.sbody
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(b))
	req.Header["Content-Type"] = []string{"application/json"}
	req.Header["Authorization"] = []string{"Bearer " + t.key}
	if stream {
		req.Header["Accept"] = []string{"text/event-stream"}
	}
	return req
}

var discardBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// unary sends one non-streaming request and reads the whole body.
// It returns the body size.
func (t *target) unary() (int, error) {
	resp, err := t.client.Do(t.newReq(context.Background(), false))
	if err != nil {
		return 0, err
	}
	bp := discardBufs.Get().(*[]byte)
	n, err := io.CopyBuffer(io.Discard, resp.Body, *bp)
	discardBufs.Put(bp)
	resp.Body.Close()
	if err != nil {
		return int(n), err
	}
	if resp.StatusCode != http.StatusOK {
		return int(n), fmt.Errorf("%s: HTTP %d", t.name, resp.StatusCode)
	}
	return int(n), nil
}

// unaryBody is unary but keeps the body (for the sanity check).
func (t *target) unaryBody(stream bool) (int, []byte, error) {
	resp, err := t.client.Do(t.newReq(context.Background(), stream))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

var (
	dataPrefix    = []byte("data:")
	doneLine      = []byte("[DONE]")
	completedType = []byte(`"type":"response.completed"`)
)

// stream sends one streaming request; it returns the time to the first data
// event, the time to the last one ([DONE], or for the Responses API the
// response.completed event), and the number of data events other than
// [DONE].
func (t *target) stream(br *bufio.Reader) (ttfb, total time.Duration, events int, err error) {
	start := time.Now()
	resp, err := t.client.Do(t.newReq(context.Background(), true))
	if err != nil {
		return 0, 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return 0, 0, 0, fmt.Errorf("%s: HTTP %d", t.name, resp.StatusCode)
	}
	br.Reset(resp.Body)
	sawDone := false
	for {
		line, rerr := br.ReadSlice('\n')
		if len(line) > 0 && bytes.HasPrefix(line, dataPrefix) {
			if ttfb == 0 {
				ttfb = time.Since(start)
			}
			payload := bytes.TrimSpace(line[len(dataPrefix):])
			if t.resp && bytes.Contains(payload, completedType) {
				events++
			}
			if bytes.Equal(payload, doneLine) || t.resp && bytes.Contains(payload, completedType) {
				total = time.Since(start)
				sawDone = true
				// Drain so the connection can be reused.
				io.Copy(io.Discard, br)
				break
			}
			events++
		}
		if rerr == bufio.ErrBufferFull {
			// Line longer than the buffer: skip the rest of it.
			for rerr == bufio.ErrBufferFull {
				_, rerr = br.ReadSlice('\n')
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil && rerr != bufio.ErrBufferFull {
			return ttfb, time.Since(start), events, rerr
		}
	}
	if !sawDone {
		end := "data: [DONE]"
		if t.resp {
			end = "response.completed"
		}
		return ttfb, time.Since(start), events, errors.New(t.name + ": stream ended without " + end)
	}
	return ttfb, total, events, nil
}

// ---------------------------------------------------------------- run

func run(c config) *result.Results {
	res := &result.Results{
		Tool:       "veil-bench loadgen",
		GoMaxProcs: runtime.GOMAXPROCS(0),
		Params: map[string]any{
			"scenarios": c.scenarios, "global_warmup_s": c.globalWarmup.Seconds(),
			"lat_warmup": c.latWarmup, "lat_rounds": c.latRounds, "lat_per_round": c.latPerRound,
			"tp_concurrency": c.tpConc, "tp_warmup_s": c.tpWarmup.Seconds(), "tp_duration_s": c.tpDuration.Seconds(),
			"stream_warmup": c.stWarmup, "stream_rounds": c.stRounds, "stream_per_round": c.stPerRound,
		},
	}
	if c.prompt != "Say hello" {
		res.Params["prompt"] = c.prompt
	}
	// sides[0] is always direct; gateway and ref proxy follow when given.
	sides := []*target{newTarget("direct", c.direct, c.key, c.model, c.prompt, c.tpConc)}
	var gw, ref *target
	if c.gateway != "" {
		gw = newTarget("gateway", c.gateway, c.key, c.model, c.prompt, c.tpConc)
		gw.pid = c.gatewayPID
		sides = append(sides, gw)
	}
	if c.ref != "" {
		ref = newTarget(c.refLabel, c.ref, c.refKey, c.model, c.prompt, c.tpConc)
		ref.pid = c.refPID
		sides = append(sides, ref)
	}
	for _, t := range sides {
		sanity(t)
	}
	// The Anthropic-upstream path through the gateway (translation scenario).
	var gwA *target
	if gw != nil && contains(c.scenarios, "translation") {
		gwA = newTarget("gateway-anthropic", c.gateway, c.key, c.translationModel, c.prompt, c.tpConc)
		gwA.pid = c.gatewayPID
		sanity(gwA)
		res.Params["translation_model"] = c.translationModel
	}
	// The Responses API paths through the gateway (responses scenario).
	var gwR, gwRS *target
	if gw != nil && contains(c.scenarios, "responses") {
		gwR = newResponsesTarget("gateway-responses", c.gateway, c.key, c.model, c.prompt, false, c.tpConc)
		gwRS = newResponsesTarget("gateway-responses-store", c.gateway, c.key, c.model, c.prompt, true, c.tpConc)
		gwR.pid, gwRS.pid = c.gatewayPID, c.gatewayPID
		sanity(gwR)
		sanity(gwRS)
	}
	if gw != nil && c.globalWarmup > 0 {
		warmed := []*target{gw}
		if gwA != nil {
			warmed = append(warmed, gwA)
		}
		if gwR != nil {
			warmed = append(warmed, gwR, gwRS)
		}
		if ref != nil && c.warmRef {
			warmed = append(warmed, ref)
		}
		res.Warmup = warmup(c, warmed...)
	}

	for _, s := range c.scenarios {
		runtime.GC()
		switch s {
		case "latency":
			res.Latency = latency(c, sides, gw, ref)
			printLatency(res.Latency, c.refLabel)
		case "throughput":
			res.Throughput = throughput(c, sides[0], gw, ref)
			printThroughput(res.Throughput, c.refLabel)
		case "stream":
			res.Stream = streaming(c, sides, gw, ref)
			if l, st := res.Latency, res.Stream; l != nil && st.Chunks > 0 {
				// A stream costs one request plus its chunks.
				if l.GatewayCPUPerRequest > 0 && st.GatewayCPUPerStream > 0 {
					st.GatewayCPUPerChunk = stats.Round3((st.GatewayCPUPerStream - l.GatewayCPUPerRequest) / float64(st.Chunks))
				}
				if l.RefCPUPerRequest > 0 && st.RefCPUPerStream > 0 {
					st.RefCPUPerChunk = stats.Round3((st.RefCPUPerStream - l.RefCPUPerRequest) / float64(st.Chunks))
				}
			}
			printStream(res.Stream, c.refLabel)
		case "translation":
			if gwA == nil {
				logf("translation: needs -gateway; skipped")
				continue
			}
			res.Translation = translation(c, sides[0], gw, gwA)
			printTranslation(res.Translation)
		case "responses":
			if gwR == nil {
				logf("responses: needs -gateway; skipped")
				continue
			}
			res.Responses = responses(c, sides[0], gw, gwR, gwRS)
			printResponses(res.Responses)
		}
	}
	return res
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// sanity checks that a target answers a well-formed completion and stream.
func sanity(t *target) {
	code, b, err := t.unaryBody(false)
	if err != nil || code != 200 {
		fatalf("%s sanity check: HTTP %d, err %v, body %.300s", t.name, code, err, b)
	}
	var comp struct {
		Object  string `json:"object"`
		Status  string `json:"status"`
		Output  []any  `json:"output"`
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
	}
	err = json.Unmarshal(b, &comp)
	switch {
	case t.resp && (err != nil || comp.Object != "response" || comp.Status != "completed" || len(comp.Output) == 0):
		fatalf("%s sanity check: not a completed response (err %v): %.300s", t.name, err, b)
	case !t.resp && (err != nil || comp.Object != "chat.completion" || len(comp.Choices) == 0):
		fatalf("%s sanity check: not a chat.completion (err %v): %.300s", t.name, err, b)
	}
	br := bufio.NewReaderSize(nil, 16<<10)
	_, _, ev, err := t.stream(br)
	if err != nil || ev < 2 {
		fatalf("%s sanity check (stream): %d events, err %v", t.name, ev, err)
	}
	if t.resp {
		logf("%s ok: response %d bytes, stream %d data events to response.completed", t.name, len(b), ev)
	} else {
		logf("%s ok: completion %d bytes, stream %d data events + [DONE]", t.name, len(b), ev)
	}
}

// warmup drives mixed load through the gateway in 5 s windows, alternating
// 4 connections with concurrency 1 (1 request in 8 streaming), for at least
// -warmup. With the gateway's pid and -warmup-max it goes on until a window
// in which the JIT compiler threads used less than -jit-quiet of CPU: a JVM
// still compiling on a single core stalls requests for milliseconds, which
// would show up as tail latency that a long-running gateway does not have.
func warmup(c config, gws ...*target) *result.Warmup {
	gw := gws[0]
	const window = 5 * time.Second
	adaptive := c.warmupMax > c.globalWarmup && compilerCPU(gw.pid) >= 0
	if adaptive {
		logf("warm-up: at least %s, until the JIT compiler uses <= %s per %s in %d consecutive windows (at most %s)",
			c.globalWarmup, c.jitQuiet, window, c.jitQuietWindows, c.warmupMax)
	} else {
		logf("warm-up: %s of mixed load through the gateway", c.globalWarmup)
	}
	start := time.Now()
	w := &result.Warmup{}
	quiet := 0
	for n := 0; ; n++ {
		jit0 := compilerCPU(gw.pid)
		warm(gws, 4, window/2)
		warm(gws, 1, window/2)
		jit := compilerCPU(gw.pid) - jit0
		el := time.Since(start)
		w.Seconds = stats.Round(el.Seconds())
		if jit0 >= 0 {
			w.LastWindowJITms = float64(jit.Milliseconds())
			logf("warm-up: %3.0fs, JIT compiler CPU in the last %s: %d ms", el.Seconds(), window, jit.Milliseconds())
		}
		if jit <= c.jitQuiet {
			quiet++
		} else {
			quiet = 0
		}
		if el >= c.globalWarmup && (!adaptive || quiet >= c.jitQuietWindows) {
			w.JITQuiet = adaptive
			return w
		}
		if adaptive && el >= c.warmupMax {
			logf("warm-up: JIT still busy after %s; measuring anyway", c.warmupMax)
			return w
		}
	}
}

// warm sends mixed load to the targets, each request to the next one in turn.
func warm(ts []*target, conns int, d time.Duration) {
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			br := bufio.NewReaderSize(nil, 16<<10)
			for n := 0; time.Now().Before(deadline); n++ {
				t := ts[(n/8+i)%len(ts)]
				if (n+i)%8 == 0 {
					t.stream(br)
				} else {
					t.unary()
				}
			}
		}(i)
	}
	wg.Wait()
}

func index(sides []*target, t *target) int {
	for i, s := range sides {
		if s == t {
			return i
		}
	}
	return -1
}

// interleave runs rounds of `per` measurements on each side; the order of
// the sides rotates every round so that each goes first equally often and
// slow drift (frequency, noisy neighbours, GC) lands on all of them alike.
//
// With a budget > 0 no new round starts once the budget is spent, so a
// pathologically slow side cannot stretch a run for hours; it returns the
// number of rounds completed.
func interleave(sides []*target, rounds int, budget time.Duration, each func(r, side int)) int {
	start := time.Now()
	for r := 0; r < rounds; r++ {
		if r > 0 && budget > 0 && time.Since(start) > budget {
			logf("time budget of %s spent: stopping after %d of %d rounds", budget, r, rounds)
			return r
		}
		for k := range sides {
			each(r, (k+r)%len(sides))
		}
		runtime.GC()
	}
	return rounds
}

// warmEach runs op n times per side, interleaved, stopping early once budget
// (if > 0) is spent. When the gateway's JIT can be watched (adaptive
// warm-up), it then keeps going in windows of about 2.5 s until a window in
// which the compiler threads used at most half of -jit-quiet: a scenario's
// own traffic pattern (concurrency 1, only unary or only streaming) makes
// HotSpot recompile what the mixed warm-up compiled under other profiles.
func warmEach(c config, sides []*target, gw *target, n int, budget time.Duration, op func(t *target)) {
	start := time.Now()
	spent := func() bool { return budget > 0 && time.Since(start) > budget }
	for i := 0; i < n; i++ {
		if i%16 == 0 && spent() {
			logf("warm-up budget of %s spent after %d of %d per side", budget, i, n)
			return
		}
		for _, t := range sides {
			op(t)
		}
	}
	if gw == nil || c.warmupMax <= c.globalWarmup || compilerCPU(gw.pid) < 0 {
		return
	}
	const window = 2500 * time.Millisecond
	for !spent() {
		jit0 := compilerCPU(gw.pid)
		for w := time.Now(); time.Since(w) < window; {
			for _, t := range sides {
				op(t)
			}
		}
		jit := compilerCPU(gw.pid) - jit0
		if jit <= c.jitQuiet/2 {
			return
		}
		logf("  JIT compiler still busy (%d ms in %s): warming up on", jit.Milliseconds(), window)
	}
	logf("warm-up budget of %s spent with the JIT still busy", budget)
}

// ---------------------------------------------------------------- latency

func latency(c config, sides []*target, gw, ref *target) *result.LatencyResult {
	u := unaryRounds(c, sides, gw)
	out := &result.LatencyResult{Direct: stats.Summarise(u.samples[0]), Errors: u.errs, Rounds: u.rounds}
	if gw != nil {
		i := index(sides, gw)
		g := stats.Summarise(u.samples[i])
		a := stats.Diff(out.Direct, g)
		out.Gateway, out.Added = &g, &a
		out.GatewayCPUPerRequest = u.cpu[i]
		if u.jitMs >= 0 {
			out.GatewayJITms = u.jitMs
		}
		out.RoundAddedP50, out.RoundAddedP99 = u.roundDiff(i, 0)
	}
	if ref != nil {
		i := index(sides, ref)
		g := stats.Summarise(u.samples[i])
		a := stats.Diff(out.Direct, g)
		out.Ref, out.RefAdded = &g, &a
		out.RefCPUPerRequest = u.cpu[i]
		if gw != nil {
			out.RoundOverRefP50, out.RoundOverRefP99 = u.roundDiff(index(sides, gw), i)
		}
	}
	return out
}

// unaryRun is what unaryRounds measured, per side: every sample, each
// round's p50 and p99, and the server's CPU per request.
type unaryRun struct {
	samples            [][]time.Duration
	roundP50, roundP99 [][]float64
	cpu                []float64 // µs per request, 0 when not metered
	rounds             int
	errs               int64
	jitMs              float64 // the gateway's JIT compiler CPU during the rounds, -1 when unknown
}

// roundDiff is the spread over rounds of side i's p50 and p99 minus side j's.
func (u *unaryRun) roundDiff(i, j int) (p50, p99 *result.Spread) {
	var d50, d99 []float64
	for r := range u.roundP50[i] {
		d50 = append(d50, u.roundP50[i][r]-u.roundP50[j][r])
		d99 = append(d99, u.roundP99[i][r]-u.roundP99[j][r])
	}
	return spread(d50), spread(d99)
}

// unaryRounds warms every side up, then measures non-streaming requests at
// concurrency 1 in interleaved rounds (-lat-* settings).
func unaryRounds(c config, sides []*target, gw *target) *unaryRun {
	logf("latency: warm-up %d requests per side", c.latWarmup)
	warmEach(c, sides, gw, c.latWarmup, c.latBudget/4, func(t *target) { t.unary() })
	u := &unaryRun{
		samples:  make([][]time.Duration, len(sides)),
		roundP50: make([][]float64, len(sides)),
		roundP99: make([][]float64, len(sides)),
		cpu:      make([]float64, len(sides)),
		jitMs:    -1,
	}
	for i := range u.samples {
		u.samples[i] = make([]time.Duration, 0, c.latRounds*c.latPerRound)
	}
	meters := make([]*cpuMeter, len(sides))
	for i, t := range sides {
		if t.pid > 0 {
			meters[i] = &cpuMeter{pid: t.pid}
		}
	}
	logf("latency: %d rounds x %d requests per side, rotating which side goes first", c.latRounds, c.latPerRound)
	var jit0 time.Duration = -1
	if gw != nil {
		jit0 = compilerCPU(gw.pid)
	}
	u.rounds = interleave(sides, c.latRounds, c.latBudget, func(r, i int) {
		t, from := sides[i], len(u.samples[i])
		meters[i].begin()
		defer meters[i].end(c.latPerRound)
		for n := 0; n < c.latPerRound; n++ {
			s := time.Now()
			_, err := t.unary()
			d := time.Since(s)
			if err != nil {
				u.errs++
				continue
			}
			u.samples[i] = append(u.samples[i], d)
		}
		p := stats.Summarise(u.samples[i][from:])
		u.roundP50[i] = append(u.roundP50[i], p.P50)
		u.roundP99[i] = append(u.roundP99[i], p.P99)
	})
	for i := range sides {
		u.cpu[i] = stats.Round(meters[i].perOp())
	}
	if jit0 >= 0 {
		u.jitMs = float64((compilerCPU(gw.pid) - jit0).Milliseconds())
	}
	return u
}

func spread(xs []float64) *result.Spread {
	if len(xs) == 0 {
		return nil
	}
	mn, mx := xs[0], xs[0]
	for _, x := range xs {
		mn, mx = min(mn, x), max(mx, x)
	}
	return &result.Spread{Min: stats.Round(mn), Median: stats.Round(stats.Median(xs)), Max: stats.Round(mx)}
}

// ---------------------------------------------------------------- throughput

func throughput(c config, direct, gw, ref *target) *result.ThroughputResult {
	var win window
	out := &result.ThroughputResult{Direct: closedLoop(c, direct, &win)}
	if gw != nil {
		runtime.GC()
		var rec *jfrRecording
		if c.jfr != "" {
			rec = startJFR(c.jcmd, gw.pid, c.jfr, strings.Fields(c.jfrOptions))
		}
		var win window
		g := closedLoop(c, gw, &win)
		if rec != nil {
			if err := rec.stop(); err != nil {
				logf("JFR: %v", err)
			} else {
				g.Profile = &result.Profile{JFR: c.jfr, From: win.from.UTC().Format(time.RFC3339Nano), To: win.to.UTC().Format(time.RFC3339Nano)}
				if win.jit >= 0 {
					g.Profile.CompilerCPUms = float64(win.jit.Microseconds()) / 1e3
				}
			}
		}
		out.Gateway = &g
		if out.Direct.RPS > 0 {
			out.GatewayOverDirect = stats.Round3(g.RPS / out.Direct.RPS)
		}
	}
	if ref != nil {
		runtime.GC()
		g := closedLoop(c, ref, &win)
		out.Ref = &g
	}
	return out
}

// window is closedLoop's measured window: its wall-clock bounds and the CPU
// the server's JIT compiler threads used in it (-1 when unknown).
type window struct {
	from, to time.Time
	jit      time.Duration
}

// closedLoop measures t at -concurrency connections; win receives the
// measured window.
func closedLoop(c config, t *target, win *window) result.TPSide {
	logf("throughput %s: %d connections, %s warm-up + %s measured", t.name, c.tpConc, c.tpWarmup, c.tpDuration)
	base := time.Now()
	win.from, win.to, win.jit = base.Add(c.tpWarmup), base.Add(c.tpWarmup+c.tpDuration), -1
	jitCh := make(chan time.Duration, 1)
	var (
		measureFrom = int64(c.tpWarmup)
		measureTo   = int64(c.tpWarmup + c.tpDuration)
		stop        atomic.Bool
		errs        atomic.Int64
		firstErr    atomic.Value
		bodyBytes   atomic.Int64
		wg          sync.WaitGroup
	)
	per := make([][]time.Duration, c.tpConc)
	var meter *cpuMeter
	if t.pid > 0 {
		meter = &cpuMeter{pid: t.pid}
		go func() {
			time.Sleep(time.Duration(measureFrom))
			meter.begin()
			jit0 := compilerCPU(t.pid)
			time.Sleep(c.tpDuration)
			meter.end(1)
			jit := time.Duration(-1)
			if jit1 := compilerCPU(t.pid); jit0 >= 0 && jit1 >= 0 {
				jit = jit1 - jit0
			}
			jitCh <- jit
		}()
	}
	for i := 0; i < c.tpConc; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1<<16)
			for !stop.Load() {
				s := time.Since(base)
				n, err := t.unary()
				e := time.Since(base)
				if int64(s) >= measureFrom && int64(e) <= measureTo {
					if err != nil {
						if errs.Add(1) == 1 {
							firstErr.Store(err.Error())
						}
					} else {
						lat = append(lat, e-s)
						bodyBytes.Store(int64(n))
					}
				}
			}
			per[i] = lat
		}(i)
	}
	time.Sleep(time.Duration(measureTo))
	stop.Store(true)
	wg.Wait()
	var all []time.Duration
	for _, l := range per {
		all = append(all, l...)
	}
	side := result.TPSide{
		Concurrency: c.tpConc,
		Seconds:     c.tpDuration.Seconds(),
		Requests:    int64(len(all)),
		RPS:         stats.Round(float64(len(all)) / c.tpDuration.Seconds()),
		Errors:      errs.Load(),
		Latency:     stats.Summarise(all),
		BodyBytes:   int(bodyBytes.Load()),
	}
	if v, ok := firstErr.Load().(string); ok {
		side.FirstError = v
	}
	if meter != nil {
		win.jit = <-jitCh
	}
	if meter != nil && meter.n > 0 && len(all) > 0 {
		side.CPUPerRequest = stats.Round(float64(meter.total) / 1e3 / float64(len(all)))
		side.CPUCores = stats.Round3(meter.total.Seconds() / c.tpDuration.Seconds())
	}
	return side
}

// ---------------------------------------------------------------- stream

func streaming(c config, sides []*target, gw, ref *target) *result.StreamResult {
	u := streamRounds(c, sides, gw)
	out := &result.StreamResult{Chunks: u.sides[0].Events, Direct: u.sides[0], Errors: u.errs, Rounds: u.rounds}
	if gw != nil {
		i := index(sides, gw)
		g := u.sides[i]
		at := stats.Diff(out.Direct.TTFB, g.TTFB)
		atot := stats.Diff(out.Direct.Total, g.Total)
		out.Gateway, out.AddedTTFB, out.AddedTotal, out.AddedPerChunk = &g, &at, &atot, u.perChunk(0, i)
		out.GatewayCPUPerStream = u.cpu[i]
		if u.jitMs >= 0 {
			out.GatewayJITms = u.jitMs
		}
	}
	if ref != nil {
		i := index(sides, ref)
		g := u.sides[i]
		at := stats.Diff(out.Direct.TTFB, g.TTFB)
		out.Ref, out.RefAddedTTFB, out.RefAddedPerChunk = &g, &at, u.perChunk(0, i)
		out.RefCPUPerStream = u.cpu[i]
	}
	return out
}

// streamRun is what streamRounds measured, per side.
type streamRun struct {
	sides  []result.StreamSide
	cpu    []float64 // µs per stream, 0 when not metered
	rounds int
	errs   int64
	jitMs  float64 // the gateway's JIT compiler CPU during the rounds, -1 when unknown
}

// perChunk is the added time per chunk of side i over side j: the time after
// the first data event, i minus j, spread over side j's chunks. Per request
// this is exactly (total - j's total - added TTFB) / chunks.
func (u *streamRun) perChunk(j, i int) *stats.Added {
	ch := float64(max(u.sides[j].Events, 1))
	ab := stats.Diff(u.sides[j].Body, u.sides[i].Body)
	return &stats.Added{P50: stats.Round3(ab.P50 / ch), P90: stats.Round3(ab.P90 / ch), P99: stats.Round3(ab.P99 / ch)}
}

// streamRounds warms every side up, then measures streams at concurrency 1
// in interleaved rounds (-stream-* settings).
func streamRounds(c config, sides []*target, gw *target) *streamRun {
	br := bufio.NewReaderSize(nil, 16<<10)
	logf("stream: warm-up %d streams per side", c.stWarmup)
	warmEach(c, sides, gw, c.stWarmup, c.stBudget/4, func(t *target) { t.stream(br) })
	type side struct {
		ttfb, total, body []time.Duration
		events            int
	}
	n := c.stRounds * c.stPerRound
	ss := make([]*side, len(sides))
	for i := range ss {
		ss[i] = &side{ttfb: make([]time.Duration, 0, n), total: make([]time.Duration, 0, n), body: make([]time.Duration, 0, n)}
	}
	u := &streamRun{cpu: make([]float64, len(sides)), jitMs: -1}
	meters := make([]*cpuMeter, len(sides))
	for i, t := range sides {
		if t.pid > 0 {
			meters[i] = &cpuMeter{pid: t.pid}
		}
	}
	logf("stream: %d rounds x %d streams per side, rotating which side goes first", c.stRounds, c.stPerRound)
	var jit0 time.Duration = -1
	if gw != nil {
		jit0 = compilerCPU(gw.pid)
	}
	u.rounds = interleave(sides, c.stRounds, c.stBudget, func(r, i int) {
		t, s := sides[i], ss[i]
		meters[i].begin()
		defer meters[i].end(c.stPerRound)
		for k := 0; k < c.stPerRound; k++ {
			ttfb, total, ev, err := t.stream(br)
			if err != nil {
				u.errs++
				continue
			}
			s.ttfb = append(s.ttfb, ttfb)
			s.total = append(s.total, total)
			s.body = append(s.body, total-ttfb)
			s.events = ev
		}
	})
	for i, s := range ss {
		u.sides = append(u.sides, result.StreamSide{TTFB: stats.Summarise(s.ttfb), Total: stats.Summarise(s.total), Body: stats.Summarise(s.body), Events: s.events})
		u.cpu[i] = stats.Round(meters[i].perOp())
	}
	if jit0 >= 0 {
		u.jitMs = float64((compilerCPU(gw.pid) - jit0).Milliseconds())
	}
	return u
}

// ---------------------------------------------------------------- printing

func pline(name string, p stats.Percentiles) {
	fmt.Printf("  %-24s %9.1f %9.1f %9.1f %9.1f %9.1f %8d\n", name, p.P50, p.P90, p.P99, p.P999, p.Max, p.N)
}

func aline(name string, a *stats.Added, f string) {
	fmt.Printf("  %-24s "+f+" "+f+" "+f+"\n", name, a.P50, a.P90, a.P99)
}

func phead(title string) {
	fmt.Printf("\n%s\n  %-24s %9s %9s %9s %9s %9s %8s\n", title, "(µs)", "p50", "p90", "p99", "p99.9", "max", "n")
}

func printLatency(r *result.LatencyResult, ref string) {
	phead("LATENCY  non-streaming, concurrency 1, interleaved rounds")
	pline("direct to fake", r.Direct)
	if r.Ref != nil {
		pline("through "+ref, *r.Ref)
	}
	if r.Added != nil {
		pline("through Veil", *r.Gateway)
	}
	if r.RefAdded != nil {
		aline("added by "+ref, r.RefAdded, "%9.1f")
	}
	if r.Added != nil {
		aline("ADDED BY VEIL", r.Added, "%9.1f")
		fmt.Printf("  per-round added p50: min %.1f  median %.1f  max %.1f µs; p99: min %.1f  median %.1f  max %.1f µs (%d rounds)\n",
			r.RoundAddedP50.Min, r.RoundAddedP50.Median, r.RoundAddedP50.Max,
			r.RoundAddedP99.Min, r.RoundAddedP99.Median, r.RoundAddedP99.Max, r.Rounds)
	}
	if r.GatewayCPUPerRequest > 0 || r.RefCPUPerRequest > 0 {
		fmt.Printf("  server CPU per request: Veil %.1f µs, %s %.1f µs; Veil JIT compiler CPU during the rounds: %.0f ms\n",
			r.GatewayCPUPerRequest, ref, r.RefCPUPerRequest, r.GatewayJITms)
	}
	fmt.Printf("  errors: %d\n", r.Errors)
}

func printThroughput(r *result.ThroughputResult, ref string) {
	fmt.Printf("\nTHROUGHPUT  non-streaming, closed loop, %d keep-alive connections, %.0f s measured\n", r.Direct.Concurrency, r.Direct.Seconds)
	fmt.Printf("  %-24s %12s %8s %10s %10s %8s %10s %6s\n", "", "requests/s", "errors", "p50 µs", "p99 µs", "body B", "CPU µs/req", "cores")
	row := func(n string, s result.TPSide) {
		fmt.Printf("  %-24s %12.0f %8d %10.1f %10.1f %8d %10.1f %6.2f\n", n, s.RPS, s.Errors, s.Latency.P50, s.Latency.P99, s.BodyBytes, s.CPUPerRequest, s.CPUCores)
		if s.FirstError != "" {
			fmt.Printf("    first error: %s\n", s.FirstError)
		}
	}
	row("direct to fake", r.Direct)
	if r.Ref != nil {
		row("through "+ref, *r.Ref)
	}
	if r.Gateway != nil {
		row("THROUGH VEIL", *r.Gateway)
		fmt.Printf("  Veil / fake ceiling: %.1f%%\n", 100*r.GatewayOverDirect)
	}
}

func printStream(r *result.StreamResult, ref string) {
	phead(fmt.Sprintf("STREAM  %d data events + [DONE], no inter-chunk delay, concurrency 1, interleaved", r.Chunks))
	pline("direct TTFB", r.Direct.TTFB)
	pline("direct total", r.Direct.Total)
	if r.Ref != nil {
		pline(ref+" TTFB", r.Ref.TTFB)
		pline(ref+" total", r.Ref.Total)
	}
	if r.Gateway != nil {
		pline("Veil TTFB", r.Gateway.TTFB)
		pline("Veil total", r.Gateway.Total)
	}
	if r.Ref != nil {
		aline(ref+" added TTFB", r.RefAddedTTFB, "%9.1f")
		aline(ref+" added /chunk", r.RefAddedPerChunk, "%9.3f")
		if r.RefCPUPerStream > 0 {
			fmt.Printf("  %s CPU per stream %.1f µs, per chunk %.3f µs\n", ref, r.RefCPUPerStream, r.RefCPUPerChunk)
		}
	}
	if r.Gateway != nil {
		aline("ADDED TTFB BY VEIL", r.AddedTTFB, "%9.1f")
		aline("added total by Veil", r.AddedTotal, "%9.1f")
		aline("ADDED PER CHUNK BY VEIL", r.AddedPerChunk, "%9.3f")
		if r.GatewayCPUPerStream > 0 {
			fmt.Printf("  Veil CPU per stream %.1f µs, per chunk %.3f µs (stream minus one request, over %d chunks); JIT compiler CPU during the rounds: %.0f ms\n",
				r.GatewayCPUPerStream, r.GatewayCPUPerChunk, r.Chunks, r.GatewayJITms)
		}
		if r.Gateway.Events != r.Direct.Events {
			fmt.Printf("  note: Veil relayed %d data events, the fake sent %d\n", r.Gateway.Events, r.Direct.Events)
		}
	}
	fmt.Printf("  errors: %d\n", r.Errors)
}

// ---------------------------------------------------------------- translation

// translation measures the OpenAI surface served from an Anthropic upstream
// (gwA, which translates request, response and stream events) next to the
// same surface served from an OpenAI upstream (gw), interleaved with direct
// requests to the fake's OpenAI endpoint, which both are measured against.
// It reuses the latency and stream scenarios with gwA in the second slot.
func translation(c config, direct, gw, gwA *target) *result.TranslationResult {
	sides := []*target{direct, gw, gwA}
	logf("translation: %q (OpenAI upstream) vs %q (Anthropic upstream), non-streaming", c.model, c.translationModel)
	l := latency(c, sides, gw, gwA)
	runtime.GC()
	logf("translation: streaming")
	s := streaming(c, sides, gw, gwA)
	ratio := func(a, b float64) float64 {
		if b <= 0 {
			return 0
		}
		return stats.Round3(a / b)
	}
	atot := stats.Diff(s.Direct.Total, s.Ref.Total)
	out := &result.TranslationResult{
		OpenAIModel: c.model, AnthropicModel: c.translationModel,
		LatencyRounds: l.Rounds, Direct: l.Direct, OpenAI: l.Gateway, Anthropic: l.Ref,
		AddedOpenAI: l.Added, AddedAnthropic: l.RefAdded,
		LatencyRatioP50:  ratio(l.RefAdded.P50, l.Added.P50),
		LatencyRatioP99:  ratio(l.RefAdded.P99, l.Added.P99),
		CPUPerRequestOAI: l.GatewayCPUPerRequest, CPUPerRequestAnth: l.RefCPUPerRequest,
		LatencyJITms: l.GatewayJITms, LatencyErrors: l.Errors,

		StreamRounds: s.Rounds, Chunks: s.Chunks, StreamDirect: s.Direct,
		StreamOpenAI: s.Gateway, StreamAnthropic: s.Ref,
		AddedTTFBOpenAI: s.AddedTTFB, AddedTTFBAnthropic: s.RefAddedTTFB,
		AddedTotalOpenAI: s.AddedTotal, AddedTotalAnthropic: &atot,
		AddedPerChunkOpenAI: s.AddedPerChunk, AddedPerChunkAnthropic: s.RefAddedPerChunk,
		TTFBRatioP99:    ratio(s.RefAddedTTFB.P99, s.AddedTTFB.P99),
		TotalRatioP99:   ratio(atot.P99, s.AddedTotal.P99),
		CPUPerStreamOAI: s.GatewayCPUPerStream, CPUPerStreamAnth: s.RefCPUPerStream,
		StreamJITms: s.GatewayJITms, StreamErrors: s.Errors,
	}
	if ch := float64(max(s.Chunks, 1)); out.CPUPerRequestOAI > 0 && out.CPUPerStreamOAI > 0 {
		out.CPUPerChunkOAI = stats.Round3((out.CPUPerStreamOAI - out.CPUPerRequestOAI) / ch)
		out.CPUPerChunkAnth = stats.Round3((out.CPUPerStreamAnth - out.CPUPerRequestAnth) / ch)
	}
	return out
}

func printTranslation(r *result.TranslationResult) {
	phead(fmt.Sprintf("TRANSLATION  OpenAI surface, concurrency 1, interleaved: %q -> OpenAI upstream vs %q -> Anthropic upstream", r.OpenAIModel, r.AnthropicModel))
	pline("direct to fake", r.Direct)
	pline("Veil, OpenAI upstream", *r.OpenAI)
	pline("Veil, Anthropic upstream", *r.Anthropic)
	aline("added, OpenAI upstream", r.AddedOpenAI, "%9.1f")
	aline("added, Anthropic upstrm", r.AddedAnthropic, "%9.1f")
	fmt.Printf("  ADDED RATIO Anthropic/OpenAI: p50 %.3f, p99 %.3f (target p99 <= 1.20); %d rounds, JIT %.0f ms, errors %d\n",
		r.LatencyRatioP50, r.LatencyRatioP99, r.LatencyRounds, r.LatencyJITms, r.LatencyErrors)
	phead(fmt.Sprintf("TRANSLATION  streaming, %d chunks from the fake, concurrency 1, interleaved", r.Chunks))
	pline("direct TTFB", r.StreamDirect.TTFB)
	pline("direct total", r.StreamDirect.Total)
	pline("OpenAI upstream TTFB", r.StreamOpenAI.TTFB)
	pline("OpenAI upstream total", r.StreamOpenAI.Total)
	pline("Anthropic upstrm TTFB", r.StreamAnthropic.TTFB)
	pline("Anthropic upstrm total", r.StreamAnthropic.Total)
	aline("added TTFB, OpenAI", r.AddedTTFBOpenAI, "%9.1f")
	aline("added TTFB, Anthropic", r.AddedTTFBAnthropic, "%9.1f")
	aline("added total, OpenAI", r.AddedTotalOpenAI, "%9.1f")
	aline("added total, Anthropic", r.AddedTotalAnthropic, "%9.1f")
	aline("added /chunk, OpenAI", r.AddedPerChunkOpenAI, "%9.3f")
	aline("added /chunk, Anthropic", r.AddedPerChunkAnthropic, "%9.3f")
	fmt.Printf("  ADDED p99 RATIO Anthropic/OpenAI: TTFB %.3f, total %.3f (target <= 1.20); data events relayed: OpenAI path %d, Anthropic path %d\n",
		r.TTFBRatioP99, r.TotalRatioP99, r.StreamOpenAI.Events, r.StreamAnthropic.Events)
	if r.CPUPerRequestOAI > 0 {
		fmt.Printf("  Veil CPU µs: per request %.1f (OpenAI) / %.1f (Anthropic); per stream %.1f / %.1f; per chunk %.3f / %.3f\n",
			r.CPUPerRequestOAI, r.CPUPerRequestAnth, r.CPUPerStreamOAI, r.CPUPerStreamAnth, r.CPUPerChunkOAI, r.CPUPerChunkAnth)
	}
	fmt.Printf("  %d rounds, JIT %.0f ms, errors %d\n", r.StreamRounds, r.StreamJITms, r.StreamErrors)
}

// ---------------------------------------------------------------- responses

// responses measures the Responses API surface next to the chat completions
// surface of the same gateway, model and upstream: gw sends the chat
// request, gwR the same prompt to /v1/responses with "store": false, gwRS
// with store left to its default (Veil keeps every response). Veil
// translates each Responses request to chat completions for the
// OpenAI-compatible upstream, so the fake answers all three alike and what
// differs is Veil's work on the surface. All are interleaved with direct
// requests to the fake; non-streaming first, then streaming.
func responses(c config, direct, gw, gwR, gwRS *target) *result.ResponsesResult {
	sides := []*target{direct, gw, gwR, gwRS}
	logf("responses: %q on /v1/chat/completions vs /v1/responses (store false, store default), non-streaming", c.model)
	u := unaryRounds(c, sides, gw)
	runtime.GC()
	logf("responses: streaming")
	s := streamRounds(c, sides, gw)
	out := &result.ResponsesResult{
		Model: c.model, LatencyRounds: u.rounds, Direct: stats.Summarise(u.samples[0]), LatencyErrors: u.errs,
		StreamRounds: s.rounds, Chunks: s.sides[0].Events, StreamDirect: s.sides[0], StreamErrors: s.errs,
	}
	if u.jitMs >= 0 {
		out.LatencyJITms = u.jitMs
	}
	if s.jitMs >= 0 {
		out.StreamJITms = s.jitMs
	}
	names := []string{"", "chat completions", "responses, store false", "responses, store default (true)"}
	var chat result.ResponsesPath
	for i := 1; i < len(sides); i++ {
		t := sides[i]
		p := result.ResponsesPath{
			Name: names[i], Endpoint: strings.TrimPrefix(t.url, strings.TrimRight(c.gateway, "/")), Body: string(t.body),
			Latency: stats.Summarise(u.samples[i]), CPUPerRequest: u.cpu[i],
			Stream: s.sides[i], CPUPerStream: s.cpu[i],
		}
		p.Added = stats.Diff(out.Direct, p.Latency)
		p.AddedTTFB = stats.Diff(out.StreamDirect.TTFB, p.Stream.TTFB)
		p.AddedTotal = stats.Diff(out.StreamDirect.Total, p.Stream.Total)
		if i == 1 {
			chat = p
		} else {
			oc := stats.Diff(chat.Latency, p.Latency)
			ttfb := stats.Diff(chat.Stream.TTFB, p.Stream.TTFB)
			total := stats.Diff(chat.Stream.Total, p.Stream.Total)
			p.OverChat, p.TTFBOverChat, p.TotalOverChat = &oc, &ttfb, &total
			p.RoundOverChatP50, p.RoundOverChatP99 = u.roundDiff(i, 1)
		}
		out.Paths = append(out.Paths, p)
	}
	return out
}

func printResponses(r *result.ResponsesResult) {
	phead(fmt.Sprintf("RESPONSES  model %q, non-streaming, concurrency 1, interleaved: chat completions vs /v1/responses", r.Model))
	pline("direct to fake", r.Direct)
	for _, p := range r.Paths {
		pline("Veil, "+short(p.Name), p.Latency)
	}
	for _, p := range r.Paths {
		aline("added, "+short(p.Name), &p.Added, "%9.1f")
	}
	for _, p := range r.Paths[1:] {
		aline("OVER CHAT, "+short(p.Name), p.OverChat, "%9.1f")
		fmt.Printf("    per-round difference p50: min %.1f  median %.1f  max %.1f µs; p99: min %.1f  median %.1f  max %.1f µs\n",
			p.RoundOverChatP50.Min, p.RoundOverChatP50.Median, p.RoundOverChatP50.Max,
			p.RoundOverChatP99.Min, p.RoundOverChatP99.Median, p.RoundOverChatP99.Max)
	}
	fmt.Printf("  Veil CPU per request:")
	for _, p := range r.Paths {
		fmt.Printf(" %s %.1f µs;", short(p.Name), p.CPUPerRequest)
	}
	fmt.Printf(" %d rounds, JIT %.0f ms, errors %d\n", r.LatencyRounds, r.LatencyJITms, r.LatencyErrors)

	phead(fmt.Sprintf("RESPONSES  streaming, %d chunks from the fake, concurrency 1, interleaved", r.Chunks))
	pline("direct TTFB", r.StreamDirect.TTFB)
	pline("direct total", r.StreamDirect.Total)
	for _, p := range r.Paths {
		pline(short(p.Name)+" TTFB", p.Stream.TTFB)
		pline(short(p.Name)+" total", p.Stream.Total)
	}
	for _, p := range r.Paths {
		aline("added TTFB, "+short(p.Name), &p.AddedTTFB, "%9.1f")
		aline("added total, "+short(p.Name), &p.AddedTotal, "%9.1f")
	}
	for _, p := range r.Paths[1:] {
		aline("TTFB over chat, "+short(p.Name), p.TTFBOverChat, "%9.1f")
		aline("total over chat, "+short(p.Name), p.TotalOverChat, "%9.1f")
	}
	fmt.Printf("  data events relayed:")
	for _, p := range r.Paths {
		fmt.Printf(" %s %d;", short(p.Name), p.Stream.Events)
	}
	fmt.Printf(" Veil CPU per stream:")
	for _, p := range r.Paths {
		fmt.Printf(" %s %.1f µs;", short(p.Name), p.CPUPerStream)
	}
	fmt.Printf(" %d rounds, JIT %.0f ms, errors %d\n", r.StreamRounds, r.StreamJITms, r.StreamErrors)
}

// short names a responses path in a table's first column.
func short(name string) string {
	switch {
	case strings.HasPrefix(name, "chat"):
		return "chat"
	case strings.Contains(name, "store false"):
		return "resp store=false"
	default:
		return "resp store=true"
	}
}
