// Package result defines the JSON the load generator writes and the report
// reads.
package result

import "dev.veil/bench/internal/stats"

type Results struct {
	Tool       string            `json:"tool"`
	GoMaxProcs int               `json:"loadgen_gomaxprocs"`
	Params     map[string]any    `json:"params"`
	Warmup     *Warmup           `json:"warmup,omitempty"`
	Latency    *LatencyResult    `json:"latency,omitempty"`
	Throughput *ThroughputResult `json:"throughput,omitempty"`
	Stream     *StreamResult     `json:"stream,omitempty"`
	// Only with the translation scenario (not part of "all").
	Translation *TranslationResult `json:"translation,omitempty"`
	// Only with the responses scenario (not part of "all").
	Responses *ResponsesResult `json:"responses,omitempty"`
	Notes     []string         `json:"notes,omitempty"`
}

type LatencyResult struct {
	Direct  stats.Percentiles  `json:"direct"`
	Gateway *stats.Percentiles `json:"gateway,omitempty"`
	Added   *stats.Added       `json:"added,omitempty"`
	// Spread of the per-round p50 difference, to show how stable "added" is.
	RoundAddedP50 *Spread `json:"round_added_p50,omitempty"`
	RoundAddedP99 *Spread `json:"round_added_p99,omitempty"`
	Rounds        int     `json:"rounds"`
	// The reference proxy (bench/cmd/refproxy): the floor a proxy hop costs.
	Ref      *stats.Percentiles `json:"ref_proxy,omitempty"`
	RefAdded *stats.Added       `json:"ref_proxy_added,omitempty"`
	// Spread of the per-round p50 and p99 of the gateway minus the reference
	// side, when both ran: what one configuration costs over the other.
	RoundOverRefP50 *Spread `json:"round_gateway_minus_ref_p50,omitempty"`
	RoundOverRefP99 *Spread `json:"round_gateway_minus_ref_p99,omitempty"`
	Errors          int64   `json:"errors"`
	// Server CPU time (user+system, all threads) per request during the
	// measured blocks, from /proc/<pid>/stat; 0 when not metered.
	GatewayCPUPerRequest float64 `json:"gateway_cpu_us_per_request,omitempty"`
	RefCPUPerRequest     float64 `json:"ref_proxy_cpu_us_per_request,omitempty"`
	// CPU the gateway's JIT compiler threads used during the measured rounds.
	GatewayJITms float64 `json:"gateway_jit_cpu_ms,omitempty"`
}

// Warmup records how long the gateway was warmed up and whether the JIT had
// gone quiet by the end.
type Warmup struct {
	Seconds         float64 `json:"seconds"`
	LastWindowJITms float64 `json:"last_window_jit_cpu_ms"`
	JITQuiet        bool    `json:"jit_quiet"`
}

type Spread struct {
	Min    float64 `json:"min_us"`
	Median float64 `json:"median_us"`
	Max    float64 `json:"max_us"`
}

type TPSide struct {
	Concurrency int               `json:"concurrency"`
	Seconds     float64           `json:"seconds"`
	Requests    int64             `json:"requests"`
	RPS         float64           `json:"requests_per_s"`
	Errors      int64             `json:"errors"`
	FirstError  string            `json:"first_error,omitempty"`
	Latency     stats.Percentiles `json:"latency"`
	BodyBytes   int               `json:"response_body_bytes"`
	// Server CPU per request and cores busy during the measured window.
	CPUPerRequest float64 `json:"server_cpu_us_per_request,omitempty"`
	CPUCores      float64 `json:"server_cpu_cores,omitempty"`
	// The JFR recording taken while this side was under load (loadgen -jfr).
	Profile *Profile `json:"profile,omitempty"`
}

