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
	key       string
	model     string

	globalWarmup time.Duration

	latWarmup   int
	latRounds   int
	latPerRound int

	tpConc     int
	tpWarmup   time.Duration
	tpDuration time.Duration

	stWarmup   int
	stRounds   int
	stPerRound int

	jsonOut string
}

func main() {
	var c config
	scen := flag.String("scenario", "all", "comma-separated scenarios: latency,throughput,stream or all")
	flag.StringVar(&c.direct, "direct", "", "base URL of the fake upstream, e.g. http://127.0.0.1:9001 (required)")
	flag.StringVar(&c.gateway, "gateway", "", "base URL of the gateway; empty = direct side only")
	flag.StringVar(&c.key, "key", "bench-master-key", "bearer key sent on every request (both sides, for symmetry)")
	flag.StringVar(&c.model, "model", "bench", "model name in the request body")
	flag.DurationVar(&c.globalWarmup, "warmup", 20*time.Second, "initial mixed warm-up of the gateway (JIT) before any scenario")
	flag.IntVar(&c.latWarmup, "lat-warmup", 5000, "latency: warm-up requests per side at concurrency 1")
	flag.IntVar(&c.latRounds, "lat-rounds", 20, "latency: interleaved rounds")
	flag.IntVar(&c.latPerRound, "lat-per-round", 500, "latency: requests per side per round")
	flag.IntVar(&c.tpConc, "concurrency", 64, "throughput: concurrent keep-alive connections")
	flag.DurationVar(&c.tpWarmup, "tp-warmup", 5*time.Second, "throughput: warm-up per side before measuring")
	flag.DurationVar(&c.tpDuration, "duration", 20*time.Second, "throughput: measured duration per side")
	flag.IntVar(&c.stWarmup, "stream-warmup", 1000, "stream: warm-up streams per side")
	flag.IntVar(&c.stRounds, "stream-rounds", 10, "stream: interleaved rounds")
	flag.IntVar(&c.stPerRound, "stream-per-round", 200, "stream: streams per side per round")
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
	if *scen == "all" {
		c.scenarios = []string{"latency", "throughput", "stream"}
	} else {
		for _, s := range strings.Split(*scen, ",") {
			s = strings.TrimSpace(s)
			switch s {
			case "latency", "throughput", "stream":
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
}

func newTarget(name, base, key, model string, conns int) *target {
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
	return &target{
		name:   name,
		url:    strings.TrimRight(base, "/") + "/v1/chat/completions",
		client: &http.Client{Transport: tr, Timeout: 60 * time.Second},
		body:   []byte(`{"model":"` + model + `","messages":[{"role":"user","content":"Say hello"}]}`),
		sbody:  []byte(`{"model":"` + model + `","messages":[{"role":"user","content":"Say hello"}],"stream":true}`),
		key:    key,
	}
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
	dataPrefix = []byte("data:")
	doneLine   = []byte("[DONE]")
)

// stream sends one streaming request; it returns the time to the first data
// event, the time to [DONE] (or end of body), and the number of data events
// other than [DONE].
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
			if bytes.Equal(payload, doneLine) {
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
		return ttfb, time.Since(start), events, errors.New(t.name + ": stream ended without data: [DONE]")
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
	direct := newTarget("direct", c.direct, c.key, c.model, c.tpConc)
	var gw *target
	if c.gateway != "" {
		gw = newTarget("gateway", c.gateway, c.key, c.model, c.tpConc)
	}

	sanity(direct)
	if gw != nil {
		sanity(gw)
		if c.globalWarmup > 0 {
			logf("warm-up: %s of mixed load through the gateway (4 connections, 1 in 8 streaming)", c.globalWarmup)
			warm(gw, 4, c.globalWarmup)
		}
	}

	for _, s := range c.scenarios {
		runtime.GC()
		switch s {
		case "latency":
			res.Latency = latency(c, direct, gw)
			printLatency(res.Latency)
		case "throughput":
			res.Throughput = throughput(c, direct, gw)
			printThroughput(res.Throughput)
		case "stream":
			res.Stream = streaming(c, direct, gw)
			printStream(res.Stream)
		}
	}
	return res
}

// sanity checks that a target answers a well-formed completion and stream.
func sanity(t *target) {
	code, b, err := t.unaryBody(false)
	if err != nil || code != 200 {
		fatalf("%s sanity check: HTTP %d, err %v, body %.300s", t.name, code, err, b)
	}
	var comp struct {
		Object  string `json:"object"`
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(b, &comp); err != nil || comp.Object != "chat.completion" || len(comp.Choices) == 0 {
		fatalf("%s sanity check: not a chat.completion (err %v): %.300s", t.name, err, b)
	}
	br := bufio.NewReaderSize(nil, 16<<10)
	_, _, ev, err := t.stream(br)
	if err != nil || ev < 2 {
		fatalf("%s sanity check (stream): %d events, err %v", t.name, ev, err)
	}
	logf("%s ok: completion %d bytes, stream %d data events + [DONE]", t.name, len(b), ev)
}

func warm(t *target, conns int, d time.Duration) {
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			br := bufio.NewReaderSize(nil, 16<<10)
			for n := 0; time.Now().Before(deadline); n++ {
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

// ---------------------------------------------------------------- latency

func latency(c config, direct, gw *target) *result.LatencyResult {
	logf("latency: warm-up %d requests per side", c.latWarmup)
	var errs int64
	for i := 0; i < c.latWarmup; i++ {
		if _, err := direct.unary(); err != nil {
			errs++
		}
		if gw != nil {
			if _, err := gw.unary(); err != nil {
				errs++
			}
		}
	}
	errs = 0
	n := c.latRounds * c.latPerRound
	ds := make([]time.Duration, 0, n)
	gs := make([]time.Duration, 0, n)
	var roundDiffs []float64
	block := func(t *target, out []time.Duration) []time.Duration {
		for i := 0; i < c.latPerRound; i++ {
			s := time.Now()
			_, err := t.unary()
			d := time.Since(s)
			if err != nil {
				errs++
				continue
			}
			out = append(out, d)
		}
		return out
	}
	logf("latency: %d rounds x %d requests per side, alternating which side goes first", c.latRounds, c.latPerRound)
	for r := 0; r < c.latRounds; r++ {
		d0, g0 := len(ds), len(gs)
		if gw == nil {
			ds = block(direct, ds)
		} else if r%2 == 0 {
			ds = block(direct, ds)
			gs = block(gw, gs)
		} else {
			gs = block(gw, gs)
			ds = block(direct, ds)
		}
		if gw != nil {
			rd := stats.Summarise(ds[d0:])
			rg := stats.Summarise(gs[g0:])
			roundDiffs = append(roundDiffs, rg.P50-rd.P50)
		}
		runtime.GC()
	}
	out := &result.LatencyResult{Direct: stats.Summarise(ds), Errors: errs}
	if gw != nil {
		g := stats.Summarise(gs)
		out.Gateway = &g
		a := stats.Diff(out.Direct, g)
		out.Added = &a
		mn, mx := roundDiffs[0], roundDiffs[0]
		for _, x := range roundDiffs {
			mn, mx = min(mn, x), max(mx, x)
		}
		out.RoundAddedP50 = &result.Spread{Min: stats.Round(mn), Median: stats.Round(stats.Median(roundDiffs)), Max: stats.Round(mx)}
	}
	return out
}

// ---------------------------------------------------------------- throughput

func throughput(c config, direct, gw *target) *result.ThroughputResult {
	out := &result.ThroughputResult{Direct: closedLoop(c, direct)}
	if gw != nil {
		runtime.GC()
		g := closedLoop(c, gw)
		out.Gateway = &g
		if out.Direct.RPS > 0 {
			out.GatewayOverDirect = stats.Round3(g.RPS / out.Direct.RPS)
		}
	}
	return out
}

func closedLoop(c config, t *target) result.TPSide {
	logf("throughput %s: %d connections, %s warm-up + %s measured", t.name, c.tpConc, c.tpWarmup, c.tpDuration)
	base := time.Now()
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
	return side
}

// ---------------------------------------------------------------- stream

func streaming(c config, direct, gw *target) *result.StreamResult {
	br := bufio.NewReaderSize(nil, 16<<10)
	var errs int64
	logf("stream: warm-up %d streams per side", c.stWarmup)
	for i := 0; i < c.stWarmup; i++ {
		direct.stream(br)
		if gw != nil {
			gw.stream(br)
		}
	}
	type side struct {
		ttfb, total, body []time.Duration
		events            int
	}
	n := c.stRounds * c.stPerRound
	mk := func() *side {
		return &side{ttfb: make([]time.Duration, 0, n), total: make([]time.Duration, 0, n), body: make([]time.Duration, 0, n)}
	}
	ds, gs := mk(), mk()
	block := func(t *target, s *side) {
		for i := 0; i < c.stPerRound; i++ {
			ttfb, total, ev, err := t.stream(br)
			if err != nil {
				errs++
				continue
			}
			s.ttfb = append(s.ttfb, ttfb)
			s.total = append(s.total, total)
			s.body = append(s.body, total-ttfb)
			s.events = ev
		}
	}
	logf("stream: %d rounds x %d streams per side, alternating which side goes first", c.stRounds, c.stPerRound)
	for r := 0; r < c.stRounds; r++ {
		if gw == nil {
			block(direct, ds)
		} else if r%2 == 0 {
			block(direct, ds)
			block(gw, gs)
		} else {
			block(gw, gs)
			block(direct, ds)
		}
		runtime.GC()
	}
	sum := func(s *side) result.StreamSide {
		return result.StreamSide{TTFB: stats.Summarise(s.ttfb), Total: stats.Summarise(s.total), Body: stats.Summarise(s.body), Events: s.events}
	}
	out := &result.StreamResult{Chunks: ds.events, Direct: sum(ds), Errors: errs}
	if gw != nil {
		g := sum(gs)
		out.Gateway = &g
		at := stats.Diff(out.Direct.TTFB, g.TTFB)
		atot := stats.Diff(out.Direct.Total, g.Total)
		out.AddedTTFB, out.AddedTotal = &at, &atot
		// Added time per chunk: the time after the first data event, gateway
		// minus direct, spread over the chunks. Per request this is exactly
		// (gateway total - direct total - added TTFB) / chunks.
		ab := stats.Diff(out.Direct.Body, g.Body)
		ch := float64(max(out.Chunks, 1))
		out.AddedPerChunk = &stats.Added{P50: stats.Round3(ab.P50 / ch), P90: stats.Round3(ab.P90 / ch), P99: stats.Round3(ab.P99 / ch)}
	}
	return out
}

// ---------------------------------------------------------------- printing

func pline(name string, p stats.Percentiles) {
	fmt.Printf("  %-22s %9.1f %9.1f %9.1f %9.1f %9.1f %8d\n", name, p.P50, p.P90, p.P99, p.P999, p.Max, p.N)
}

func phead(title string) {
	fmt.Printf("\n%s\n  %-22s %9s %9s %9s %9s %9s %8s\n", title, "(µs)", "p50", "p90", "p99", "p99.9", "max", "n")
}

func printLatency(r *result.LatencyResult) {
	phead("LATENCY  non-streaming, concurrency 1, interleaved rounds")
	pline("direct to fake", r.Direct)
	if r.Added != nil {
		pline("through Veil", *r.Gateway)
		fmt.Printf("  %-22s %9.1f %9.1f %9.1f\n", "ADDED by Veil", r.Added.P50, r.Added.P90, r.Added.P99)
		fmt.Printf("  per-round added p50: min %.1f  median %.1f  max %.1f µs\n",
			r.RoundAddedP50.Min, r.RoundAddedP50.Median, r.RoundAddedP50.Max)
	}
	fmt.Printf("  errors: %d\n", r.Errors)
}

func printThroughput(r *result.ThroughputResult) {
	fmt.Printf("\nTHROUGHPUT  non-streaming, closed loop, %d keep-alive connections, %.0f s measured\n", r.Direct.Concurrency, r.Direct.Seconds)
	fmt.Printf("  %-22s %12s %8s %10s %10s %8s\n", "", "requests/s", "errors", "p50 µs", "p99 µs", "body B")
	row := func(n string, s result.TPSide) {
		fmt.Printf("  %-22s %12.0f %8d %10.1f %10.1f %8d\n", n, s.RPS, s.Errors, s.Latency.P50, s.Latency.P99, s.BodyBytes)
		if s.FirstError != "" {
			fmt.Printf("    first error: %s\n", s.FirstError)
		}
	}
	row("direct to fake", r.Direct)
	if r.Gateway != nil {
		row("through Veil", *r.Gateway)
		fmt.Printf("  Veil / fake ceiling: %.1f%%\n", 100*r.GatewayOverDirect)
	}
}

func printStream(r *result.StreamResult) {
	phead(fmt.Sprintf("STREAM  %d data events + [DONE], no inter-chunk delay, concurrency 1, interleaved", r.Chunks))
	pline("direct TTFB", r.Direct.TTFB)
	pline("direct total", r.Direct.Total)
	if r.Gateway != nil {
		pline("Veil TTFB", r.Gateway.TTFB)
		pline("Veil total", r.Gateway.Total)
		fmt.Printf("  %-22s %9.1f %9.1f %9.1f\n", "ADDED TTFB", r.AddedTTFB.P50, r.AddedTTFB.P90, r.AddedTTFB.P99)
		fmt.Printf("  %-22s %9.1f %9.1f %9.1f\n", "ADDED total", r.AddedTotal.P50, r.AddedTotal.P90, r.AddedTotal.P99)
		fmt.Printf("  %-22s %9.3f %9.3f %9.3f\n", "ADDED per chunk", r.AddedPerChunk.P50, r.AddedPerChunk.P90, r.AddedPerChunk.P99)
		if r.Gateway.Events != r.Direct.Events {
			fmt.Printf("  note: Veil relayed %d data events, the fake sent %d\n", r.Gateway.Events, r.Direct.Events)
		}
	}
	fmt.Printf("  errors: %d\n", r.Errors)
}
