package profiler

import (
	"errors"
	"fmt"
)

// Sentinel errors, to test with errors.Is.
var (
	// ErrUnknownMetric is a metric name not in the table.
	ErrUnknownMetric = errors.New("unknown metric")
	// ErrTooManyCounters is more than MaxCounters counter metrics at once.
	ErrTooManyCounters = errors.New("too many counter metrics")
	// ErrNoMetrics is a profile of nothing.
	ErrNoMetrics = errors.New("no metric")
)

// Op names the step of a profile that failed.
type Op int

const (
	// OpStats is turning run statistics on; the error wraps ErrStats.
	OpStats Op = iota + 1
	// OpInfo is reading the target's run statistics.
	OpInfo
	// OpTarget is taking a handle on the target for the programs.
	OpTarget
	// OpLoad is loading the fentry/fexit programs.
	OpLoad
	// OpEvent is opening or enabling a perf event.
	OpEvent
	// OpAttach is attaching the fentry/fexit programs.
	OpAttach
	// OpRead is reading the counters the programs summed.
	OpRead
)

// String names the step in a few words.
func (op Op) String() string {
	switch op {
	case OpStats:
		return "enable run statistics"
	case OpInfo:
		return "get program info"
	case OpTarget:
		return "hold the target"
	case OpLoad:
		return "load the profiler programs"
	case OpEvent:
		return "open a perf event"
	case OpAttach:
		return "attach the profiler programs"
	case OpRead:
		return "read the counters"
	}
	return fmt.Sprintf("Op(%d)", int(op))
}

// Error is a failed step of a profile, with what the step was about. It
// wraps the kernel's error, so errors.Is finds the errno.
type Error struct {
	Op  Op
	FD  int // the target's fd
	Err error

	// Metric and CPU are the perf event that failed (OpEvent).
	Metric Metric
	CPU    int
	// Map is the map that could not be read (OpRead): count_map or
	// reading_map, bpftool's names.
	Map string
	// NoPMU is set for OpLoad when the kernel refused the programs with
	// EPERM or EACCES and a selected hardware metric cannot be opened
	// either: the machine has no PMU for it, for the reason PMUErr.
	NoPMU  *Metric
	PMUErr error
}

// Error says which step failed and why.
func (e *Error) Error() string {
	switch e.Op {
	case OpEvent:
		return fmt.Sprintf("profiler: %s %s on cpu %d: %v", e.Op, e.Metric.Name, e.CPU, e.Err)
	case OpRead:
		return fmt.Sprintf("profiler: %s (%s): %v", e.Op, e.Map, e.Err)
	}
	return fmt.Sprintf("profiler: %s: %v", e.Op, e.Err)
}

// Unwrap returns the kernel's error.
func (e *Error) Unwrap() error { return e.Err }

// TargetReason says why the target's function name could not be found.
type TargetReason int

const (
	// TargetNoInfo is BPF_OBJ_GET_INFO_BY_FD failing.
	TargetNoInfo TargetReason = iota + 1
	// TargetNoBTF is a program without BTF.
	TargetNoBTF
	// TargetNoFuncInfo is a program whose BTF has no func_info.
	TargetNoFuncInfo
	// TargetFuncInfo is the first func_info record not read.
	TargetFuncInfo
	// TargetBTFLoad is the program's BTF not loaded.
	TargetBTFLoad
	// TargetNoType is the func_info's type missing from the BTF.
	TargetNoType
)

// TargetError is a target whose first function's BTF name, which fentry
// and fexit attach to, cannot be found.
type TargetError struct {
	Reason TargetReason
	FD     int
	BTFID  uint32 // the program's BTF (TargetNoType)
	TypeID uint32 // the func_info's type (TargetNoType)
	Err    error
}

// Error says why the target cannot be profiled with counters.
func (e *TargetError) Error() string {
	why := map[TargetReason]string{
		TargetNoInfo:     "no program info",
		TargetNoBTF:      "no BTF",
		TargetNoFuncInfo: "no func_info",
		TargetFuncInfo:   "func_info not read",
		TargetBTFLoad:    "BTF not loaded",
		TargetNoType:     fmt.Sprintf("BTF %d has no type %d", e.BTFID, e.TypeID),
	}[e.Reason]
	if e.Err != nil {
		return fmt.Sprintf("profiler: target fd %d: %s: %v", e.FD, why, e.Err)
	}
	return fmt.Sprintf("profiler: target fd %d: %s", e.FD, why)
}

// Unwrap returns the underlying error, if any.
func (e *TargetError) Unwrap() error { return e.Err }
