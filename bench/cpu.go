package main

import (
	"strconv"
	"strings"
)

// sampleCPU is the machine's CPU time so far, in clock ticks, from
// /proc/stat: first the busy time (user, nice, system, irq, softirq),
// second that plus the time spent idle or waiting for the disk. Steal, the
// time a hypervisor gave this VM's CPUs to others, is in neither: the
// share is of the time the CPUs were ours, so a saturated VM reads 100%
// however much the host took.
func sampleCPU() counters { return readCounters("/proc/stat", parseCPU) }

// parseCPU reads the aggregate "cpu" line of a /proc/stat: user, nice,
// system, idle, iowait, irq, softirq, then steal and guest times (which
// user already counts), left out.
func parseCPU(stat string) counters {
	line, _, _ := strings.Cut(stat, "\n")
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return counters{}
	}
	var busy, total int64
	for i, f := range fields[1:min(len(fields), 8)] { // up to softirq
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return counters{}
		}
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return counters{first: busy, second: total, ok: true}
}

// cpuShare is the busy fraction of the CPU time a tally of sampleCPU
// counted, -1 if unknown.
func cpuShare(t tally) float64 {
	if t.broken || t.second <= 0 {
		return -1
	}
	return float64(t.first) / float64(t.second)
}
