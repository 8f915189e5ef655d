// Command jfrstages reads `jfr print --json --events <event>` of a recording
// of Veil under throughput load (loadgen -jfr) on standard input and writes,
// as JSON, how many samples (jdk.CPUTimeSample or jdk.ExecutionSample) of
// the measured window each request stage had
// (dev.veil/bench/internal/profile). The window is
// the one the load generator's results give for the gateway's throughput
// phase.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"dev.veil/bench/internal/profile"
	"dev.veil/bench/internal/result"
)

func main() {
	in := flag.String("results", "", "the load generator's JSON: the window is its throughput.gateway.profile")
	out := flag.String("out", "", "file to write the counts to (default: standard output)")
	event := flag.String("event", "jdk.ExecutionSample", "the sample event to count: jdk.ExecutionSample (threads running Java code, at fixed intervals) or jdk.CPUTimeSample (JDK 25: per thread CPU time, native code and system calls included)")
	flag.Parse()
	b, err := os.ReadFile(*in)
	if err != nil {
		fail(err)
	}
	var r result.Results
	if err := json.Unmarshal(b, &r); err != nil {
		fail(fmt.Errorf("%s: %v", *in, err))
	}
	if r.Throughput == nil || r.Throughput.Gateway == nil || r.Throughput.Gateway.Profile == nil {
		fail(fmt.Errorf("%s: no JFR window for the gateway's throughput phase", *in))
	}
	p := r.Throughput.Gateway.Profile
	from, err1 := time.Parse(time.RFC3339Nano, p.From)
	to, err2 := time.Parse(time.RFC3339Nano, p.To)
	if err1 != nil || err2 != nil {
		fail(fmt.Errorf("%s: bad window %q to %q", *in, p.From, p.To))
	}
	c, err := profile.Count(os.Stdin, *event, from, to)
	if err != nil {
		fail(err)
	}
	if c.Samples == 0 {
		fail(fmt.Errorf("no %s events between %s and %s", *event, p.From, p.To))
	}
	c.JFR = p.JFR
	j, _ := json.MarshalIndent(c, "", "  ")
	j = append(j, '\n')
	if *out == "" {
		os.Stdout.Write(j)
	} else if err := os.WriteFile(*out, j, 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "jfrstages:", err)
	os.Exit(2)
}
