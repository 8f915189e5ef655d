// Command report merges the load generator's JSON with what bench/run knows
// about the machine and the gateway process (RSS, JVM flags, pinning), judges
// the figures against the targets, writes the combined result file and
// prints a summary. It never fails on a missed target: benchmarks report.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"dev.veil/bench/internal/result"
	"dev.veil/bench/internal/stats"
)

func ratio3(r float64) string {
	if r == 0 {
		return "—"
	}
	return fmt.Sprintf("%.3f", r)
}

type Target struct {
	Name     string  `json:"name"`
	Goal     string  `json:"goal"`
	Measured string  `json:"measured"`
	Value    float64 `json:"value"`
	Limit    float64 `json:"limit"`
	Status   string  `json:"status"` // met | missed | met at p50 only | not measured
	Note     string  `json:"note,omitempty"`
}

type Output struct {
	Benchmark string            `json:"benchmark"`
	Date      string            `json:"date"`
	GitSHA    string            `json:"git_sha"`
	GitDirty  bool              `json:"git_dirty"`
	JarStale  bool              `json:"jar_older_than_sources"`
	Mode      string            `json:"mode"`
	Machine   map[string]string `json:"machine"`
	Setup     map[string]string `json:"setup"`
	RSSKB     map[string]int64  `json:"veil_rss_kb"`
	Targets   []Target          `json:"targets"`
	Results   *result.Results   `json:"results"`
	// bench/run --privacy: the same scenarios with Veil running the privacy
	// pipeline (Results then hold routing only), its RSS, and where each
	// Veil's CPU went under throughput load.
	Privacy      *result.Results          `json:"privacy,omitempty"`
	PrivacyRSSKB map[string]int64         `json:"veil_privacy_rss_kb,omitempty"`
	CPUByStage   map[string]*StageProfile `json:"cpu_by_stage,omitempty"`
}

// sides names the two servers a run compares: the gateway measured and the
// reference side, which is refproxy (the floor under any proxy hop) unless
// bench/run put something else there.
type sides struct {
	gateway, ref string
	// refFloor: the reference side is a bare proxy, the floor under Veil.
	refFloor bool
	// shared: the gateway keeps its state in PostgreSQL and Redis, the
	// reference side is Veil with the embedded store (bench/run --shared-limits).
	shared bool
}

const sharedTarget = 300 // µs: what shared limits may add at p99 over the embedded store (issue 19)

