package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"dev.veil/bench/internal/profile"
	"dev.veil/bench/internal/result"
	"dev.veil/bench/internal/stats"
)

// StageProfile is where a Veil's CPU went while it was under throughput
// load: JFR execution samples (jdk.ExecutionSample, Java code running on a
// CPU) from the measured window, each attributed to a stage by
// profile.StageOf, and the share of each stage times the CPU per request
// measured in that window.
type StageProfile struct {
	JFR           string  `json:"jfr_file"`
	Event         string  `json:"event"`
	Samples       int     `json:"samples"`
	CPUPerRequest float64 `json:"server_cpu_us_per_request"`
	Stages        []Stage `json:"stages"`
}

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
	p := &StageProfile{JFR: c.JFR, Event: c.Event, Samples: c.Samples, CPUPerRequest: side.CPUPerRequest}
	for name, n := range c.Stages {
		share := float64(n) / float64(c.Samples)
		p.Stages = append(p.Stages, Stage{Name: name, Samples: n, Share: stats.Round3(share),
			CPUPerRequest: stats.Round(share * side.CPUPerRequest)})
	}
	sort.Slice(p.Stages, func(i, j int) bool {
		if p.Stages[i].Samples != p.Stages[j].Samples {
			return p.Stages[i].Samples > p.Stages[j].Samples
		}
		return p.Stages[i].Name < p.Stages[j].Name
	})
	return p, nil
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
		w(" %d samples | **%.1f** |", p.Samples, p.CPUPerRequest)
	}
	if len(ps) == 2 {
		w(" **%+.1f** |", ps[1].CPUPerRequest-ps[0].CPUPerRequest)
	}
	w("\n")
}
