package kernel

import (
	"runtime"
	"unsafe"
)

// testRunAttr is the BPF_PROG_TEST_RUN part of union bpf_attr, up to
// batch_size, the size libbpf passes.
type testRunAttr struct {
	progFD      uint32
	retval      uint32
	dataSizeIn  uint32
	dataSizeOut uint32
	dataIn      kptr
	dataOut     kptr
	repeat      uint32
	duration    uint32
	ctxSizeIn   uint32
	ctxSizeOut  uint32
	ctxIn       kptr
	ctxOut      kptr
	flags       uint32
	cpu         uint32
	batchSize   uint32
	_           uint32
}

// TestRun is one BPF_PROG_TEST_RUN request. The out sizes are passed to
// the kernel as given, even without a buffer, as bpftool does: the kernel
// decides what a size without a buffer means for each program type.
type TestRun struct {
	DataIn, DataOut []byte
	DataSizeOut     uint32
	CtxIn, CtxOut   []byte
	CtxSizeOut      uint32
	Repeat          uint32
}

// TestRunResult is what the kernel reports back; the out sizes are the
// bytes it produced, which may exceed the buffers when it fails with
// ENOSPC.
type TestRunResult struct {
	Retval, Duration        uint32
	DataSizeOut, CtxSizeOut uint32
}

// ProgTestRun runs the program behind fd in the kernel's test
// infrastructure. cilium/ebpf's Program.Run drops the duration, which
// `prog run` prints, hence the raw call.
func ProgTestRun(fd int, r *TestRun) (TestRunResult, error) {
	a := testRunAttr{
		progFD:      uint32(fd),
		dataSizeIn:  uint32(len(r.DataIn)),
		dataSizeOut: r.DataSizeOut,
		dataIn:      bufPtr(r.DataIn),
		dataOut:     bufPtr(r.DataOut),
		repeat:      r.Repeat,
		ctxSizeIn:   uint32(len(r.CtxIn)),
		ctxSizeOut:  r.CtxSizeOut,
		ctxIn:       bufPtr(r.CtxIn),
		ctxOut:      bufPtr(r.CtxOut),
	}
	_, err := bpf(cmdProgTestRun, unsafe.Pointer(&a), unsafe.Sizeof(a))
	runtime.KeepAlive(r)
	return TestRunResult{
		Retval:      a.retval,
		Duration:    a.duration,
		DataSizeOut: a.dataSizeOut,
		CtxSizeOut:  a.ctxSizeOut,
	}, err
}

// bufPtr is the user address of b for the kernel, 0 for no buffer. An
// empty but non-nil input still needs a non-zero address: bpftool hands
// the kernel a malloc'd pointer with size 0 for an empty file, and some
// program types tell "no data" from "empty data" by the pointer.
func bufPtr(b []byte) kptr {
	if b == nil {
		return kptr{}
	}
	if len(b) == 0 {
		return ptr(emptyBuf[:])
	}
	return ptr(b)
}

var emptyBuf [8]byte