func main() {
	in := flag.String("in", "", "loadgen JSON")
	out := flag.String("out", "", "combined result file to write")
	md := flag.Bool("markdown", false, "also print the figures as a Markdown table")
	cache := flag.Bool("cache", false, "every request was a cache hit and the reference side was the bare Helidon floor (bench/run --cache)")
	audit := flag.Bool("audit", false, "Veil had an audit log, so it kept stored responses encrypted on disk (bench/run --audit)")
	shared := flag.Bool("shared-limits", false, "the gateway was Veil with the PostgreSQL store and Redis shared limits, the reference side Veil with the embedded store (bench/run --shared-limits)")
	refLabel := flag.String("ref-label", "", "what to call the reference side (default: refproxy; with -shared-limits: Veil, embedded store)")
	privacyIn := flag.String("privacy-in", "", "loadgen JSON of the same scenarios through Veil with the privacy pipeline (bench/run --privacy); -in then holds Veil routing only")
	stagesGateway := flag.String("stages", "", "jfrstages' counts for the JFR recording of the gateway under throughput load (loadgen -jfr): report its CPU by stage")
	stagesPrivacy := flag.String("privacy-stages", "", "likewise for the privacy pipeline's Veil")
	var pIdle, pAfter, pPeak int64
	flag.Int64Var(&pIdle, "privacy-rss-idle-kb", 0, "the privacy Veil's VmRSS after start-up")
	flag.Int64Var(&pAfter, "privacy-rss-after-kb", 0, "the privacy Veil's VmRSS after the load")
	flag.Int64Var(&pPeak, "privacy-rss-peak-kb", 0, "the privacy Veil's VmHWM after the load")
	privacySetup := flag.String("privacy-setup", "", "what the privacy pipeline was (for the result file)")
	var o Output
	o.Benchmark = "gateway-core"
	o.Machine = map[string]string{}
	o.Setup = map[string]string{}
	o.RSSKB = map[string]int64{}
	flag.StringVar(&o.Date, "date", "", "run date (UTC, ISO 8601)")
	flag.StringVar(&o.GitSHA, "git-sha", "", "git commit measured")
	flag.BoolVar(&o.GitDirty, "git-dirty", false, "working tree had uncommitted changes to server/spi")
	flag.BoolVar(&o.JarStale, "jar-stale", false, "the measured jar was older than the server/spi sources")
	flag.StringVar(&o.Mode, "mode", "full", "full or quick")
	var cpu, nproc, kernel, java, jvm, pin, goV string
	flag.StringVar(&cpu, "cpu", "", "CPU model")
	flag.StringVar(&nproc, "nproc", "", "online CPUs")
	flag.StringVar(&kernel, "kernel", "", "kernel")
	flag.StringVar(&java, "java", "", "java -version first line")
	flag.StringVar(&jvm, "jvm-opts", "", "JVM flags used for Veil")
	flag.StringVar(&pin, "pinning", "", "how processes were pinned")
	flag.StringVar(&goV, "go", "", "go version")
	var idle, after, peak int64
	flag.Int64Var(&idle, "rss-idle-kb", 0, "Veil VmRSS after start-up, before load")
	flag.Int64Var(&after, "rss-after-kb", 0, "Veil VmRSS after the load")
	flag.Int64Var(&peak, "rss-peak-kb", 0, "Veil VmHWM after the load")
	flag.Parse()

	b, err := os.ReadFile(*in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(2)
	}
	var r result.Results
	if err := json.Unmarshal(b, &r); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(2)
	}
	o.Results = &r
	o.Machine["cpu_model"], o.Machine["nproc"], o.Machine["kernel"] = cpu, nproc, kernel
	o.Setup["java"], o.Setup["jvm_opts"], o.Setup["pinning"], o.Setup["go"] = java, jvm, pin, goV
	o.Setup["audit"] = "none: stored responses kept in memory"
	if *audit {
		o.Setup["audit"] = "veil.audit (sync): stored responses kept encrypted on disk"
	}
	o.RSSKB["idle"], o.RSSKB["after_load"], o.RSSKB["peak"] = idle, after, peak
	sd := sides{gateway: "Veil", ref: "refproxy", refFloor: true}
	if *shared {
		sd = sides{gateway: "Veil, PostgreSQL + Redis", ref: "Veil, embedded store", shared: true}
		o.Setup["gateway"] = "Veil, veil.store postgres and veil.limits.shared redis (fail-mode closed)"
		o.Setup["reference"] = "Veil, embedded store (SQLite keys.db, limits in memory)"
		o.Setup["key"] = "a virtual key on each side with never-binding rpm, tpm and a daily budget: every request is admitted, checked and settled"
	}
	if *refLabel != "" {
		sd.ref = *refLabel
	}
	o.Targets = judge(&r, *cache, sd)
	if *privacyIn != "" {
		var p result.Results
		b, err := os.ReadFile(*privacyIn)
		if err == nil {
			err = json.Unmarshal(b, &p)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(2)
		}
		o.Privacy = &p
		o.PrivacyRSSKB = map[string]int64{"idle": pIdle, "after_load": pAfter, "peak": pPeak}
		o.Setup["privacy"] = *privacySetup
		o.Targets = append(o.Targets, judgePrivacy(&p))
	}
	for _, st := range []struct{ key, file string }{{"routing", *stagesGateway}, {"privacy", *stagesPrivacy}} {
		if st.file == "" {
			continue
		}
		rr := o.Results
		if st.key == "privacy" {
			rr = o.Privacy
		}
		var side *result.TPSide
		if rr != nil && rr.Throughput != nil {
			side = rr.Throughput.Gateway
		}
		prof, err := profileStages(st.file, side)
		if err != nil {
			fmt.Fprintln(os.Stderr, "report: CPU by stage:", err)
			continue
		}
		if o.CPUByStage == nil {
			o.CPUByStage = map[string]*StageProfile{}
		}
		o.CPUByStage[st.key] = prof
	}

	if *out != "" {
		j, _ := json.MarshalIndent(o, "", "  ")
		if err := os.WriteFile(*out, append(j, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(2)
		}
	}
	printSummary(&o)
	if *md {
		printMarkdown(&o, sd)
	}
}

// Issue 22: the privacy pipeline adds p50 <= 600 µs and p99 <= 1.5 ms at
// concurrency 1 in bench/run.
const privacyP50Target, privacyP99Target = 600, 1500

