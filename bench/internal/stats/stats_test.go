package stats

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// us builds durations from whole microseconds, so that the hand-worked
// expectations below read in the unit the reports print.
func us(values ...int) []time.Duration {
	out := make([]time.Duration, len(values))
	for i, v := range values {
		out[i] = time.Duration(v) * time.Microsecond
	}
	return out
}

// Nearest rank: the q-quantile of n sorted samples is the ceil(q*n)-th
// smallest (1-based), clamped to the first and the last; never an
// interpolation between two samples.
func TestRankIsTheNearestRank(t *testing.T) {
	oneToTen := us(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	duplicates := us(1, 2, 2, 2, 3)
	tests := []struct {
		name   string
		sorted []time.Duration
		q      float64
		want   time.Duration
	}{
		{"p0 is the minimum", oneToTen, 0, 1 * time.Microsecond},
		{"p100 is the maximum", oneToTen, 1, 10 * time.Microsecond},
		{"above p100 is the maximum", oneToTen, 1.5, 10 * time.Microsecond},
		{"below p0 is the minimum", oneToTen, -0.5, 1 * time.Microsecond},
		{"p5 of 10: ceil(0.5) = 1st", oneToTen, 0.05, 1 * time.Microsecond},
		{"p11 of 10: ceil(1.1) = 2nd", oneToTen, 0.11, 2 * time.Microsecond},
		{"p25 of 10: ceil(2.5) = 3rd, not 3.25 interpolated", oneToTen, 0.25, 3 * time.Microsecond},
		{"p50 of 10: ceil(5) = 5th, not 5.5 averaged", oneToTen, 0.50, 5 * time.Microsecond},
		{"p90 of 10: ceil(9) = 9th", oneToTen, 0.90, 9 * time.Microsecond},
		{"p99 of 10: ceil(9.9) = 10th", oneToTen, 0.99, 10 * time.Microsecond},
		{"p99.9 of 10: ceil(9.99) = 10th", oneToTen, 0.999, 10 * time.Microsecond},
		{"one sample at p0", us(7), 0, 7 * time.Microsecond},
		{"one sample at p50", us(7), 0.5, 7 * time.Microsecond},
		{"one sample at p100", us(7), 1, 7 * time.Microsecond},
		{"duplicates, p20 of 5: ceil(1) = 1st", duplicates, 0.20, 1 * time.Microsecond},
		{"duplicates, p21 of 5: ceil(1.05) = 2nd", duplicates, 0.21, 2 * time.Microsecond},
		{"duplicates, p80 of 5: ceil(4) = 4th", duplicates, 0.80, 2 * time.Microsecond},
		{"duplicates, p81 of 5: ceil(4.05) = 5th", duplicates, 0.81, 3 * time.Microsecond},
		{"all equal", us(4, 4, 4), 0.99, 4 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Rank(tt.sorted, tt.q); got != tt.want {
				t.Errorf("Rank(%v, %v) = %v, want %v", tt.sorted, tt.q, got, tt.want)
			}
		})
	}
}

// The published quantiles on every sample count up to 20,000, against the
// rank worked out in integers (q in thousandths), so that no floating-point
// product like 0.99*100 can land just above a whole number and take the next
// sample.
func TestRankOfThePublishedQuantilesMatchesIntegerArithmetic(t *testing.T) {
	const most = 20_000
	ranks := make([]time.Duration, most) // the sample of rank r is r nanoseconds
	for i := range ranks {
		ranks[i] = time.Duration(i + 1)
	}
	for _, thousandths := range []int{500, 900, 990, 999} {
		q := float64(thousandths) / 1000
		for n := 1; n <= most; n++ {
			wantRank := (thousandths*n + 999) / 1000 // ceil(thousandths*n/1000), at least 1 for n >= 1
			if got := Rank(ranks[:n], q); got != time.Duration(wantRank) {
				t.Fatalf("Rank of %d samples at q=%v is the %dth smallest, want the %dth", n, q, int64(got), wantRank)
			}
		}
	}
}

