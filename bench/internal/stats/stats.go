// Package stats holds the small amount of arithmetic the benchmark needs:
// nearest-rank percentiles over duration samples, in microseconds.
package stats

import (
	"math"
	"sort"
	"time"
)

// Percentiles summarises a sample set in microseconds.
type Percentiles struct {
	N    int     `json:"n"`
	Min  float64 `json:"min_us"`
	P50  float64 `json:"p50_us"`
	P90  float64 `json:"p90_us"`
	P99  float64 `json:"p99_us"`
	P999 float64 `json:"p999_us"`
	Max  float64 `json:"max_us"`
	Mean float64 `json:"mean_us"`
}

// Summarise sorts a copy of samples and returns its percentiles.
func Summarise(samples []time.Duration) Percentiles {
	if len(samples) == 0 {
		return Percentiles{}
	}
	s := make([]time.Duration, len(samples))
	copy(s, samples)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return Percentiles{
		N:    len(s),
		Min:  US(s[0]),
		P50:  US(Rank(s, 0.50)),
		P90:  US(Rank(s, 0.90)),
		P99:  US(Rank(s, 0.99)),
		P999: US(Rank(s, 0.999)),
		Max:  US(s[len(s)-1]),
		Mean: Round(float64(sum) / float64(len(s)) / 1e3),
	}
}

// Rank returns the nearest-rank q-quantile of sorted samples: the
// ceil(q*n)-th smallest of n, so p0 is the minimum and p100 the maximum, and
// never a value between two samples. sorted must not be empty.
func Rank(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}

// US converts to microseconds rounded to 0.1 µs.
func US(d time.Duration) float64 { return Round(float64(d) / 1e3) }

// Round rounds to one decimal place.
func Round(f float64) float64 { return math.Round(f*10) / 10 }

// Round3 rounds to three decimal places (for per-chunk figures).
func Round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// Diff returns b - a at each percentile (the "added" latency of b over a).
func Diff(a, b Percentiles) Added {
	return Added{
		P50: Round(b.P50 - a.P50),
		P90: Round(b.P90 - a.P90),
		P99: Round(b.P99 - a.P99),
	}
}

// Added is a per-percentile difference in microseconds.
type Added struct {
	P50 float64 `json:"p50_us"`
	P90 float64 `json:"p90_us"`
	P99 float64 `json:"p99_us"`
}

// Median returns the median of xs (which it sorts in place).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[m]
	}
	return (xs[m-1] + xs[m]) / 2
}