func judgePrivacy(p *result.Results) Target {
	t := Target{Name: "privacy pipeline, added latency c=1", Goal: fmt.Sprintf("p50 <= %d, p99 <= %d µs", privacyP50Target, privacyP99Target)}
	l := p.Latency
	if l == nil || l.Added == nil {
		t.Status = "not measured"
		return t
	}
	t.Measured = fmt.Sprintf("p50 %.1f / p90 %.1f / p99 %.1f µs", l.Added.P50, l.Added.P90, l.Added.P99)
	t.Value, t.Limit = l.Added.P99, privacyP99Target
	switch {
	case l.Added.P50 <= privacyP50Target && l.Added.P99 <= privacyP99Target:
		t.Status = "met"
	case l.Added.P50 <= privacyP50Target:
		t.Status = "met at p50 only"
	default:
		t.Status = "missed"
	}
	if l.RoundAddedP50 != nil && l.RoundAddedP99 != nil {
		t.Note = fmt.Sprintf("per-round added p50 %.1f to %.1f, p99 %.1f to %.1f µs over %d rounds",
			l.RoundAddedP50.Min, l.RoundAddedP50.Max, l.RoundAddedP99.Min, l.RoundAddedP99.Max, l.Rounds)
	}
	return t
}

// judge compares figures with the targets. Latency targets are
// judged at p99 where the issue says p99 and otherwise at p99 too, with
// "met at p50 only" when the median meets the goal but the tail does not.
func judge(r *result.Results, cacheRun bool, sd sides) []Target {
	var ts []Target
	if tr := r.Translation; tr != nil {
		ts = append(ts, judgeTranslation(tr)...)
	}
	if rs := r.Responses; rs != nil {
		ts = append(ts, judgeResponses(rs)...)
	}
	if (r.Translation != nil || r.Responses != nil) && r.Latency == nil && r.Throughput == nil && r.Stream == nil {
		return ts // a run of the opt-in scenarios only: the core targets were not its subject
	}
	if l := r.Latency; cacheRun && l != nil && l.Gateway != nil {
		// Issue 7: a hit answers in <= 200 µs p99 end to end; the upstream is never called, so "added" means nothing.
		t := Target{Name: "cache hit, end to end, concurrency 1", Goal: "p99 <= 200 µs",
			Measured: fmt.Sprintf("p50 %.1f / p90 %.1f / p99 %.1f µs", l.Gateway.P50, l.Gateway.P90, l.Gateway.P99),
			Value:    l.Gateway.P99, Limit: 200}
		t.Status = status(l.Gateway.P50, l.Gateway.P99, 200)
		if l.Ref != nil {
			t.Note = fmt.Sprintf("a bare Helidon server answering from memory, same JVM flags and pinning: p50 %.1f / p99 %.1f µs", l.Ref.P50, l.Ref.P99)
		}
		ts = append(ts, t)
		return ts
	}
	if sd.shared {
		ts = append(ts, judgeShared(r, sd))
	}
	if l := r.Latency; l != nil && l.Added != nil {
		t := Target{Name: "added latency, concurrency 1", Goal: "p99 <= 300 µs",
			Measured: fmt.Sprintf("p50 %.1f / p90 %.1f / p99 %.1f µs", l.Added.P50, l.Added.P90, l.Added.P99),
			Value:    l.Added.P99, Limit: 300}
		t.Status = status(l.Added.P50, l.Added.P99, 300)
		if l.RefAdded != nil {
			t.Note = fmt.Sprintf("%s adds p50 %.1f / p99 %.1f µs", sd.refDescription(true), l.RefAdded.P50, l.RefAdded.P99)
		}
		ts = append(ts, t)
	} else {
		ts = append(ts, Target{Name: "added latency, concurrency 1", Goal: "p99 <= 300 µs", Status: "not measured"})
	}
	if tp := r.Throughput; tp != nil && tp.Gateway != nil {
		t := Target{Name: "throughput, non-streaming 1 KB", Goal: ">= 5000 requests/s",
			Measured: fmt.Sprintf("%.0f requests/s at %d connections (fake alone: %.0f/s), %d errors",
				tp.Gateway.RPS, tp.Gateway.Concurrency, tp.Direct.RPS, tp.Gateway.Errors),
			Value: tp.Gateway.RPS, Limit: 5000}
		if tp.Gateway.RPS >= 5000 && tp.Gateway.Errors == 0 {
			t.Status = "met"
		} else {
			t.Status = "missed"
		}
		if tp.GatewayOverDirect >= 0.9 {
			t.Note = "upstream-bound: within 10% of the fake's own ceiling"
		}
		ts = append(ts, t)
	} else {
		ts = append(ts, Target{Name: "throughput, non-streaming 1 KB", Goal: ">= 5000 requests/s", Status: "not measured"})
	}
	if s := r.Stream; s != nil && s.AddedTTFB != nil {
		t := Target{Name: "streaming, added time to first byte", Goal: "<= 500 µs",
			Measured: fmt.Sprintf("p50 %.1f / p90 %.1f / p99 %.1f µs", s.AddedTTFB.P50, s.AddedTTFB.P90, s.AddedTTFB.P99),
			Value:    s.AddedTTFB.P99, Limit: 500}
		t.Status = status(s.AddedTTFB.P50, s.AddedTTFB.P99, 500)
		if s.RefAddedTTFB != nil {
			t.Note = fmt.Sprintf("%s adds p50 %.1f / p99 %.1f µs", sd.refDescription(false), s.RefAddedTTFB.P50, s.RefAddedTTFB.P99)
		}
		ts = append(ts, t)
		c := Target{Name: "streaming, added time per chunk", Goal: "<= 10 µs",
			Measured: fmt.Sprintf("p50 %.3f / p90 %.3f / p99 %.3f µs (%d chunks)", s.AddedPerChunk.P50, s.AddedPerChunk.P90, s.AddedPerChunk.P99, s.Chunks),
			Value:    s.AddedPerChunk.P99, Limit: 10}
		c.Status = status(s.AddedPerChunk.P50, s.AddedPerChunk.P99, 10)
		var notes []string
		if s.GatewayCPUPerChunk != 0 {
			notes = append(notes, fmt.Sprintf("Veil CPU per chunk %.3f µs", s.GatewayCPUPerChunk))
		}
		if s.Gateway.Events != s.Direct.Events {
			notes = append(notes, fmt.Sprintf("Veil relayed %d data events, the fake sent %d", s.Gateway.Events, s.Direct.Events))
		}
		c.Note = strings.Join(notes, "; ")
		ts = append(ts, c)
	} else {
		ts = append(ts,
			Target{Name: "streaming, added time to first byte", Goal: "<= 500 µs", Status: "not measured"},
			Target{Name: "streaming, added time per chunk", Goal: "<= 10 µs", Status: "not measured"})
	}
	return ts
}

