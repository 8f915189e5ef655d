package main

import (
	"fmt"

	"dev.veil/bench/internal/result"
	"dev.veil/bench/internal/stats"
)

// privacyMarkdown sets Veil with the privacy pipeline next to Veil routing
// only and the reference side, scenario by scenario, then where each Veil's
// CPU went under throughput load. Each Veil ran in its own load generator
// run against its own direct requests to the same fake; the reference side
// ran with routing only.
func privacyMarkdown(w func(string, ...any), o *Output, sd sides) {
	r, p := o.Results, o.Privacy
	conns := 0
	if r.Throughput != nil {
		conns = r.Throughput.Direct.Concurrency
	}
	w("\n| Routing only vs the privacy pipeline | %s, routing only | %s, privacy pipeline | %s | privacy − routing (× ratio) |\n|---|---:|---:|---:|---:|\n",
		sd.gateway, sd.gateway, sd.ref)
	pair := func(a *stats.Added, f string) string {
		if a == nil {
			return "—"
		}
		return fmt.Sprintf(f+" / "+f, a.P50, a.P99)
	}
	diff := func(a, b *stats.Added, f string) string {
		if a == nil || b == nil {
			return ""
		}
		return fmt.Sprintf("%+"+f[1:]+" / %+"+f[1:], b.P50-a.P50, b.P99-a.P99)
	}
	if r.Latency != nil && p.Latency != nil {
		w("| Added latency c=1, p50 / p99 (µs) | %s | **%s** | %s | %s |\n", pair(r.Latency.Added, "%.1f"),
			pair(p.Latency.Added, "%.1f"), pair(r.Latency.RefAdded, "%.1f"), diff(r.Latency.Added, p.Latency.Added, "%.1f"))
	}
	if r.Throughput != nil && p.Throughput != nil {
		tp := func(s *result.TPSide) string {
			if s == nil {
				return "—"
			}
			e := ""
			if s.Errors > 0 {
				e = fmt.Sprintf(" (%d errors)", s.Errors)
			}
			return fmt.Sprintf("%.0f%s", s.RPS, e)
		}
		ratio := ""
		if g, pg := r.Throughput.Gateway, p.Throughput.Gateway; g != nil && pg != nil && g.RPS > 0 {
			ratio = fmt.Sprintf("× %.3f", pg.RPS/g.RPS)
		}
		w("| Throughput, %d connections (requests/s; fake alone %.0f / %.0f) | %s | **%s** | %s | %s |\n", conns,
			r.Throughput.Direct.RPS, p.Throughput.Direct.RPS, tp(r.Throughput.Gateway), tp(p.Throughput.Gateway), tp(r.Throughput.Ref), ratio)
		cpu := func(c1 float64, s *result.TPSide) string {
			if s == nil {
				return fmt.Sprintf("%.1f / —", c1)
			}
			return fmt.Sprintf("%.1f / %.1f", c1, s.CPUPerRequest)
		}
		var rc1, pc1, fc1 float64
		if r.Latency != nil {
			rc1, fc1 = r.Latency.GatewayCPUPerRequest, r.Latency.RefCPUPerRequest
		}
		if p.Latency != nil {
			pc1 = p.Latency.GatewayCPUPerRequest
		}
		d := ""
		if g, pg := r.Throughput.Gateway, p.Throughput.Gateway; g != nil && pg != nil {
			d = fmt.Sprintf("%+.1f / %+.1f", pc1-rc1, pg.CPUPerRequest-g.CPUPerRequest)
		}
		w("| Server CPU per request, c=1 / c=%d (µs) | %s | %s | %s | %s |\n", conns, cpu(rc1, r.Throughput.Gateway),
			cpu(pc1, p.Throughput.Gateway), cpu(fc1, r.Throughput.Ref), d)
	}
	if rs, ps := r.Stream, p.Stream; rs != nil && ps != nil {
		w("| Stream, added TTFB p50 / p99 (µs) | %s | %s | %s | %s |\n", pair(rs.AddedTTFB, "%.1f"), pair(ps.AddedTTFB, "%.1f"),
			pair(rs.RefAddedTTFB, "%.1f"), diff(rs.AddedTTFB, ps.AddedTTFB, "%.1f"))
		w("| Stream, added per chunk p50 / p99 (µs) | %s | %s | %s | %s |\n", pair(rs.AddedPerChunk, "%.3f"),
			pair(ps.AddedPerChunk, "%.3f"), pair(rs.RefAddedPerChunk, "%.3f"), diff(rs.AddedPerChunk, ps.AddedPerChunk, "%.3f"))
		w("| Server CPU per stream / per chunk (µs) | %.1f / %.3f | %.1f / %.3f | %.1f / %.3f | %+.1f / %+.3f |\n",
			rs.GatewayCPUPerStream, rs.GatewayCPUPerChunk, ps.GatewayCPUPerStream, ps.GatewayCPUPerChunk,
			rs.RefCPUPerStream, rs.RefCPUPerChunk, ps.GatewayCPUPerStream-rs.GatewayCPUPerStream, ps.GatewayCPUPerChunk-rs.GatewayCPUPerChunk)
		events := func(s *result.StreamSide) string {
			if s == nil {
				return "—"
			}
			return fmt.Sprint(s.Events)
		}
		w("| Stream data events relayed (the fake sent %d) | %s | %s | %s | |\n", rs.Direct.Events, events(rs.Gateway), events(ps.Gateway), events(rs.Ref))
	}
	if len(o.CPUByStage) > 0 {
		var names []string
		var ps []*StageProfile
		for _, k := range []string{"routing", "privacy"} {
			if prof := o.CPUByStage[k]; prof != nil {
				names = append(names, map[string]string{"routing": "routing only", "privacy": "privacy pipeline"}[k])
				ps = append(ps, prof)
			}
		}
		stagesMarkdown(w, conns, names, ps)
	}
}
