// Command peerload drives the "Veil vs Portkey and LiteLLM" benchmark
// (bench/peers): the same requests, from one process, against several sides
// that all reach the same fake upstreams on loopback.
//
// Sides come from -sides, a JSON file written by bench/peers: a name, a
// process id (for RSS; 0 = none) and two routes, each a URL, model, bearer
// key and extra headers: "fast" reaches the zero-delay fake, "slow" the fake
// that answers after 20 ms and paces stream chunks 20 ms apart. The side
// named "direct" talks to the fakes themselves and is the baseline.
//
// Scenarios, in order (-scenario selects a subset):
//
//	latency   concurrency 1, fast route, interleaved rounds over all sides
//	          (order rotated each round); p50/p99 per side and added =
//	          side - direct at each percentile.
//	frontier  slow route, open loop at a constant arrival rate; each request
//	          is timed from its intended send time. A rate passes when
//	          p99 < 50 ms and errors < 0.1%; the rate doubles until one
//	          fails, then is bisected. Direct first: the harness's ceiling.
//	stream    slow route, 64 chunks 20 ms apart: -stream-n streams at
//	          -stream-conc concurrent per side for time to first token and
//	          inter-chunk gaps; then -stream-levels concurrent streams at
//	          once, a level passing when no stream stalls (a gap over
//	          -stall, a first token after 1 s, an error or a missing [DONE]).
//	soak      all gateway sides at once at a fixed rate (fast route, at most
//	          half of each side's frontier) for -soak; RSS sampled.
//
// RSS (the process and its children, VmRSS) is read before any load (idle),
// sampled every 250 ms while a side is under load (peak under load) and
// through the soak (growth). Nothing here asserts: it measures and reports.
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
	"math"
	"net"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"dev.veil/bench/internal/stats"
)

type route struct {
	URL     string            `json:"url"`
	Model   string            `json:"model"`
	Key     string            `json:"key"`
	Headers map[string]string `json:"headers,omitempty"`
}

type sideSpec struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	PID   int    `json:"pid"`
	Fast  route  `json:"fast"`
	Slow  route  `json:"slow"`
}

type side struct {
	sideSpec
	client *http.Client
	fast   compiled
	slow   compiled
	mem    *memTracker
	// streamErr is set when the sanity check's stream failed: the side's
	// stream scenario is then skipped and the error reported.
	streamErr string
}

type compiled struct {
	url    string
	header http.Header
	body   []byte
	sbody  []byte
}

func compile(r route) compiled {
	h := http.Header{}
	h["Content-Type"] = []string{"application/json"}
	if r.Key != "" {
		h["Authorization"] = []string{"Bearer " + r.Key}
	}
	for k, v := range r.Headers {
		h.Set(k, v)
	}
	return compiled{
		url:    strings.TrimRight(r.URL, "/") + "/v1/chat/completions",
		header: h,
		body:   []byte(`{"model":"` + r.Model + `","messages":[{"role":"user","content":"Say hello"}]}`),
		sbody:  []byte(`{"model":"` + r.Model + `","messages":[{"role":"user","content":"Say hello"}],"stream":true}`),
	}
}

type config struct {
	scenarios map[string]bool
	quick     bool

	warmup time.Duration

	latWarmup   int
	latRounds   int
	latPerRound int
	latRoundMax time.Duration

	frStart    float64
	frMax      float64
	frStep     time.Duration
	frBisect   int
	frP99      time.Duration
	frErrRatio float64

	stN      int
	stConc   int
	stLevels []int
	stall    time.Duration

	soak     time.Duration
	soakRate float64
}