// refDescription names the reference side in a target's note.
func (sd sides) refDescription(pinning bool) string {
	switch {
	case sd.refFloor && pinning:
		return "a bare Go reverse proxy, pinned the same way,"
	case sd.refFloor:
		return "a bare Go reverse proxy"
	default:
		return sd.ref
	}
}

// judgeShared: "shared limits add <= 300 µs p99 over the embedded store" —
// the gateway's added p99 minus the reference side's, both measured in the
// same interleaved rounds at concurrency 1; the note gives the per-round
// spread of that difference and the throughput ratio.
func judgeShared(r *result.Results, sd sides) Target {
	t := Target{Name: "shared over embedded store, added c=1", Goal: fmt.Sprintf("p99 <= %d µs", sharedTarget)}
	l := r.Latency
	if l == nil || l.Gateway == nil || l.Ref == nil {
		t.Status = "not measured"
		return t
	}
	// Both sides' added latency is measured against the same direct requests, so their difference is theirs.
	d := stats.Diff(*l.Ref, *l.Gateway)
	t.Measured = fmt.Sprintf("p50 %+.1f / p90 %+.1f / p99 %+.1f µs", d.P50, d.P90, d.P99)
	t.Value, t.Limit = d.P99, sharedTarget
	t.Status = status(d.P50, d.P99, sharedTarget)
	var notes []string
	if l.RoundOverRefP99 != nil {
		notes = append(notes, fmt.Sprintf("per-round difference p50 median %+.1f (%+.1f to %+.1f), p99 median %+.1f (%+.1f to %+.1f) µs",
			l.RoundOverRefP50.Median, l.RoundOverRefP50.Min, l.RoundOverRefP50.Max,
			l.RoundOverRefP99.Median, l.RoundOverRefP99.Min, l.RoundOverRefP99.Max))
	}
	if tp := r.Throughput; tp != nil && tp.Gateway != nil && tp.Ref != nil && tp.Ref.RPS > 0 {
		notes = append(notes, fmt.Sprintf("throughput at %d connections %.0f vs %.0f requests/s (%s / %s = %.3f)",
			tp.Gateway.Concurrency, tp.Gateway.RPS, tp.Ref.RPS, sd.gateway, sd.ref, tp.Gateway.RPS/tp.Ref.RPS))
	}
	t.Note = strings.Join(notes, "; ")
	return t
}