// Profile names a JFR recording of a server under load and the measured
// window within it (RFC 3339 UTC), to which samples are restricted.
type Profile struct {
	JFR  string `json:"jfr_file"`
	From string `json:"measured_from"`
	To   string `json:"measured_to"`
	// CPU of the server's JIT compiler threads in the window (/proc), which
	// JFR does not sample.
	CompilerCPUms float64 `json:"jit_compiler_cpu_ms,omitempty"`
}

type ThroughputResult struct {
	Direct  TPSide  `json:"direct"`
	Gateway *TPSide `json:"gateway,omitempty"`
	Ref     *TPSide `json:"ref_proxy,omitempty"`
	// Gateway requests/s as a fraction of the fake's own ceiling.
	GatewayOverDirect float64 `json:"gateway_over_direct,omitempty"`
}

type StreamSide struct {
	TTFB   stats.Percentiles `json:"ttfb"`
	Total  stats.Percentiles `json:"total"`
	Body   stats.Percentiles `json:"after_first_byte"`
	Events int               `json:"data_events_per_stream"`
}

type StreamResult struct {
	Rounds        int          `json:"rounds"`
	Chunks        int          `json:"chunks"`
	Direct        StreamSide   `json:"direct"`
	Gateway       *StreamSide  `json:"gateway,omitempty"`
	AddedTTFB     *stats.Added `json:"added_ttfb,omitempty"`
	AddedTotal    *stats.Added `json:"added_total,omitempty"`
	AddedPerChunk *stats.Added `json:"added_per_chunk,omitempty"`

	Ref              *StreamSide  `json:"ref_proxy,omitempty"`
	RefAddedTTFB     *stats.Added `json:"ref_proxy_added_ttfb,omitempty"`
	RefAddedPerChunk *stats.Added `json:"ref_proxy_added_per_chunk,omitempty"`

	// Server CPU per streamed response and, with the latency scenario's CPU
	// per request, per chunk: (per stream - per request) / chunks.
	GatewayCPUPerStream float64 `json:"gateway_cpu_us_per_stream,omitempty"`
	GatewayCPUPerChunk  float64 `json:"gateway_cpu_us_per_chunk,omitempty"`
	RefCPUPerStream     float64 `json:"ref_proxy_cpu_us_per_stream,omitempty"`
	RefCPUPerChunk      float64 `json:"ref_proxy_cpu_us_per_chunk,omitempty"`
	GatewayJITms        float64 `json:"gateway_jit_cpu_ms,omitempty"`
	Errors              int64   `json:"errors"`
}

