package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"

	"dev.veil/bench/internal/profile"
	"dev.veil/bench/internal/result"
	"dev.veil/bench/internal/stats"
)

// StageProfile is where a Veil's CPU went while it was under throughput
// load, from the JFR samples of the measured window, each attributed to a
// stage by profile.StageOf. With CPU-time samples (jdk.CPUTimeSample) a
// stage's µs per request is the thread CPU its samples stand for over the
// window's requests, and two more rows close the sum to the measured CPU
// per request: the collector's CPU (jdk.GCCPUTime), the JIT compiler's
// (from /proc, when the load generator read it) and what no sample covered
// (other VM threads, samples lost). With
// execution samples it is the stage's share of the samples times the
// measured CPU per request.
type StageProfile struct {
	JFR           string  `json:"jfr_file"`
	Event         string  `json:"event"`
	Samples       int     `json:"samples"`
	LostSamples   int     `json:"lost_samples,omitempty"`
	CPUPerRequest float64 `json:"server_cpu_us_per_request"`
	Stages        []Stage `json:"stages"`
}

const (
	gcStage        = "GC (jdk.GCCPUTime)"
	jitStage       = "JIT compiler (/proc)"
	notSampledRows = "not sampled (other VM threads, lost samples)"
)

type Stage struct {
	Name          string  `json:"name"`
	Samples       int     `json:"samples"`
	Share         float64 `json:"share"`
	CPUPerRequest float64 `json:"cpu_us_per_request"`
}

// profileStages reads the stage counts jfrstages wrote for side's
// recording and spreads the side's CPU per request over the stages by their
// share of the samples.
func profileStages(file string, side *result.TPSide) (*StageProfile, error) {
	if side == nil {
		return nil, fmt.Errorf("%s: the results have no throughput through this Veil", file)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var c profile.Counts
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if c.Samples == 0 {
		return nil, fmt.Errorf("%s: no execution samples", file)
	}
	p := &StageProfile{JFR: c.JFR, Event: c.Event, Samples: c.Samples, LostSamples: c.LostSamples, CPUPerRequest: side.CPUPerRequest}
	if c.SampledCPUms > 0 && side.Requests > 0 && side.CPUPerRequest > 0 {
		measuredMs := side.CPUPerRequest * float64(side.Requests) / 1e3
		add := func(name string, n int, cpuMs float64) {
			p.Stages = append(p.Stages, Stage{Name: name, Samples: n, Share: stats.Round3(cpuMs / measuredMs),
				CPUPerRequest: stats.Round(cpuMs * 1e3 / float64(side.Requests))})
		}
		for name, n := range c.Stages {
			add(name, n, c.StageCPUms[name])
		}
		sortStages(p.Stages)
		add(gcStage, 0, c.GCCPUms)
		jitMs := 0.0
		if side.Profile != nil && side.Profile.CompilerCPUms > 0 {
			jitMs = side.Profile.CompilerCPUms
			add(jitStage, 0, jitMs)
		}
		add(notSampledRows, 0, measuredMs-c.SampledCPUms-c.GCCPUms-jitMs)
		return p, nil
	}
	for name, n := range c.Stages {
		share := float64(n) / float64(c.Samples)
		p.Stages = append(p.Stages, Stage{Name: name, Samples: n, Share: stats.Round3(share),
			CPUPerRequest: stats.Round(share * side.CPUPerRequest)})
	}
	sortStages(p.Stages)
	return p, nil
}

func sortStages(s []Stage) {
	sort.Slice(s, func(i, j int) bool {
		if s[i].CPUPerRequest != s[j].CPUPerRequest {
			return s[i].CPUPerRequest > s[j].CPUPerRequest
		}
		return s[i].Name < s[j].Name
	})
}

// stagesMarkdown sets the profiles side by side, one row per stage, in the
// order of the last profile's CPU per request; with two profiles, a last
// column gives the second's µs per request minus the first's.
func stagesMarkdown(w func(string, ...any), conns int, names []string, ps []*StageProfile) {
	w("\n| Veil CPU by stage, throughput at %d connections (%s) |", conns, ps[len(ps)-1].Event)
	for _, n := range names {
		w(" %s: share | µs/request |", n)
	}
	if len(ps) == 2 {
		w(" difference, µs/request |")
	}
	w("\n|---|")
	for range names {
		w("---:|---:|")
	}
	if len(ps) == 2 {
		w("---:|")
	}
	w("\n")
	var order []string
	seen := map[string]bool{}
	for i := len(ps) - 1; i >= 0; i-- {
		for _, s := range ps[i].Stages {
			if !seen[s.Name] {
				seen[s.Name] = true
				order = append(order, s.Name)
			}
		}
	}
	// The rows that close the sum go last.
	var last []string
	for _, name := range []string{gcStage, jitStage, notSampledRows} {
		if seen[name] {
			last = append(last, name)
		}
	}
	order = append(slices.DeleteFunc(order, func(n string) bool { return slices.Contains(last, n) }), last...)
	for _, name := range order {
		w("| %s |", name)
		var us []float64
		for _, p := range ps {
			found := false
			for _, s := range p.Stages {
				if s.Name == name {
					w(" %.1f%% | %.1f |", 100*s.Share, s.CPUPerRequest)
					us = append(us, s.CPUPerRequest)
					found = true
				}
			}
			if !found {
				w(" — | — |")
				us = append(us, 0)
			}
		}
		if len(ps) == 2 {
			w(" %+.1f |", us[1]-us[0])
		}
		w("\n")
	}
	w("| **all (measured CPU per request)** |")
	for _, p := range ps {
		lost := ""
		if p.LostSamples > 0 {
			lost = fmt.Sprintf(", %d lost", p.LostSamples)
		}
		w(" %d samples%s | **%.1f** |", p.Samples, lost, p.CPUPerRequest)
	}
	if len(ps) == 2 {
		w(" **%+.1f** |", ps[1].CPUPerRequest-ps[0].CPUPerRequest)
	}
	w("\n")
}