// judgeTranslation: "translation adds no more than 20% to the core's added
// latency at p99, streaming included" — Anthropic-upstream added p99 over
// OpenAI-upstream added p99, non-streaming, stream TTFB and stream total.
func judgeTranslation(tr *result.TranslationResult) []Target {
	mk := func(name string, ratio, anth, oai float64) Target {
		t := Target{Name: name, Goal: "ratio of added p99 <= 1.20",
			Measured: fmt.Sprintf("%.3f (Anthropic upstream %.1f µs / OpenAI upstream %.1f µs)", ratio, anth, oai),
			Value:    ratio, Limit: 1.2, Status: "missed"}
		if ratio <= 1.2 {
			t.Status = "met"
		}
		return t
	}
	ts := []Target{
		mk("translation, added latency", tr.LatencyRatioP99, tr.AddedAnthropic.P99, tr.AddedOpenAI.P99),
		mk("translation, streaming added TTFB", tr.TTFBRatioP99, tr.AddedTTFBAnthropic.P99, tr.AddedTTFBOpenAI.P99),
		mk("translation, streaming added total", tr.TotalRatioP99, tr.AddedTotalAnthropic.P99, tr.AddedTotalOpenAI.P99),
	}
	ts[0].Note = fmt.Sprintf("p50: %.1f vs %.1f µs (ratio %.3f)", tr.AddedAnthropic.P50, tr.AddedOpenAI.P50, tr.LatencyRatioP50)
	ts[2].Note = fmt.Sprintf("%d chunks; added per chunk p99 %.3f vs %.3f µs", tr.Chunks, tr.AddedPerChunkAnthropic.P99, tr.AddedPerChunkOpenAI.P99)
	if tr.CPUPerRequestOAI > 0 {
		ts[2].Note += fmt.Sprintf("; Veil CPU per chunk %.3f vs %.3f µs", tr.CPUPerChunkAnth, tr.CPUPerChunkOAI)
	}
	return ts
}

// judgeResponses: "added latency of /v1/responses vs /v1/chat/completions for
// the same upstream ... within 50 µs p50". Judged on the pooled p50
// difference and on the median of the per-round p50 differences, both of
// which must be within the goal: a pooled figure that one lucky or unlucky
// round moved is not taken for a result.
func judgeResponses(rs *result.ResponsesResult) []Target {
	var ts []Target
	for _, p := range rs.Paths[1:] {
		t := Target{Name: "Responses API over chat, " + strings.TrimPrefix(p.Name, "responses, "), Goal: "p50 <= 50 µs",
			Measured: fmt.Sprintf("p50 %.1f / p90 %.1f / p99 %.1f µs", p.OverChat.P50, p.OverChat.P90, p.OverChat.P99),
			Value:    p.OverChat.P50, Limit: 50, Status: "missed"}
		if p.OverChat.P50 <= 50 && p.RoundOverChatP50.Median <= 50 {
			t.Status = "met"
		}
		t.Note = fmt.Sprintf("per-round p50 difference %.1f to %.1f µs, median %.1f; Veil CPU per request %.1f vs %.1f µs (chat)",
			p.RoundOverChatP50.Min, p.RoundOverChatP50.Max, p.RoundOverChatP50.Median, p.CPUPerRequest, rs.Paths[0].CPUPerRequest)
		ts = append(ts, t)
	}
	return ts
}

func status(p50, p99, limit float64) string {
	switch {
	case p99 <= limit:
		return "met"
	case p50 <= limit:
		return "met at p50 only"
	default:
		return "missed"
	}
}

func mb(kb int64) string { return fmt.Sprintf("%.1f MiB", float64(kb)/1024) }

func printSummary(o *Output) {
	fmt.Printf("\nVEIL RSS  idle %s, after load %s, peak %s\n", mb(o.RSSKB["idle"]), mb(o.RSSKB["after_load"]), mb(o.RSSKB["peak"]))
	fmt.Printf("\nTARGETS (%s run, %s, %s)\n", o.Mode, o.Date, short(o.GitSHA, o.GitDirty))
	if o.JarStale {
		fmt.Println("  warning: the measured jar was older than the sources")
	}
	for _, t := range o.Targets {
		fmt.Printf("  %-16s %-38s goal %-20s %s\n", "["+t.Status+"]", t.Name, t.Goal, t.Measured)
		if t.Note != "" {
			fmt.Printf("  %-16s %s\n", "", t.Note)
		}
	}
}

func short(sha string, dirty bool) string {
	if len(sha) > 12 {
		sha = sha[:12]
	}
	if dirty {
		sha += " (uncommitted changes)"
	}
	return sha
}