func main() {
	var c config
	sidesFile := flag.String("sides", "", "JSON file with the sides (required)")
	scen := flag.String("scenario", "latency,frontier,stream,soak", "comma-separated subset of latency,frontier,stream,soak")
	jsonOut := flag.String("json", "", "write results as JSON here")
	mdOut := flag.String("markdown", "", "write the Markdown tables here")
	var meta metaFlag
	flag.Var(&meta, "meta", "key=value recorded in the JSON under \"run\" (repeatable)")
	flag.DurationVar(&c.warmup, "warmup", 10*time.Second, "warm-up of all gateway sides at once before any scenario")
	flag.IntVar(&c.latWarmup, "lat-warmup", 1000, "latency: warm-up requests per side")
	flag.IntVar(&c.latRounds, "lat-rounds", 20, "latency: interleaved rounds")
	flag.IntVar(&c.latPerRound, "lat-per-round", 500, "latency: requests per side per round (at most)")
	flag.DurationVar(&c.latRoundMax, "lat-round-max", 2*time.Second, "latency: time per side per round (at most)")
	flag.Float64Var(&c.frStart, "frontier-start", 200, "frontier: first rate (requests/s)")
	flag.Float64Var(&c.frMax, "frontier-max", 40000, "frontier: highest rate tried")
	flag.DurationVar(&c.frStep, "frontier-step", 10*time.Second, "frontier: duration of each rate")
	flag.IntVar(&c.frBisect, "frontier-bisect", 4, "frontier: bisection steps after the first failing rate")
	flag.DurationVar(&c.frP99, "frontier-p99", 50*time.Millisecond, "frontier: p99 bound for a sustained rate")
	flag.Float64Var(&c.frErrRatio, "frontier-errors", 0.001, "frontier: error ratio bound for a sustained rate")
	flag.IntVar(&c.stN, "stream-n", 500, "stream: streams per side for TTFT and inter-chunk gaps")
	flag.IntVar(&c.stConc, "stream-conc", 50, "stream: concurrent streams while measuring TTFT and gaps")
	levels := flag.String("stream-levels", "100,250,500,1000,2000", "stream: concurrent-stream levels for the stall test")
	flag.DurationVar(&c.stall, "stall", 250*time.Millisecond, "stream: a gap between chunks longer than this is a stall")
	flag.DurationVar(&c.soak, "soak", 10*time.Minute, "soak: duration (RSS growth)")
	flag.Float64Var(&c.soakRate, "soak-rate", 500, "soak: requests/s per gateway side (at most half its frontier)")
	flag.BoolVar(&c.quick, "quick", false, "label the run as quick")
	flag.Parse()

	if *sidesFile == "" {
		fatalf("-sides is required")
	}
	c.scenarios = map[string]bool{}
	for _, s := range strings.Split(*scen, ",") {
		switch s = strings.TrimSpace(s); s {
		case "latency", "frontier", "stream", "soak":
			c.scenarios[s] = true
		case "":
		default:
			fatalf("unknown scenario %q", s)
		}
	}
	for _, l := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(l))
		if err != nil || n <= 0 {
			fatalf("bad -stream-levels %q", *levels)
		}
		c.stLevels = append(c.stLevels, n)
	}
	b, err := os.ReadFile(*sidesFile)
	if err != nil {
		fatalf("%v", err)
	}
	var specs []sideSpec
	if err := json.Unmarshal(b, &specs); err != nil {
		fatalf("%s: %v", *sidesFile, err)
	}
	if len(specs) == 0 || specs[0].Name != "direct" {
		fatalf("%s: the first side must be \"direct\"", *sidesFile)
	}
	var sides []*side
	for _, sp := range specs {
		sides = append(sides, newSide(sp))
	}

	res := run(c, sides)
	res.Run = meta.m
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			fatalf("write %s: %v", *jsonOut, err)
		}
	}
	md := markdown(res)
	fmt.Print(md)
	if *mdOut != "" {
		if err := os.WriteFile(*mdOut, []byte(md), 0o644); err != nil {
			fatalf("write %s: %v", *mdOut, err)
		}
	}
}

type metaFlag struct{ m map[string]string }

func (f *metaFlag) String() string { return "" }
func (f *metaFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok {
		return errors.New("want key=value")
	}
	if f.m == nil {
		f.m = map[string]string{}
	}
	f.m[k] = val
	return nil
}

func fatalf(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "peerload: "+f+"\n", a...)
	os.Exit(2)
}

func logf(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "[%s] "+f+"\n", append([]any{time.Now().Format("15:04:05")}, a...)...)
}

func newSide(sp sideSpec) *side {
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          8192,
		MaxIdleConnsPerHost:   8192,
		IdleConnTimeout:       5 * time.Minute,
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
		ResponseHeaderTimeout: 30 * time.Second,
	}
	if sp.Label == "" {
		sp.Label = sp.Name
	}
	return &side{
		sideSpec: sp,
		client:   &http.Client{Transport: tr, Timeout: 60 * time.Second},
		fast:     compile(sp.Fast),
		slow:     compile(sp.Slow),
		mem:      &memTracker{pid: sp.PID},
	}
}

