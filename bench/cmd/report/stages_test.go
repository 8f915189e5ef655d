package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dev.veil/bench/internal/result"
)

func writeCounts(t *testing.T, body string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "stages.json")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestProfileStagesSpreadsTheMeasuredCPUPerRequestBySampleShare(t *testing.T) {
	f := writeCounts(t, `{"jfr_file": "x.jfr", "samples": 200, "stages": {"http": 100, "audit": 50, "plugin pii-redaction": 30, "no Veil frame: JDK": 20}}`)
	p, err := profileStages(f, &result.TPSide{CPUPerRequest: 400})
	if err != nil {
		t.Fatal(err)
	}
	want := []Stage{{"http", 100, 0.5, 200}, {"audit", 50, 0.25, 100}, {"plugin pii-redaction", 30, 0.15, 60}, {"no Veil frame: JDK", 20, 0.1, 40}}
	if fmt.Sprint(p.Stages) != fmt.Sprint(want) || p.Samples != 200 || p.CPUPerRequest != 400 {
		t.Fatalf("got %+v, want stages %v", p, want)
	}
}

func TestProfileStagesRefusesARecordingWithoutSamples(t *testing.T) {
	f := writeCounts(t, `{"samples": 0, "stages": {}}`)
	if _, err := profileStages(f, &result.TPSide{CPUPerRequest: 400}); err == nil {
		t.Fatal("no error for a recording without samples")
	}
}

func TestStagesMarkdownSetsTheProfilesSideBySide(t *testing.T) {
	routing := &StageProfile{Samples: 10, CPUPerRequest: 100, Stages: []Stage{{"http", 6, 0.6, 60}, {"listener", 4, 0.4, 40}}}
	privacy := &StageProfile{Samples: 20, CPUPerRequest: 1000, Stages: []Stage{{"audit", 10, 0.5, 500}, {"http", 10, 0.5, 500}}}
	var sb strings.Builder
	stagesMarkdown(func(f string, a ...any) { fmt.Fprintf(&sb, f, a...) }, 64, []string{"routing only", "privacy pipeline"},
		[]*StageProfile{routing, privacy})
	for _, row := range []string{
		"| audit | — | — | 50.0% | 500.0 | +500.0 |",
		"| http | 60.0% | 60.0 | 50.0% | 500.0 | +440.0 |",
		"| listener | 40.0% | 40.0 | — | — | -40.0 |",
		"| **all (measured CPU per request)** | 10 samples | **100.0** | 20 samples | **1000.0** | **+900.0** |",
	} {
		if !strings.Contains(sb.String(), row+"\n") {
			t.Errorf("no row %q in\n%s", row, sb.String())
		}
	}
	if strings.Index(sb.String(), "| audit") > strings.Index(sb.String(), "| listener") {
		t.Errorf("rows not in the privacy profile's order:\n%s", sb.String())
	}
}

func TestProfileStagesWithCPUTimeSamplesGivesEachStageItsCPUAndClosesTheSum(t *testing.T) {
	// 1,000 requests at 400 µs each: 400 ms of CPU, of which samples cover 300 ms, the collector 40 ms and the JIT 20 ms.
	f := writeCounts(t, `{"event": "jdk.CPUTimeSample", "samples": 300, "lost_samples": 2, "stages": {"http": 100, "audit": 200},
		"stage_cpu_ms": {"http": 100, "audit": 200}, "sampled_cpu_ms": 300, "gc_cpu_ms": 40}`)
	p, err := profileStages(f, &result.TPSide{CPUPerRequest: 400, Requests: 1000, Profile: &result.Profile{CompilerCPUms: 20}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Stage{{"audit", 200, 0.5, 200}, {"http", 100, 0.25, 100}, {gcStage, 0, 0.1, 40}, {jitStage, 0, 0.05, 20}, {notSampledRows, 0, 0.1, 40}}
	if fmt.Sprint(p.Stages) != fmt.Sprint(want) || p.LostSamples != 2 {
		t.Fatalf("got %+v, want stages %v", p, want)
	}
}

func TestStagesMarkdownPutsTheRowsThatCloseTheSumLast(t *testing.T) {
	routing := &StageProfile{Samples: 10, CPUPerRequest: 100, Stages: []Stage{{"listener", 4, 0.4, 40}, {gcStage, 0, 0.1, 10}, {"server", 1, 0.1, 10}}}
	privacy := &StageProfile{Samples: 20, CPUPerRequest: 1000, Stages: []Stage{{"audit", 10, 0.5, 500}, {gcStage, 0, 0.1, 100}, {notSampledRows, 0, 0.1, 100}}}
	var sb strings.Builder
	stagesMarkdown(func(f string, a ...any) { fmt.Fprintf(&sb, f, a...) }, 64, []string{"routing only", "privacy pipeline"},
		[]*StageProfile{routing, privacy})
	out := sb.String()
	if !(strings.Index(out, "| server") < strings.Index(out, "| "+gcStage) && strings.Index(out, "| "+gcStage) < strings.Index(out, "| "+notSampledRows)) {
		t.Fatalf("GC and not-sampled rows are not last:\n%s", out)
	}
}