func printMarkdown(o *Output, sd sides) {
	r := o.Results
	var sb strings.Builder
	w := func(f string, a ...any) { fmt.Fprintf(&sb, f, a...) }
	gw, ref, refAdds := sd.gateway, sd.ref, sd.ref
	if sd.refFloor {
		refAdds += " (floor)"
	}
	if r.Latency != nil || r.Stream != nil {
		w("\n| Figure | p50 | p90 | p99 |\n|---|---:|---:|---:|\n")
	}
	if l := r.Latency; l != nil {
		w("| Direct to fake, c=1 (µs) | %.1f | %.1f | %.1f |\n", l.Direct.P50, l.Direct.P90, l.Direct.P99)
	}
	if l := r.Latency; l != nil && l.Ref != nil {
		w("| Through %s, c=1 (µs) | %.1f | %.1f | %.1f |\n", ref, l.Ref.P50, l.Ref.P90, l.Ref.P99)
		w("| Added by %s, c=1 (µs) | %.1f | %.1f | %.1f |\n", refAdds, l.RefAdded.P50, l.RefAdded.P90, l.RefAdded.P99)
	}
	if l := r.Latency; l != nil && l.Gateway != nil {
		w("| Through %s, c=1 (µs) | %.1f | %.1f | %.1f |\n", gw, l.Gateway.P50, l.Gateway.P90, l.Gateway.P99)
		w("| **Added by %s, c=1 (µs)** | **%.1f** | **%.1f** | **%.1f** |\n", gw, l.Added.P50, l.Added.P90, l.Added.P99)
	}
	if s := r.Stream; s != nil {
		w("| Stream TTFB direct (µs) | %.1f | %.1f | %.1f |\n", s.Direct.TTFB.P50, s.Direct.TTFB.P90, s.Direct.TTFB.P99)
		w("| Stream total direct, %d chunks (µs) | %.1f | %.1f | %.1f |\n", s.Chunks, s.Direct.Total.P50, s.Direct.Total.P90, s.Direct.Total.P99)
	}
	if s := r.Stream; s != nil && s.Ref != nil {
		w("| Added TTFB by %s (µs) | %.1f | %.1f | %.1f |\n", refAdds, s.RefAddedTTFB.P50, s.RefAddedTTFB.P90, s.RefAddedTTFB.P99)
		w("| Added per chunk by %s (µs) | %.3f | %.3f | %.3f |\n", refAdds, s.RefAddedPerChunk.P50, s.RefAddedPerChunk.P90, s.RefAddedPerChunk.P99)
	}
	if s := r.Stream; s != nil && s.Gateway != nil {
		w("| Stream TTFB through %s (µs) | %.1f | %.1f | %.1f |\n", gw, s.Gateway.TTFB.P50, s.Gateway.TTFB.P90, s.Gateway.TTFB.P99)
		w("| **Added TTFB (µs)** | **%.1f** | **%.1f** | **%.1f** |\n", s.AddedTTFB.P50, s.AddedTTFB.P90, s.AddedTTFB.P99)
		w("| Stream total through %s (µs) | %.1f | %.1f | %.1f |\n", gw, s.Gateway.Total.P50, s.Gateway.Total.P90, s.Gateway.Total.P99)
		w("| **Added per chunk (µs)** | **%.3f** | **%.3f** | **%.3f** |\n", s.AddedPerChunk.P50, s.AddedPerChunk.P90, s.AddedPerChunk.P99)
	}
	if tp := r.Throughput; tp != nil {
		w("\n| Throughput, %d connections | requests/s | errors | p50 µs | p99 µs |\n|---|---:|---:|---:|---:|\n", tp.Direct.Concurrency)
		w("| Fake alone (ceiling) | %.0f | %d | %.1f | %.1f |\n", tp.Direct.RPS, tp.Direct.Errors, tp.Direct.Latency.P50, tp.Direct.Latency.P99)
	}
	if tp := r.Throughput; tp != nil && tp.Gateway != nil {
		w("| **Through %s** | **%.0f** | %d | %.1f | %.1f |\n", gw, tp.Gateway.RPS, tp.Gateway.Errors, tp.Gateway.Latency.P50, tp.Gateway.Latency.P99)
	}
	if tp := r.Throughput; tp != nil && tp.Ref != nil {
		w("| Through %s | %.0f | %d | %.1f | %.1f |\n", ref, tp.Ref.RPS, tp.Ref.Errors, tp.Ref.Latency.P50, tp.Ref.Latency.P99)
	}
	cpu := func(name string, perReq, tpReq, cores, perStream, perChunk float64) {
		if perReq == 0 && tpReq == 0 && perStream == 0 {
			return
		}
		w("| %s | %.1f | %.1f (%.2f cores) | %.1f | %.3f |\n", name, perReq, tpReq, cores, perStream, perChunk)
	}
	var lat result.LatencyResult
	var tpr result.ThroughputResult
	var st result.StreamResult
	if r.Latency != nil {
		lat = *r.Latency
	}
	if r.Throughput != nil {
		tpr = *r.Throughput
	}
	if r.Stream != nil {
		st = *r.Stream
	}
	if lat.GatewayCPUPerRequest > 0 || lat.RefCPUPerRequest > 0 || st.GatewayCPUPerStream > 0 || st.RefCPUPerStream > 0 {
		w("\n| Server CPU (µs) | per request, c=1 | per request, c=%d | per stream | per chunk |\n|---|---:|---:|---:|---:|\n", tpr.Direct.Concurrency)
		g, rf := result.TPSide{}, result.TPSide{}
		if tpr.Gateway != nil {
			g = *tpr.Gateway
		}
		if tpr.Ref != nil {
			rf = *tpr.Ref
		}
		cpu(gw, lat.GatewayCPUPerRequest, g.CPUPerRequest, g.CPUCores, st.GatewayCPUPerStream, st.GatewayCPUPerChunk)
		cpu(ref, lat.RefCPUPerRequest, rf.CPUPerRequest, rf.CPUCores, st.RefCPUPerStream, st.RefCPUPerChunk)
	}
	if sd.shared {
		sharedMarkdown(w, r, sd)
	}
	if tr := r.Translation; tr != nil {
		w("\n| Translation, c=1 (µs) | OpenAI upstream p50 | p99 | Anthropic upstream p50 | p99 | ratio p99 |\n|---|---:|---:|---:|---:|---:|\n")
		row := func(n string, o, a *stats.Added, ratio float64, f string) {
			w("| %s | "+f+" | "+f+" | "+f+" | "+f+" | %s |\n", n, o.P50, o.P99, a.P50, a.P99, ratio3(ratio))
		}
		row("Added latency", tr.AddedOpenAI, tr.AddedAnthropic, tr.LatencyRatioP99, "%.1f")
		row("Added TTFB", tr.AddedTTFBOpenAI, tr.AddedTTFBAnthropic, tr.TTFBRatioP99, "%.1f")
		row(fmt.Sprintf("Added total, %d chunks", tr.Chunks), tr.AddedTotalOpenAI, tr.AddedTotalAnthropic, tr.TotalRatioP99, "%.1f")
		row("Added per chunk", tr.AddedPerChunkOpenAI, tr.AddedPerChunkAnthropic, 0, "%.3f")
		if tr.CPUPerRequestOAI > 0 {
			w("| Veil CPU per request / stream / chunk | %.1f / %.1f / %.3f | | %.1f / %.1f / %.3f | | |\n",
				tr.CPUPerRequestOAI, tr.CPUPerStreamOAI, tr.CPUPerChunkOAI, tr.CPUPerRequestAnth, tr.CPUPerStreamAnth, tr.CPUPerChunkAnth)
		}
	}
	if rs := r.Responses; rs != nil {
		w("\n| Responses vs chat, c=1, %s (µs) | p50 | p90 | p99 | Veil CPU |\n|---|---:|---:|---:|---:|\n", o.Setup["audit"])
		w("| Direct to fake | %.1f | %.1f | %.1f | |\n", rs.Direct.P50, rs.Direct.P90, rs.Direct.P99)
		for _, p := range rs.Paths {
			w("| Added, %s | %.1f | %.1f | %.1f | %.1f |\n", p.Name, p.Added.P50, p.Added.P90, p.Added.P99, p.CPUPerRequest)
		}
		for _, p := range rs.Paths[1:] {
			w("| **Over chat, %s** | **%.1f** | %.1f | %.1f | %+.1f |\n", p.Name, p.OverChat.P50, p.OverChat.P90, p.OverChat.P99,
				p.CPUPerRequest-rs.Paths[0].CPUPerRequest)
			w("| per-round p50 difference, %s | min %.1f | median %.1f | max %.1f | |\n", p.Name,
				p.RoundOverChatP50.Min, p.RoundOverChatP50.Median, p.RoundOverChatP50.Max)
		}
		w("\n| Responses vs chat, streamed, %d chunks from the fake (µs) | TTFB p50 | p99 | total p50 | p99 | events | Veil CPU per stream |\n|---|---:|---:|---:|---:|---:|---:|\n", rs.Chunks)
		w("| Direct to fake | %.1f | %.1f | %.1f | %.1f | %d | |\n", rs.StreamDirect.TTFB.P50, rs.StreamDirect.TTFB.P99,
			rs.StreamDirect.Total.P50, rs.StreamDirect.Total.P99, rs.StreamDirect.Events)
		for _, p := range rs.Paths {
			w("| Added, %s | %.1f | %.1f | %.1f | %.1f | %d | %.1f |\n", p.Name, p.AddedTTFB.P50, p.AddedTTFB.P99,
				p.AddedTotal.P50, p.AddedTotal.P99, p.Stream.Events, p.CPUPerStream)
		}
		for _, p := range rs.Paths[1:] {
			w("| **Over chat, %s** | %.1f | %.1f | **%.1f** | %.1f | | %+.1f |\n", p.Name, p.TTFBOverChat.P50, p.TTFBOverChat.P99,
				p.TotalOverChat.P50, p.TotalOverChat.P99, p.CPUPerStream-rs.Paths[0].CPUPerStream)
		}
	}
	if o.Privacy != nil {
		privacyMarkdown(w, o, sd)
	}
	w("\n| %s RSS | idle | after load | peak |\n|---|---:|---:|---:|\n| MiB | %.1f | %.1f | %.1f |\n", gw,
		float64(o.RSSKB["idle"])/1024, float64(o.RSSKB["after_load"])/1024, float64(o.RSSKB["peak"])/1024)
	if o.Privacy != nil {
		w("| MiB, privacy pipeline | %.1f | %.1f | %.1f |\n", float64(o.PrivacyRSSKB["idle"])/1024,
			float64(o.PrivacyRSSKB["after_load"])/1024, float64(o.PrivacyRSSKB["peak"])/1024)
	}
	w("\n| Target | Goal | Measured | Status |\n|---|---|---|---|\n")
	for _, t := range o.Targets {
		st := t.Status
		if t.Note != "" {
			st += " (" + t.Note + ")"
		}
		w("| %s | %s | %s | %s |\n", t.Name, t.Goal, t.Measured, st)
	}
	fmt.Print(sb.String())
}