func (s *side) req(ctx context.Context, r *compiled, stream bool) *http.Request {
	b := r.body
	if stream {
		b = r.sbody
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(b))
	req.Header = r.header.Clone()
	if stream {
		req.Header["Accept"] = []string{"text/event-stream"}
	}
	return req
}

// unary sends one non-streaming request and reads the whole body.
func (s *side) unary(ctx context.Context, r *compiled) error {
	resp, err := s.client.Do(s.req(ctx, r, false))
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d", s.Name, resp.StatusCode)
	}
	return nil
}

var (
	dataPrefix = []byte("data:")
	doneLine   = []byte("[DONE]")
)

type streamSample struct {
	ttft   time.Duration
	gaps   []time.Duration
	maxGap time.Duration
	events int
	err    error
}

// stream sends one streaming request and records the time to the first
// data event carrying content and every gap between data events.
func (s *side) stream(r *compiled, keepGaps bool) streamSample {
	var out streamSample
	start := time.Now()
	resp, err := s.client.Do(s.req(context.Background(), r, true))
	if err != nil {
		out.err = err
		return out
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		out.err = fmt.Errorf("%s: HTTP %d", s.Name, resp.StatusCode)
		return out
	}
	br := bufio.NewReaderSize(resp.Body, 16<<10)
	var last time.Time
	for {
		line, rerr := br.ReadSlice('\n')
		if len(line) > 0 && bytes.HasPrefix(line, dataPrefix) {
			now := time.Now()
			if out.ttft == 0 {
				out.ttft = now.Sub(start)
			} else {
				g := now.Sub(last)
				if g > out.maxGap {
					out.maxGap = g
				}
				if keepGaps {
					out.gaps = append(out.gaps, g)
				}
			}
			last = now
			if bytes.Equal(bytes.TrimSpace(line[len(dataPrefix):]), doneLine) {
				io.Copy(io.Discard, br)
				return out
			}
			out.events++
		}
		for rerr == bufio.ErrBufferFull {
			_, rerr = br.ReadSlice('\n')
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			out.err = rerr
			return out
		}
	}
	out.err = errors.New(s.Name + ": stream ended without data: [DONE]")
	return out
}

// ---------------------------------------------------------------- memory

// rssKB sums VmRSS over pid and its descendants (a worker pool counts whole).
func rssKB(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	children := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := bytes.Fields(b[i+1:])
		if len(f) < 2 {
			continue
		}
		pp, _ := strconv.Atoi(string(f[1]))
		children[pp] = append(children[pp], p)
	}
	var total int64
	var walk func(int)
	walk = func(p int) {
		total += statusKB(p, "VmRSS:")
		for _, c := range children[p] {
			walk(c)
		}
	}
	walk(pid)
	return total
}

func statusKB(pid int, key string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, key) {
			f := strings.Fields(line[len(key):])
			if len(f) > 0 {
				v, _ := strconv.ParseInt(f[0], 10, 64)
				return v
			}
		}
	}
	return 0
}

type memTracker struct {
	pid  int
	mu   sync.Mutex
	peak int64
}