func TestRankWithLargeCounts(t *testing.T) {
	thousand := make([]time.Duration, 1000)
	for i := range thousand {
		thousand[i] = time.Duration(i+1) * time.Microsecond
	}
	tests := []struct {
		q    float64
		want time.Duration
	}{
		{0.50, 500 * time.Microsecond},
		{0.90, 900 * time.Microsecond},
		{0.99, 990 * time.Microsecond},
		{0.999, 999 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("q=%v", tt.q), func(t *testing.T) {
			if got := Rank(thousand, tt.q); got != tt.want {
				t.Errorf("Rank(1..1000 µs, %v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestRankOfNoSamplesPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Rank of no samples returned; want a panic (Summarise handles the empty case)")
		}
	}()
	Rank(nil, 0.5)
}

func TestSummarise(t *testing.T) {
	tests := []struct {
		name    string
		samples []time.Duration
		want    Percentiles
	}{
		{
			name:    "no samples",
			samples: nil,
			want:    Percentiles{},
		},
		{
			name:    "one sample is every percentile",
			samples: []time.Duration{2500 * time.Nanosecond},
			want:    Percentiles{N: 1, Min: 2.5, P50: 2.5, P90: 2.5, P99: 2.5, P999: 2.5, Max: 2.5, Mean: 2.5},
		},
		{
			// Sorted 1..5: p50 ceil(2.5) = 3rd, p90 ceil(4.5) = 5th; mean 15/5.
			name:    "unsorted input is sorted first",
			samples: us(5, 1, 4, 2, 3),
			want:    Percentiles{N: 5, Min: 1, P50: 3, P90: 5, P99: 5, P999: 5, Max: 5, Mean: 3},
		},
		{
			// Sorted 1..10: p50 5th, p90 9th, p99 and p99.9 10th; mean 55/10.
			name:    "ten samples",
			samples: us(10, 9, 8, 7, 6, 5, 4, 3, 2, 1),
			want:    Percentiles{N: 10, Min: 1, P50: 5, P90: 9, P99: 10, P999: 10, Max: 10, Mean: 5.5},
		},
		{
			// Sorted 1,1,1,1,1,1,1,1,1,100: p90 9th = 1, p99 10th = 100; mean 109/10 = 10.9.
			name:    "one outlier reaches p99, not p90",
			samples: us(1, 1, 1, 100, 1, 1, 1, 1, 1, 1),
			want:    Percentiles{N: 10, Min: 1, P50: 1, P90: 1, P99: 100, P999: 100, Max: 100, Mean: 10.9},
		},
		{
			name:    "duplicates",
			samples: us(3, 3, 3, 3),
			want:    Percentiles{N: 4, Min: 3, P50: 3, P90: 3, P99: 3, P999: 3, Max: 3, Mean: 3},
		},
		{
			// 1.049 µs each: every figure rounds down to 1.0. The mean is 2.098/2 = 1.049 µs, so 1.0 as
			// well; rounding the sum to 2.1 µs before dividing would make it 1.05 and then 1.1.
			name:    "sub-microsecond figures round to 0.1 µs once",
			samples: []time.Duration{1049 * time.Nanosecond, 1049 * time.Nanosecond},
			want:    Percentiles{N: 2, Min: 1, P50: 1, P90: 1, P99: 1, P999: 1, Max: 1, Mean: 1},
		},
		{
			// Mean 0.14 µs rounds to 0.1; min 0.001 µs to 0.0; max 0.24 µs to 0.2.
			name:    "nanosecond samples",
			samples: []time.Duration{1, 180, 240},
			want:    Percentiles{N: 3, Min: 0, P50: 0.2, P90: 0.2, P99: 0.2, P999: 0.2, Max: 0.2, Mean: 0.1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summarise(tt.samples); got != tt.want {
				t.Errorf("Summarise(%v) =\n  %+v, want\n  %+v", tt.samples, got, tt.want)
			}
		})
	}
}

func TestSummariseLeavesTheCallersSamplesInTheirOrder(t *testing.T) {
	samples := us(3, 1, 2)
	Summarise(samples)
	if want := us(3, 1, 2); !slices.Equal(samples, want) {
		t.Errorf("samples = %v after Summarise, want %v", samples, want)
	}
}

func TestUS(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want float64
	}{
		{0, 0},
		{1, 0},                   // 0.001 µs
		{49, 0},                  // 0.049 µs
		{50, 0.1},                // 0.05 µs: halves round away from zero
		{1250, 1.3},              // 1.25 µs
		{1249, 1.2},              // 1.249 µs
		{time.Millisecond, 1000}, // 1,000 µs
		{-1250, -1.3},
	}
	for _, tt := range tests {
		t.Run(tt.d.String(), func(t *testing.T) {
			if got := US(tt.d); got != tt.want {
				t.Errorf("US(%v) = %v, want %v", tt.d, got, tt.want)
			}
		})
	}
}

func TestRound(t *testing.T) {
	tests := []struct {
		in, want float64
	}{
		{0, 0},
		{0.04, 0},
		{1.25, 1.3},
		{-1.25, -1.3},
		{2.449, 2.4},
		{2.45001, 2.5},
		{7, 7},
	}
	for _, tt := range tests {
		if got := Round(tt.in); got != tt.want {
			t.Errorf("Round(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestRound3(t *testing.T) {
	tests := []struct {
		in, want float64
	}{
		{0, 0},
		{1.0625, 1.063}, // 1 + 1/16, exactly halfway in binary: away from zero
		{2.0004, 2},
		{0.12345, 0.123},
		{-1.0625, -1.063},
	}
	for _, tt := range tests {
		if got := Round3(tt.in); got != tt.want {
			t.Errorf("Round3(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestDiffIsTheSecondMinusTheFirstRoundedTo01(t *testing.T) {
	direct := Percentiles{P50: 1.1, P90: 2.0, P99: 3.3, P999: 9, Max: 20}
	gateway := Percentiles{P50: 1.3, P90: 2.5, P99: 3.0, P999: 1, Max: 1}

	// 1.3-1.1 is 0.19999999999999996 in floating point: the rounding makes it the 0.2 a report prints.
	if got, want := Diff(direct, gateway), (Added{P50: 0.2, P90: 0.5, P99: -0.3}); got != want {
		t.Errorf("Diff = %+v, want %+v", got, want)
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		want float64
	}{
		{"no values", nil, 0},
		{"one value", []float64{5}, 5},
		{"odd count: the middle one", []float64{3, 1, 2}, 2},
		{"even count: the mean of the middle two", []float64{4, 1, 3, 2}, 2.5},
		{"duplicates", []float64{2, 9, 2, 9}, 5.5},
		{"negative values", []float64{-1, -3, -2}, -2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Median(slices.Clone(tt.xs)); got != tt.want {
				t.Errorf("Median(%v) = %v, want %v", tt.xs, got, tt.want)
			}
		})
	}
}