// sharedMarkdown sets the two Veils side by side: added latency at
// concurrency 1 and throughput, each side alone, then shared minus embedded
// (the target is on the p99) and the ratio of requests/s.
func sharedMarkdown(w func(string, ...any), r *result.Results, sd sides) {
	l, tp := r.Latency, r.Throughput
	var lat result.LatencyResult
	var tpr result.ThroughputResult
	if l != nil {
		lat = *l
	}
	if tp != nil {
		tpr = *tp
	}
	conns := tpr.Direct.Concurrency
	w("\n| Shared limits vs embedded store | added p50, c=1 (µs) | added p99, c=1 (µs) | requests/s, %d connections | CPU µs/request, c=1 / c=%d |\n|---|---:|---:|---:|---:|\n", conns, conns)
	cell := func(a *stats.Added, p50 bool) string {
		switch {
		case a == nil:
			return "—"
		case p50:
			return fmt.Sprintf("%.1f", a.P50)
		default:
			return fmt.Sprintf("%.1f", a.P99)
		}
	}
	rps := func(s *result.TPSide) string {
		if s == nil {
			return "—"
		}
		return fmt.Sprintf("%.0f", s.RPS)
	}
	cpuCell := func(c1 float64, s *result.TPSide) string {
		c64 := 0.0
		if s != nil {
			c64 = s.CPUPerRequest
		}
		return fmt.Sprintf("%.1f / %.1f", c1, c64)
	}
	w("| %s | %s | %s | %s | %s |\n", sd.ref, cell(lat.RefAdded, true), cell(lat.RefAdded, false), rps(tpr.Ref), cpuCell(lat.RefCPUPerRequest, tpr.Ref))
	w("| %s | %s | %s | %s | %s |\n", sd.gateway, cell(lat.Added, true), cell(lat.Added, false), rps(tpr.Gateway), cpuCell(lat.GatewayCPUPerRequest, tpr.Gateway))
	p50, p99, ratio, cpu := "—", "—", "—", "—"
	if lat.Gateway != nil && lat.Ref != nil {
		d := stats.Diff(*lat.Ref, *lat.Gateway)
		p50, p99 = fmt.Sprintf("**%+.1f**", d.P50), fmt.Sprintf("**%+.1f** (target ≤ %d)", d.P99, sharedTarget)
	}
	if tpr.Gateway != nil && tpr.Ref != nil && tpr.Ref.RPS > 0 {
		ratio = fmt.Sprintf("**× %.3f**", tpr.Gateway.RPS/tpr.Ref.RPS)
		cpu = fmt.Sprintf("%+.1f / %+.1f", lat.GatewayCPUPerRequest-lat.RefCPUPerRequest, tpr.Gateway.CPUPerRequest-tpr.Ref.CPUPerRequest)
	}
	w("| **Shared minus embedded** | %s | %s | %s | %s |\n", p50, p99, ratio, cpu)
	if lat.RoundOverRefP50 != nil && lat.RoundOverRefP99 != nil {
		w("| per-round difference, median (min to max), %d rounds | %+.1f (%+.1f to %+.1f) | %+.1f (%+.1f to %+.1f) | | |\n", lat.Rounds,
			lat.RoundOverRefP50.Median, lat.RoundOverRefP50.Min, lat.RoundOverRefP50.Max,
			lat.RoundOverRefP99.Median, lat.RoundOverRefP99.Min, lat.RoundOverRefP99.Max)
	}
}
