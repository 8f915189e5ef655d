package main

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// clockTick is USER_HZ, the unit of utime/stime in /proc/<pid>/stat. It is
// 100 on every mainstream Linux architecture.
const clockTick = 10 * time.Millisecond

// processCPU returns the user+system CPU time consumed so far by all threads
// of process pid, or -1 if it cannot be read (not Linux, no such process).
func processCPU(pid int) time.Duration {
	if pid <= 0 {
		return -1
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// The command name (field 2) may contain spaces; fields resume after ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return -1
	}
	f := bytes.Fields(b[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return -1
	}
	ut, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	st, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return time.Duration(ut+st) * clockTick
}

// cpuMeter accumulates a process's CPU time over chosen intervals.
type cpuMeter struct {
	pid   int
	total time.Duration
	start time.Duration
	n     int64 // operations counted in the intervals
}

func (m *cpuMeter) begin() {
	if m != nil {
		m.start = processCPU(m.pid)
	}
}

func (m *cpuMeter) end(ops int) {
	if m == nil || m.start < 0 {
		return
	}
	if now := processCPU(m.pid); now >= 0 {
		m.total += now - m.start
		m.n += int64(ops)
	}
}

// perOp returns the mean CPU time per operation in µs, or 0 when unmeasured.
func (m *cpuMeter) perOp() float64 {
	if m == nil || m.n == 0 {
		return 0
	}
	return float64(m.total) / 1e3 / float64(m.n)
}

// compilerCPU returns the CPU time used so far by the JIT compiler threads
// (HotSpot names them "C1 CompilerThreadN" / "C2 CompilerThreadN"), or -1.
func compilerCPU(pid int) time.Duration {
	if pid <= 0 {
		return -1
	}
	dir := "/proc/" + strconv.Itoa(pid) + "/task/"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return -1
	}
	var total time.Duration
	for _, t := range tasks {
		comm, err := os.ReadFile(dir + t.Name() + "/comm")
		if err != nil || !bytes.Contains(comm, []byte("CompilerThre")) {
			continue
		}
		b, err := os.ReadFile(dir + t.Name() + "/stat")
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := bytes.Fields(b[i+1:])
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(string(f[11]), 10, 64)
		st, _ := strconv.ParseInt(string(f[12]), 10, 64)
		total += time.Duration(ut+st) * clockTick
	}
	return total
}