// during samples RSS every 250 ms while f runs and keeps the peak.
func (m *memTracker) during(f func()) {
	if m.pid <= 0 {
		f()
		return
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			m.observe(rssKB(m.pid))
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(stop)
	<-done
	m.observe(rssKB(m.pid))
}

func (m *memTracker) observe(kb int64) {
	m.mu.Lock()
	if kb > m.peak {
		m.peak = kb
	}
	m.mu.Unlock()
}

// ---------------------------------------------------------------- results

type Results struct {
	Tool       string            `json:"tool"`
	Quick      bool              `json:"quick"`
	GoMaxProcs int               `json:"gomaxprocs"`
	Run        map[string]string `json:"run,omitempty"`
	Params     map[string]any    `json:"params"`
	Sides      []SideResult      `json:"sides"`
	Ceiling    *FrontierResult   `json:"frontier_ceiling,omitempty"`
}

type SideResult struct {
	Name  string `json:"name"`
	Label string `json:"label"`

	Latency      *stats.Percentiles `json:"latency,omitempty"`
	AddedP50US   *float64           `json:"added_p50_us,omitempty"`
	AddedP99US   *float64           `json:"added_p99_us,omitempty"`
	LatencyError int                `json:"latency_errors"`

	Frontier      *FrontierResult `json:"frontier,omitempty"`
	UpstreamBound bool            `json:"upstream_bound,omitempty"`

	Stream      *StreamResult `json:"stream,omitempty"`
	StreamError string        `json:"stream_error,omitempty"`

	RSSIdleKB   int64       `json:"rss_idle_kb,omitempty"`
	RSSPeakKB   int64       `json:"rss_under_load_peak_kb,omitempty"`
	Soak        *SoakResult `json:"soak,omitempty"`
	latencyRaw  []time.Duration
	streamTTFT  []time.Duration
	streamGaps  []time.Duration
	frontierRPS float64
}

type FrontierStep struct {
	Rate     float64 `json:"rate"`
	Sent     int     `json:"sent"`
	Errors   int     `json:"errors"`
	P50US    float64 `json:"p50_us"`
	P99US    float64 `json:"p99_us"`
	Achieved float64 `json:"achieved_rps"`
	Pass     bool    `json:"pass"`
}

type FrontierResult struct {
	SustainedRPS float64        `json:"sustained_rps"`
	HitMax       bool           `json:"hit_max_rate"`
	Steps        []FrontierStep `json:"steps"`
}

type StreamResult struct {
	N          int               `json:"n"`
	Errors     int               `json:"errors"`
	TTFT       stats.Percentiles `json:"ttft"`
	Gap        stats.Percentiles `json:"inter_chunk"`
	AddedTTFT  *[2]float64       `json:"added_ttft_p50_p99_us,omitempty"`
	AddedGap99 *float64          `json:"added_inter_chunk_p99_us,omitempty"`
	Levels     []StreamLevel     `json:"levels"`
	MaxNoStall int               `json:"max_concurrent_streams_no_stall"`
}

type StreamLevel struct {
	Streams  int     `json:"streams"`
	Stalled  int     `json:"stalled"`
	Errors   int     `json:"errors"`
	MaxGapMS float64 `json:"max_gap_ms"`
	P99TTFT  float64 `json:"ttft_p99_us"`
	Pass     bool    `json:"pass"`
	Error    string  `json:"first_error,omitempty"`
}

type SoakResult struct {
	Rate     float64   `json:"rate"`
	Seconds  float64   `json:"seconds"`
	Sent     int64     `json:"sent"`
	Errors   int64     `json:"errors"`
	SamplesS []float64 `json:"sample_times_s"`
	RSSKB    []int64   `json:"rss_kb"`
	StartKB  int64     `json:"start_kb"`
	EndKB    int64     `json:"end_kb"`
	MaxKB    int64     `json:"max_kb"`
	// Growth between the first and the last fifth of the samples (median of each).
	GrowthKB int64 `json:"growth_kb"`
}

// ---------------------------------------------------------------- run

func run(c config, sides []*side) *Results {
	res := &Results{
		Tool: "veil-bench peerload", Quick: c.quick, GoMaxProcs: runtime.GOMAXPROCS(0),
		Params: map[string]any{
			"warmup_s": c.warmup.Seconds(), "lat_warmup": c.latWarmup, "lat_rounds": c.latRounds,
			"lat_per_round": c.latPerRound, "lat_round_max_s": c.latRoundMax.Seconds(),
			"frontier_start": c.frStart, "frontier_max": c.frMax, "frontier_step_s": c.frStep.Seconds(),
			"frontier_bisect": c.frBisect, "frontier_p99_ms": ms(c.frP99), "frontier_error_ratio": c.frErrRatio,
			"stream_n": c.stN, "stream_conc": c.stConc, "stream_levels": c.stLevels, "stall_ms": ms(c.stall),
			"soak_s": c.soak.Seconds(), "soak_rate": c.soakRate,
		},
	}
	out := make([]*SideResult, len(sides))
	for i, s := range sides {
		out[i] = &SideResult{Name: s.Name, Label: s.Label}
		if s.PID > 0 {
			out[i].RSSIdleKB = rssKB(s.PID)
		}
	}
	for _, s := range sides {
		sanity(s)
	}
	gateways := sides[1:]
	if c.warmup > 0 {
		logf("warm-up: %s, all gateway sides at once, 2 connections each, 1 in 8 streaming", c.warmup)
		var wg sync.WaitGroup
		deadline := time.Now().Add(c.warmup)
		for _, s := range gateways {
			for k := 0; k < 2; k++ {
				wg.Add(1)
				go func(s *side, k int) {
					defer wg.Done()
					for i := 0; time.Now().Before(deadline); i++ {
						if (i+k)%8 == 0 && s.streamErr == "" {
							s.stream(&s.fast, false)
						} else {
							s.unary(context.Background(), &s.fast)
						}
					}
				}(s, k)
			}
		}
		wg.Wait()
	}
	if c.scenarios["latency"] {
		latency(c, sides, out)
	}
	if c.scenarios["frontier"] {
		for i, s := range sides {
			logf("frontier: %s", s.Label)
			var fr *FrontierResult
			s.mem.during(func() { fr = frontier(c, s) })
			out[i].Frontier = fr
			out[i].frontierRPS = fr.SustainedRPS
		}
		res.Ceiling = out[0].Frontier
		for _, o := range out[1:] {
			if res.Ceiling.SustainedRPS > 0 && o.Frontier.SustainedRPS >= 0.9*res.Ceiling.SustainedRPS {
				o.UpstreamBound = true
			}
		}
	}
	if c.scenarios["stream"] {
		for i, s := range sides {
			if s.streamErr != "" {
				out[i].StreamError = s.streamErr
				continue
			}
			logf("stream: %s", s.Label)
			var sr *StreamResult
			s.mem.during(func() { sr = streaming(c, s, out[i]) })
			out[i].Stream = sr
		}
		d := out[0].Stream
		for _, o := range out[1:] {
			if o.Stream == nil || d == nil {
				continue
			}
			a := [2]float64{stats.Round(o.Stream.TTFT.P50 - d.TTFT.P50), stats.Round(o.Stream.TTFT.P99 - d.TTFT.P99)}
			o.Stream.AddedTTFT = &a
			g := stats.Round(o.Stream.Gap.P99 - d.Gap.P99)
			o.Stream.AddedGap99 = &g
		}
	}
	if c.scenarios["soak"] && c.soak > 0 {
		soak(c, gateways, out[1:])
	}
	for i, s := range sides {
		out[i].RSSPeakKB = s.mem.peak
		res.Sides = append(res.Sides, *out[i])
	}
	return res
}

func sanity(s *side) {
	for _, r := range []*compiled{&s.fast, &s.slow} {
		if err := s.unary(context.Background(), r); err != nil {
			fatalf("sanity check, %s %s: %v", s.Label, r.url, err)
		}
		if st := s.stream(r, false); st.err != nil || st.events < 2 {
			s.streamErr = fmt.Sprintf("%v (%d events)", st.err, st.events)
			logf("sanity check, %s %s stream failed: %s; its stream scenario is skipped", s.Label, r.url, s.streamErr)
		}
	}
}

func latency(c config, sides []*side, out []*SideResult) {
	logf("latency: warm-up %d requests per side", c.latWarmup)
	for _, s := range sides {
		deadline := time.Now().Add(c.latRoundMax * time.Duration(max(1, c.latRounds/4)))
		for i := 0; i < c.latWarmup && time.Now().Before(deadline); i++ {
			s.unary(context.Background(), &s.fast)
		}
	}
	logf("latency: %d rounds, up to %d requests or %s per side per round", c.latRounds, c.latPerRound, c.latRoundMax)
	errs := make([]int, len(sides))
	for r := 0; r < c.latRounds; r++ {
		for k := range sides {
			i := (k + r) % len(sides)
			s := sides[i]
			deadline := time.Now().Add(c.latRoundMax)
			for n := 0; n < c.latPerRound && time.Now().Before(deadline); n++ {
				t0 := time.Now()
				err := s.unary(context.Background(), &s.fast)
				d := time.Since(t0)
				if err != nil {
					errs[i]++
					continue
				}
				out[i].latencyRaw = append(out[i].latencyRaw, d)
			}
		}
	}
	for i := range sides {
		p := stats.Summarise(out[i].latencyRaw)
		out[i].Latency = &p
		out[i].LatencyError = errs[i]
		if i > 0 {
			a50 := stats.Round(p.P50 - out[0].Latency.P50)
			a99 := stats.Round(p.P99 - out[0].Latency.P99)
			out[i].AddedP50US, out[i].AddedP99US = &a50, &a99
		}
	}
}

// openLoop sends at a constant rate for d; each request's latency is taken
// from its intended send time, so a gateway that falls behind is charged
// for the queueing it causes (no coordinated omission).
func openLoop(s *side, r *compiled, rate float64, d time.Duration) FrontierStep {
	n := int(rate * d.Seconds())
	lat := make([]time.Duration, n)
	failed := make([]bool, n)
	interval := time.Duration(float64(time.Second) / rate)
	ctx, cancel := context.WithTimeout(context.Background(), d+10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now().Add(20 * time.Millisecond)
	for i := 0; i < n; i++ {
		due := start.Add(time.Duration(i) * interval)
		if w := time.Until(due); w > 0 {
			time.Sleep(w)
		}
		wg.Add(1)
		go func(i int, due time.Time) {
			defer wg.Done()
			err := s.unary(ctx, r)
			lat[i] = time.Since(due)
			failed[i] = err != nil
		}(i, due)
	}
	wg.Wait()
	elapsed := time.Since(start)
	st := FrontierStep{Rate: math.Round(rate), Sent: n}
	ok := make([]time.Duration, 0, n)
	// The first tenth of a step opens the connections it needs: errors count,
	// its latencies do not.
	skip := n / 10
	for i := range lat {
		if !failed[i] && i < skip {
			continue
		}
		if failed[i] {
			st.Errors++
			// An error counts as an infinitely slow answer for the percentile.
			ok = append(ok, time.Hour)
			continue
		}
		ok = append(ok, lat[i])
	}
	p := stats.Summarise(ok)
	st.P50US, st.P99US = p.P50, p.P99
	st.Achieved = math.Round(float64(n-st.Errors) / elapsed.Seconds())
	return st
}

func frontier(c config, s *side) *FrontierResult {
	fr := &FrontierResult{}
	pass := func(st FrontierStep) bool {
		return float64(st.Errors) < c.frErrRatio*float64(st.Sent) && st.P99US < float64(c.frP99.Microseconds())
	}
	step := func(rate float64) bool {
		st := openLoop(s, &s.slow, rate, c.frStep)
		st.Pass = pass(st)
		fr.Steps = append(fr.Steps, st)
		logf("  %-14s %8.0f/s sent %6d errors %5d p50 %9.1f µs p99 %10.1f µs %s", s.Label, st.Rate, st.Sent, st.Errors, st.P50US, st.P99US, map[bool]string{true: "pass", false: "FAIL"}[st.Pass])
		// Let queues drain and connections settle before the next rate.
		s.client.Transport.(*http.Transport).CloseIdleConnections()
		time.Sleep(time.Second)
		return st.Pass
	}
	lo, hi := 0.0, 0.0
	// Below the first rate, halve until one passes (down to 1/16 of it).
	if !step(c.frStart) {
		hi = c.frStart
		for r := c.frStart / 2; r >= c.frStart/16; r /= 2 {
			if step(r) {
				lo = r
				break
			}
			hi = r
		}
	} else {
		lo = c.frStart
		hi = 0
	}
	for r := lo * 2; lo > 0 && hi == 0; r *= 2 {
		if r > c.frMax {
			r = c.frMax
		}
		if step(r) {
			lo = r
			if r >= c.frMax {
				fr.HitMax = true
				break
			}
		} else {
			hi = r
			break
		}
	}
	for i := 0; i < c.frBisect && hi > 0 && lo > 0; i++ {
		mid := math.Round((lo + hi) / 2)
		if step(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	fr.SustainedRPS = lo
	return fr
}

func streaming(c config, s *side, o *SideResult) *StreamResult {
	sr := &StreamResult{N: c.stN}
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < c.stConc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			// Stagger the workers over one chunk interval.
			time.Sleep(time.Duration(w) * 20 * time.Millisecond / time.Duration(c.stConc))
			for next.Add(1) <= int64(c.stN) {
				smp := s.stream(&s.slow, true)
				mu.Lock()
				if smp.err != nil {
					sr.Errors++
				} else {
					o.streamTTFT = append(o.streamTTFT, smp.ttft)
					o.streamGaps = append(o.streamGaps, smp.gaps...)
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	sr.TTFT = stats.Summarise(o.streamTTFT)
	sr.Gap = stats.Summarise(o.streamGaps)
	logf("  %-14s TTFT p50 %.1f p99 %.1f µs, gap p99 %.1f µs, %d errors", s.Label, sr.TTFT.P50, sr.TTFT.P99, sr.Gap.P99, sr.Errors)

	for _, n := range c.stLevels {
		lv := stallLevel(c, s, n)
		sr.Levels = append(sr.Levels, lv)
		logf("  %-14s %5d streams: %d stalled, %d errors, max gap %.1f ms %s", s.Label, n, lv.Stalled, lv.Errors, lv.MaxGapMS, map[bool]string{true: "pass", false: "FAIL"}[lv.Pass])
		s.client.Transport.(*http.Transport).CloseIdleConnections()
		time.Sleep(time.Second)
		if !lv.Pass {
			break
		}
		sr.MaxNoStall = n
	}
	return sr
}

// stallLevel opens n streams within one second and holds them all open.
func stallLevel(c config, s *side, n int) StreamLevel {
	lv := StreamLevel{Streams: n}
	smps := make([]streamSample, n)
	var wg sync.WaitGroup
	spread := time.Second
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			time.Sleep(time.Duration(i) * spread / time.Duration(n))
			smps[i] = s.stream(&s.slow, false)
		}(i)
	}
	wg.Wait()
	var ttft []time.Duration
	var maxGap time.Duration
	for _, smp := range smps {
		if smp.err != nil {
			lv.Errors++
			if lv.Error == "" {
				lv.Error = smp.err.Error()
			}
			lv.Stalled++
			continue
		}
		ttft = append(ttft, smp.ttft)
		if smp.maxGap > maxGap {
			maxGap = smp.maxGap
		}
		if smp.maxGap > c.stall || smp.ttft > time.Second {
			lv.Stalled++
		}
	}
	lv.MaxGapMS = ms(maxGap)
	lv.P99TTFT = stats.Summarise(ttft).P99
	lv.Pass = lv.Stalled == 0
	return lv
}

func soak(c config, gateways []*side, out []*SideResult) {
	logf("soak: %s, all gateway sides at once", c.soak)
	var wg sync.WaitGroup
	for i, s := range gateways {
		rate := c.soakRate
		if f := out[i].frontierRPS; f > 0 && f/2 < rate {
			rate = f / 2
		}
		if rate < 1 {
			rate = 1
		}
		sk := &SoakResult{Rate: rate}
		out[i].Soak = sk
		wg.Add(1)
		go func(s *side, sk *SoakResult) {
			defer wg.Done()
			var sent, errs atomic.Int64
			stop := make(chan struct{})
			go func() {
				interval := time.Duration(float64(time.Second) / sk.Rate)
				start := time.Now()
				var inner sync.WaitGroup
				for i := 0; ; i++ {
					due := start.Add(time.Duration(i) * interval)
					select {
					case <-stop:
						inner.Wait()
						return
					case <-time.After(time.Until(due)):
					}
					inner.Add(1)
					go func() {
						defer inner.Done()
						sent.Add(1)
						if s.unary(context.Background(), &s.fast) != nil {
							errs.Add(1)
						}
					}()
				}
			}()
			begin := time.Now()
			every := c.soak / 40
			if every < time.Second {
				every = time.Second
			}
			for time.Since(begin) < c.soak {
				kb := rssKB(s.PID)
				s.mem.observe(kb)
				sk.SamplesS = append(sk.SamplesS, stats.Round(time.Since(begin).Seconds()))
				sk.RSSKB = append(sk.RSSKB, kb)
				time.Sleep(every)
			}
			close(stop)
			kb := rssKB(s.PID)
			sk.SamplesS = append(sk.SamplesS, stats.Round(time.Since(begin).Seconds()))
			sk.RSSKB = append(sk.RSSKB, kb)
			sk.Seconds = stats.Round(time.Since(begin).Seconds())
			sk.Sent, sk.Errors = sent.Load(), errs.Load()
			summariseSoak(sk)
		}(s, sk)
	}
	wg.Wait()
	for i, s := range gateways {
		sk := out[i].Soak
		logf("  %-14s %.0f/s: RSS %d → %d MiB (max %d), growth %+d MiB, %d errors", s.Label, sk.Rate, sk.StartKB>>10, sk.EndKB>>10, sk.MaxKB>>10, sk.GrowthKB>>10, sk.Errors)
	}
}

func summariseSoak(sk *SoakResult) {
	n := len(sk.RSSKB)
	if n == 0 {
		return
	}
	sk.StartKB, sk.EndKB = sk.RSSKB[0], sk.RSSKB[n-1]
	for _, v := range sk.RSSKB {
		sk.MaxKB = max(sk.MaxKB, v)
	}
	fifth := max(1, n/5)
	sk.GrowthKB = median(sk.RSSKB[n-fifth:]) - median(sk.RSSKB[:fifth])
}

func median(xs []int64) int64 {
	s := append([]int64(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return stats.Round(float64(d) / 1e6) }