// TranslationResult compares, at concurrency 1 and interleaved, Veil serving
// the OpenAI surface from an OpenAI upstream (model OpenAIModel) and from an
// Anthropic upstream (model AnthropicModel), each against the same direct
// requests to the fake's OpenAI endpoint. The ratios are Anthropic-path added
// p99 over OpenAI-path added p99 (the target: <= 1.20).
type TranslationResult struct {
	OpenAIModel    string `json:"openai_model"`
	AnthropicModel string `json:"anthropic_model"`

	LatencyRounds     int                `json:"latency_rounds"`
	Direct            stats.Percentiles  `json:"direct"`
	OpenAI            *stats.Percentiles `json:"openai_upstream"`
	Anthropic         *stats.Percentiles `json:"anthropic_upstream"`
	AddedOpenAI       *stats.Added       `json:"added_openai_upstream"`
	AddedAnthropic    *stats.Added       `json:"added_anthropic_upstream"`
	LatencyRatioP50   float64            `json:"added_ratio_p50"`
	LatencyRatioP99   float64            `json:"added_ratio_p99"`
	CPUPerRequestOAI  float64            `json:"cpu_us_per_request_openai_upstream,omitempty"`
	CPUPerRequestAnth float64            `json:"cpu_us_per_request_anthropic_upstream,omitempty"`
	LatencyJITms      float64            `json:"latency_jit_cpu_ms,omitempty"`
	LatencyErrors     int64              `json:"latency_errors"`

	StreamRounds           int          `json:"stream_rounds"`
	Chunks                 int          `json:"chunks"`
	StreamDirect           StreamSide   `json:"stream_direct"`
	StreamOpenAI           *StreamSide  `json:"stream_openai_upstream"`
	StreamAnthropic        *StreamSide  `json:"stream_anthropic_upstream"`
	AddedTTFBOpenAI        *stats.Added `json:"added_ttfb_openai_upstream"`
	AddedTTFBAnthropic     *stats.Added `json:"added_ttfb_anthropic_upstream"`
	AddedTotalOpenAI       *stats.Added `json:"added_total_openai_upstream"`
	AddedTotalAnthropic    *stats.Added `json:"added_total_anthropic_upstream"`
	AddedPerChunkOpenAI    *stats.Added `json:"added_per_chunk_openai_upstream"`
	AddedPerChunkAnthropic *stats.Added `json:"added_per_chunk_anthropic_upstream"`
	TTFBRatioP99           float64      `json:"added_ttfb_ratio_p99"`
	TotalRatioP99          float64      `json:"added_total_ratio_p99"`
	CPUPerStreamOAI        float64      `json:"cpu_us_per_stream_openai_upstream,omitempty"`
	CPUPerStreamAnth       float64      `json:"cpu_us_per_stream_anthropic_upstream,omitempty"`
	CPUPerChunkOAI         float64      `json:"cpu_us_per_chunk_openai_upstream,omitempty"`
	CPUPerChunkAnth        float64      `json:"cpu_us_per_chunk_anthropic_upstream,omitempty"`
	StreamJITms            float64      `json:"stream_jit_cpu_ms,omitempty"`
	StreamErrors           int64        `json:"stream_errors"`
}

// ResponsesResult compares, at concurrency 1 and interleaved, the same prompt
// sent through Veil to /v1/chat/completions and to /v1/responses (with
// "store": false, and with store left to its default, true), all routed to
// one OpenAI-compatible upstream, so that each Responses request reaches the
// fake as the same chat completion. Every path is measured against the same
// direct requests to the fake, and each Responses path against the chat path.
type ResponsesResult struct {
	Model string `json:"model"`

	LatencyRounds int               `json:"latency_rounds"`
	Direct        stats.Percentiles `json:"direct"`
	LatencyJITms  float64           `json:"latency_jit_cpu_ms,omitempty"`
	LatencyErrors int64             `json:"latency_errors"`

	StreamRounds int        `json:"stream_rounds"`
	Chunks       int        `json:"chunks"`
	StreamDirect StreamSide `json:"stream_direct"`
	StreamJITms  float64    `json:"stream_jit_cpu_ms,omitempty"`
	StreamErrors int64      `json:"stream_errors"`

	// The chat path first, then the Responses paths.
	Paths []ResponsesPath `json:"paths"`
}

// ResponsesPath is one way through Veil in the responses scenario.
type ResponsesPath struct {
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	Body     string `json:"request_body"`

	Latency stats.Percentiles `json:"latency"`
	Added   stats.Added       `json:"added"`
	// This path minus the chat path, pooled, and the spread over rounds of
	// the per-round difference; absent for the chat path itself.
	OverChat         *stats.Added `json:"over_chat,omitempty"`
	RoundOverChatP50 *Spread      `json:"round_over_chat_p50,omitempty"`
	RoundOverChatP99 *Spread      `json:"round_over_chat_p99,omitempty"`
	CPUPerRequest    float64      `json:"cpu_us_per_request,omitempty"`

	Stream        StreamSide   `json:"stream"`
	AddedTTFB     stats.Added  `json:"added_ttfb"`
	AddedTotal    stats.Added  `json:"added_total"`
	TTFBOverChat  *stats.Added `json:"ttfb_over_chat,omitempty"`
	TotalOverChat *stats.Added `json:"total_over_chat,omitempty"`
	CPUPerStream  float64      `json:"cpu_us_per_stream,omitempty"`
}
