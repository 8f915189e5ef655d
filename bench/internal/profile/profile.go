// Package profile attributes the execution samples of a Java Flight
// Recorder recording of Veil to request stages.
package profile

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Counts is what a recording's samples of one event type in a window came
// to: how many fell in the window and how many of those each stage had.
type Counts struct {
	JFR     string         `json:"jfr_file,omitempty"`
	Event   string         `json:"event"`
	From    string         `json:"measured_from"`
	To      string         `json:"measured_to"`
	Samples int            `json:"samples"`
	Stages  map[string]int `json:"stages"`
	// For jdk.CPUTimeSample, which stands for the thread CPU time of its
	// sampling period: that time summed per stage and in all, the
	// collector's CPU (jdk.GCCPUTime, from threads not sampled) and the
	// samples JFR reports lost, all in the window.
	StageCPUms   map[string]float64 `json:"stage_cpu_ms,omitempty"`
	SampledCPUms float64            `json:"sampled_cpu_ms,omitempty"`
	GCCPUms      float64            `json:"gc_cpu_ms,omitempty"`
	LostSamples  int                `json:"lost_samples,omitempty"`
}

// pluginNames names the bundled plugins by their package under
// dev.veil.plugins.
var pluginNames = map[string]string{
	"pii":       "pii-redaction",
	"retention": "zero-retention",
	"routing":   "routing",
	"cache":     "response-cache",
}

// libraries name the innermost frame of a sample that has no Veil frame.
var libraries = []struct{ prefix, name string }{
	{"io.helidon.", "Helidon"},
	{"io.opentelemetry.", "OpenTelemetry"},
	{"com.fasterxml.jackson.", "Jackson"},
	{"org.sqlite.", "SQLite JDBC"},
	{"com.github.benmanes.caffeine.", "Caffeine"},
	{"com.google.i18n.phonenumbers.", "libphonenumber"},
}

// StageOf names the stage a sample belongs to, from its frames innermost
// first, given as class names (with dots or, as JFR writes them, slashes).
// It is the package of the innermost Veil frame: the server's top-level
// package under dev.veil.server (listener, api, pipeline, auth, accounting,
// plugins, policy, dispatch, providers, http, codec, core, audit,
// telemetry...), "plugin <name>" for a bundled plugin under
// dev.veil.plugins, or "spi". Work done by a library or the JDK on Veil's
// behalf (Jackson writing for the codec, a socket write for http) is the
// caller's stage. A sample with no Veil frame (Helidon reading a request
// before Veil's handler, a JDK thread) is named for the innermost frame of a
// known library, or the JDK.
func StageOf(frames []string) string {
	for _, f := range frames {
		rest, ok := strings.CutPrefix(strings.ReplaceAll(f, "/", "."), "dev.veil.")
		if !ok {
			continue
		}
		parts := strings.Split(rest, ".")
		switch {
		case parts[0] == "server" && len(parts) > 2:
			return parts[1]
		case parts[0] == "plugins" && len(parts) > 2:
			if n, ok := pluginNames[parts[1]]; ok {
				return "plugin " + n
			}
			return "plugin " + parts[1]
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

// event is the part of one event of `jfr print --json` read here.
type event struct {
	Type   string `json:"type"`
	Values struct {
		StartTime      time.Time `json:"startTime"`
		SamplingPeriod string    `json:"samplingPeriod"`
		UserTime       string    `json:"userTime"`
		SystemTime     string    `json:"systemTime"`
		LostSamples    int       `json:"lostSamples"`
		StackTrace     *struct {
			Frames []struct {
				Method struct {
					Type struct {
						Name string `json:"name"`
					} `json:"type"`
				} `json:"method"`
			} `json:"frames"`
		} `json:"stackTrace"`
	} `json:"values"`
}

// Count reads the output of `jfr print --json` and counts the events of
// type eventType (jdk.ExecutionSample, jdk.CPUTimeSample) that started in
// [from, to] by stage; with jdk.CPUTimeSample it also sums their sampling
// periods, and the jdk.GCCPUTime and jdk.CPUTimeSamplesLost events of the
// window. It decodes one event at a time: a recording sampled every
// millisecond prints hundreds of megabytes of JSON.
func Count(r io.Reader, eventType string, from, to time.Time) (*Counts, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<20))
	for {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("not the JSON of jfr print: no events array (%v)", err)
		}
		if s, ok := t.(string); ok && s == "events" {
			break
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return nil, fmt.Errorf("not the JSON of jfr print: events is not an array")
	}
	c := &Counts{Event: eventType, From: from.UTC().Format(time.RFC3339Nano), To: to.UTC().Format(time.RFC3339Nano), Stages: map[string]int{}}
	frames := make([]string, 0, 64)
	for dec.More() {
		var e event
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("event %d: %v", c.Samples+1, err)
		}
		if t := e.Values.StartTime; t.Before(from) || t.After(to) {
			continue
		}
		switch {
		case e.Type == "jdk.GCCPUTime" && eventType == "jdk.CPUTimeSample":
			c.GCCPUms += ms(e.Values.UserTime) + ms(e.Values.SystemTime)
		case e.Type == "jdk.CPUTimeSamplesLost" && eventType == "jdk.CPUTimeSample":
			c.LostSamples += e.Values.LostSamples
		case e.Type == eventType && e.Values.StackTrace != nil:
			frames = frames[:0]
			for _, f := range e.Values.StackTrace.Frames {
				frames = append(frames, f.Method.Type.Name)
			}
			stage := StageOf(frames)
			c.Stages[stage]++
			c.Samples++
			if p := ms(e.Values.SamplingPeriod); p > 0 {
				if c.StageCPUms == nil {
					c.StageCPUms = map[string]float64{}
				}
				c.StageCPUms[stage] += p
				c.SampledCPUms += p
			}
		}
	}
	return c, nil
}

// ms reads a duration as jfr print --json writes it (ISO 8601, "PT0.001S",
// "PT1M2.5S") in milliseconds; 0 when absent or not understood.
func ms(iso string) float64 {
	rest, ok := strings.CutPrefix(iso, "PT")
	if !ok {
		return 0
	}
	total := 0.0
	for _, unit := range []struct {
		suffix string
		ms     float64
	}{{"H", 3600e3}, {"M", 60e3}, {"S", 1e3}} {
		i := strings.Index(rest, unit.suffix)
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil {
			return 0
		}
		total += v * unit.ms
		rest = rest[i+1:]
	}
	return total
}
