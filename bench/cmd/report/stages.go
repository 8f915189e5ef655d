package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"dev.veil/bench/internal/result"
	"dev.veil/bench/internal/stats"
)

// StageProfile is where a Veil's CPU went while it was under throughput
// load: JFR execution samples (jdk.ExecutionSample, Java code running on a
// CPU) from the measured window, each attributed to a stage by stageOf, and
// the share of each stage times the CPU per request measured in that window.
type StageProfile struct {
	JFR           string  `json:"jfr_file"`
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

// stageOf names the stage a sample's stack belongs to, frames innermost
// first, as class names (dots or slashes). It is the package of the
// innermost Veil frame: the server's top-level package under
// dev.veil.server (listener, api, pipeline, auth, policy, dispatch,
// providers, http, codec, audit, telemetry...), "plugins/<package>" for a
// plugin under dev.veil.plugins, or "spi". A stack without a Veil frame is
// work Veil did not call for itself (Helidon reading a request, a JDK
// thread) and is named for the innermost frame of a known library, or JDK.
func stageOf(frames []string) string {
	for _, f := range frames {
		c := strings.ReplaceAll(f, "/", ".")
		rest, ok := strings.CutPrefix(c, "dev.veil.")
		if !ok {
			continue
		}
		parts := strings.Split(rest, ".")
		switch {
		case parts[0] == "server" && len(parts) > 2:
			return parts[1]
		case parts[0] == "plugins" && len(parts) > 2:
			return "plugins/" + parts[1]
		default:
			return parts[0]
		}
	}
	for _, f := range frames {
		c := strings.ReplaceAll(f, "/", ".")
		for _, l := range libraries {
			if strings.HasPrefix(c, l.prefix) {
				return "no Veil frame: " + l.name
			}
		}
	}
	return "no Veil frame: JDK"
}

var libraries = []struct{ prefix, name string }{
	{"io.helidon.", "Helidon"},
	{"io.opentelemetry.", "OpenTelemetry"},
	{"com.fasterxml.jackson.", "Jackson"},
	{"org.sqlite.", "SQLite JDBC"},
	{"com.github.benmanes.caffeine.", "Caffeine"},
	{"com.google.i18n.phonenumbers.", "libphonenumber"},
}

// jfrEvents is the part of `jfr print --json` read here.
type jfrEvents struct {
	Recording struct {
		Events []struct {
			Type   string `json:"type"`
			Values struct {
				StartTime  time.Time `json:"startTime"`
				StackTrace *struct {
					Frames []struct {
						Method struct {
							Type struct {
								Name string `json:"name"`
							} `json:"type"`
						} `json:"method"`
					} `json:"frames"`
				} `json:"stackTrace"`
			} `json:"values"`
		} `json:"events"`
	} `json:"recording"`
}

// stageSamples counts the jdk.ExecutionSample events of r (the output of
// `jfr print --json --events jdk.ExecutionSample`) that fall in [from, to]
// by stage.
func stageSamples(r io.Reader, from, to time.Time) (map[string]int, int, error) {
	var ev jfrEvents
	if err := json.NewDecoder(r).Decode(&ev); err != nil {
		return nil, 0, fmt.Errorf("not the JSON of jfr print: %v", err)
	}
	counts := map[string]int{}
	total := 0
	frames := make([]string, 0, 64)
	for _, e := range ev.Recording.Events {
		if e.Type != "jdk.ExecutionSample" || e.Values.StackTrace == nil {
			continue
		}
		if t := e.Values.StartTime; t.Before(from) || t.After(to) {
			continue
		}
		frames = frames[:0]
		for _, f := range e.Values.StackTrace.Frames {
			frames = append(frames, f.Method.Type.Name)
		}
		counts[stageOf(frames)]++
		total++
	}
	return counts, total, nil
}

// profileStages reads the samples of side's measured window from file and
// spreads the side's CPU per request over the stages by their share.
func profileStages(file string, side *result.TPSide) (*StageProfile, error) {
	if side == nil || side.Profile == nil {
		return nil, fmt.Errorf("%s: the results have no JFR window for this side", file)
	}
	from, err1 := time.Parse(time.RFC3339Nano, side.Profile.From)
	to, err2 := time.Parse(time.RFC3339Nano, side.Profile.To)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("bad JFR window %q to %q", side.Profile.From, side.Profile.To)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	counts, total, err := stageSamples(f, from, to)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if total == 0 {
		return nil, fmt.Errorf("%s: no execution samples between %s and %s", file, side.Profile.From, side.Profile.To)
	}
	p := &StageProfile{JFR: side.Profile.JFR, Samples: total, CPUPerRequest: side.CPUPerRequest}
	for name, n := range counts {
		share := float64(n) / float64(total)
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
// order of the last profile's CPU per request.
func stagesMarkdown(w func(string, ...any), conns int, names []string, ps []*StageProfile) {
	w("\n| Veil CPU by stage, throughput at %d connections |", conns)
	for _, n := range names {
		w(" %s: share | µs/request |", n)
	}
	w("\n|---|")
	for range names {
		w("---:|---:|")
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
		for _, p := range ps {
			found := false
			for _, s := range p.Stages {
				if s.Name == name {
					w(" %.1f%% | %.1f |", 100*s.Share, s.CPUPerRequest)
					found = true
				}
			}
			if !found {
				w(" — | — |")
			}
		}
		w("\n")
	}
	w("| **all (measured CPU per request)** |")
	for _, p := range ps {
		w(" %d samples | **%.1f** |", p.Samples, p.CPUPerRequest)
	}
	w("\n")
}
