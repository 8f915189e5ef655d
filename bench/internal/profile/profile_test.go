package profile

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestStageOf(t *testing.T) {
	cases := []struct {
		frames []string
		want   string
	}{
		{[]string{"java/lang/String", "dev/veil/server/codec/openai/ChatCodec", "dev/veil/server/api/Routes"}, "codec"},
		{[]string{"dev.veil.server.listener.Http1Listener"}, "listener"},
		{[]string{"dev/veil/plugins/pii/detect/ner/Names", "dev/veil/server/plugins/PluginChain"}, "plugin pii-redaction"},
		{[]string{"dev/veil/plugins/routing/Router"}, "plugin routing"},
		{[]string{"dev/veil/plugins/custom/Thing"}, "plugin custom"},
		{[]string{"dev/veil/server/plugins/PluginChain"}, "plugins"},
		{[]string{"dev/veil/spi/Attributes"}, "spi"},
		{[]string{"dev/veil/server/Main"}, "server"},
		{[]string{"io/opentelemetry/sdk/trace/SdkSpan", "io/helidon/webserver/Server"}, "no Veil frame: OpenTelemetry"},
		{[]string{"java/lang/Object", "io/helidon/webserver/Server"}, "no Veil frame: Helidon"},
		{[]string{"java/lang/Object"}, "no Veil frame: JDK"},
		{nil, "no Veil frame: JDK"},
	}
	for _, c := range cases {
		if got := StageOf(c.frames); got != c.want {
			t.Errorf("StageOf(%v) = %q, want %q", c.frames, got, c.want)
		}
	}
}

func TestCountAttributesTheExecutionSamplesOfTheWindowToStages(t *testing.T) {
	f, err := os.Open("testdata/samples.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	from := time.Date(2026, 12, 8, 1, 0, 1, 0, time.UTC)
	c, err := Count(f, "jdk.ExecutionSample", from, from.Add(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"http": 1, "codec": 1, "plugin pii-redaction": 1, "plugin zero-retention": 1, "spi": 1,
		"no Veil frame: Helidon": 1, "no Veil frame: JDK": 1}
	if c.Samples != 7 || len(c.Stages) != len(want) {
		t.Fatalf("%d samples in %v, want 7 in %v", c.Samples, c.Stages, want)
	}
	for k, n := range want {
		if c.Stages[k] != n {
			t.Errorf("stage %q: %d samples, want %d", k, c.Stages[k], n)
		}
	}
}

func TestCountRefusesWhatIsNotJfrPrintJSON(t *testing.T) {
	if _, err := Count(strings.NewReader(`{"recording": {"events": 3}}`), "jdk.ExecutionSample", time.Time{}, time.Now()); err == nil {
		t.Fatal("no error for events that are not an array")
	}
	if _, err := Count(strings.NewReader(`jdk.ExecutionSample {`), "jdk.ExecutionSample", time.Time{}, time.Now()); err == nil {
		t.Fatal("no error for jfr print's text format")
	}
}

func TestCountCountsOnlyTheEventTypeAsked(t *testing.T) {
	f, err := os.Open("testdata/samples.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	from := time.Date(2026, 12, 8, 1, 0, 1, 0, time.UTC)
	c, err := Count(f, "jdk.CPUTimeSample", from, from.Add(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if c.Event != "jdk.CPUTimeSample" || c.Samples != 2 || c.Stages["audit"] != 1 || c.Stages["policy"] != 1 {
		t.Fatalf("got %+v, want one audit and one policy CPU-time sample", c)
	}
	if c.StageCPUms["audit"] != 1 || c.StageCPUms["policy"] != 3 || c.SampledCPUms != 4 {
		t.Errorf("CPU by stage %v (%v ms in all), want the sampling periods: audit 1 ms, policy 3 ms", c.StageCPUms, c.SampledCPUms)
	}
	if c.GCCPUms != 12 || c.LostSamples != 5 {
		t.Errorf("GC CPU %v ms, %d samples lost; want the window's: 12 ms (user and system) and 5", c.GCCPUms, c.LostSamples)
	}
}

func TestExecutionSamplesCarryNoCPUTime(t *testing.T) {
	f, err := os.Open("testdata/samples.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	from := time.Date(2026, 12, 8, 1, 0, 1, 0, time.UTC)
	c, err := Count(f, "jdk.ExecutionSample", from, from.Add(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if c.StageCPUms != nil || c.SampledCPUms != 0 || c.GCCPUms != 0 || c.LostSamples != 0 {
		t.Fatalf("got %+v, want counts only", c)
	}
}

func TestMs(t *testing.T) {
	for in, want := range map[string]float64{"PT0.001S": 1, "PT0S": 0, "PT1M2.5S": 62500, "PT1H": 3600e3, "": 0, "1 ms": 0} {
		if got := ms(in); got != want {
			t.Errorf("ms(%q) = %v, want %v", in, got, want)
		}
	}
}
