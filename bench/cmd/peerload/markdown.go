package main

import (
	"fmt"
	"strings"
)

// markdown renders one table per scenario and Veil's targets.
func markdown(r *Results) string {
	var b strings.Builder
	kind := "full"
	if r.Quick {
		kind = "quick"
	}
	fmt.Fprintf(&b, "### Veil vs Portkey and LiteLLM (%s run", kind)
	if d := r.Run["date"]; d != "" {
		fmt.Fprintf(&b, ", %s", d)
	}
	b.WriteString(")\n\n")
	if len(r.Run) > 0 {
		for _, k := range []string{"git_sha", "machine", "pinning", "java", "veil_jvm_opts", "portkey", "litellm", "node", "python", "go"} {
			if v := r.Run[k]; v != "" {
				fmt.Fprintf(&b, "- %s: %s\n", k, v)
			}
		}
		b.WriteString("\n")
	}

	b.WriteString("| Side | c=1 p50 µs | c=1 p99 µs | added p50 µs | added p99 µs | sustained req/s (20 ms upstream) | TTFT p50 / p99 µs | added TTFT p50 / p99 µs | inter-chunk p99 µs | added inter-chunk p99 µs | streams, no stall | RSS idle MiB | RSS under load MiB | soak growth MiB |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range r.Sides {
		cells := []string{s.Label}
		if s.Latency != nil {
			cells = append(cells, f1(s.Latency.P50), f1(s.Latency.P99), pf(s.AddedP50US), pf(s.AddedP99US))
		} else {
			cells = append(cells, "–", "–", "–", "–")
		}
		if s.Frontier != nil {
			v := fmt.Sprintf("%.0f", s.Frontier.SustainedRPS)
			if s.Frontier.HitMax {
				v = "≥ " + v
			}
			if s.UpstreamBound {
				v += " (upstream-bound)"
			}
			cells = append(cells, v)
		} else {
			cells = append(cells, "–")
		}
		if st := s.Stream; st != nil {
			cells = append(cells, f1(st.TTFT.P50)+" / "+f1(st.TTFT.P99))
			if st.AddedTTFT != nil {
				cells = append(cells, f1(st.AddedTTFT[0])+" / "+f1(st.AddedTTFT[1]))
			} else {
				cells = append(cells, "–")
			}
			cells = append(cells, f1(st.Gap.P99), pf(st.AddedGap99))
			v := fmt.Sprintf("%d", st.MaxNoStall)
			if n := len(st.Levels); n > 0 && st.Levels[n-1].Pass {
				v = "≥ " + v
			}
			cells = append(cells, v)
		} else if s.StreamError != "" {
			cells = append(cells, "streaming failed¹", "–", "–", "–", "–")
		} else {
			cells = append(cells, "–", "–", "–", "–", "–")
		}
		if s.Name == "direct" {
			cells = append(cells, "–", "–", "–")
		} else {
			cells = append(cells, mib(s.RSSIdleKB), mib(s.RSSPeakKB))
			if s.Soak != nil {
				cells = append(cells, fmt.Sprintf("%+.1f (%s → %s over %.0f s at %.0f/s)", float64(s.Soak.GrowthKB)/1024, mib(s.Soak.StartKB), mib(s.Soak.EndKB), s.Soak.Seconds, s.Soak.Rate))
			} else {
				cells = append(cells, "–")
			}
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | "))
	}
	for _, s := range r.Sides {
		if s.StreamError != "" {
			fmt.Fprintf(&b, "\n¹ %s: the stream sanity check failed: %s\n", s.Label, s.StreamError)
		}
	}
	b.WriteString("\n")
	targets(&b, r)
	return b.String()
}

func find(r *Results, name string) *SideResult {
	for i := range r.Sides {
		if r.Sides[i].Name == name {
			return &r.Sides[i]
		}
	}
	return nil
}

func targets(b *strings.Builder, r *Results) {
	v := find(r, "veil")
	if v == nil {
		return
	}
	pk, ll := find(r, "portkey"), find(r, "litellm")
	b.WriteString("| Target (Veil, routing only) | Goal | Measured | Status |\n|---|---|---|---|\n")
	row := func(t, goal, m string, ok bool, known bool) {
		st := "–"
		if known {
			st = map[bool]string{true: "met", false: "**missed**"}[ok]
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", t, goal, m, st)
	}
	if v.AddedP99US != nil {
		row("Added latency, c=1", "p99 ≤ 100 µs", fmt.Sprintf("p50 %s / p99 %s µs", pf(v.AddedP50US), pf(v.AddedP99US)), addedWithin(*v.AddedP50US, *v.AddedP99US, 100), true)
	}
	if v.Frontier != nil {
		for _, p := range []struct {
			s      *SideResult
			factor float64
		}{{pk, 5}, {ll, 20}} {
			if p.s == nil || p.s.Frontier == nil {
				continue
			}
			ratio := 0.0
			if p.s.Frontier.SustainedRPS > 0 {
				ratio = v.Frontier.SustainedRPS / p.s.Frontier.SustainedRPS
			}
			m := fmt.Sprintf("%.0f vs %.0f req/s = %.1f×", v.Frontier.SustainedRPS, p.s.Frontier.SustainedRPS, ratio)
			if v.UpstreamBound {
				m += " (Veil upstream-bound: a floor)"
			}
			row("Sustained req/s vs "+p.s.Label, fmt.Sprintf("≥ %.0f×", p.factor), m, ratio >= p.factor, p.s.Frontier.SustainedRPS > 0)
		}
	}
	if v.Stream != nil && v.Stream.AddedTTFT != nil {
		row("Added TTFT", "p99 ≤ 250 µs", fmt.Sprintf("p50 %s / p99 %s µs", f1(v.Stream.AddedTTFT[0]), f1(v.Stream.AddedTTFT[1])), addedWithin(v.Stream.AddedTTFT[0], v.Stream.AddedTTFT[1], 250), true)
		row("Concurrent streams, no stall", "≥ 1,000", fmt.Sprintf("%d", v.Stream.MaxNoStall), v.Stream.MaxNoStall >= 1000, true)
	}
	if v.RSSIdleKB > 0 {
		row("Idle RSS", "≤ 150 MB", mib(v.RSSIdleKB)+" MiB", float64(v.RSSIdleKB)*1024 <= 150e6, true)
	}
	if v.Soak != nil {
		flat := float64(v.Soak.GrowthKB) <= 0.1*float64(v.Soak.StartKB)
		row("RSS flat under steady load", "growth ≤ 10% (our reading of \"flat\")", fmt.Sprintf("%+.1f MiB over %.0f s", float64(v.Soak.GrowthKB)/1024, v.Soak.Seconds), flat, true)
	}
	b.WriteString("\n")
}

func f1(x float64) string { return fmt.Sprintf("%.1f", x) }

// addedWithin judges an added-time percentile pair against a p99 goal. "Added" is the side's percentile minus the
// direct side's, so a noisy direct tail can make the added p99 small or negative while the median shows the gateway
// adding more than the goal: the goal holds only when the added p50 is within it too.
func addedWithin(p50, p99, limit float64) bool {
	return p99 <= limit && p50 <= limit
}

func pf(x *float64) string {
	if x == nil {
		return "–"
	}
	return f1(*x)
}

func mib(kb int64) string {
	if kb <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", float64(kb)/1024)
}
