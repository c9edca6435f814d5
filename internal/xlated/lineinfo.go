package xlated

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/cilium/ebpf/btf"

	"github.com/gobpftool/gobpftool/internal/jsonw"
)

// lineRecSize is sizeof(struct bpf_line_info); the kernel has never sent
// longer records, and shorter ones cannot hold the fields bpftool reads.
const lineRecSize = 16

type lineRec struct {
	insnOff     uint32
	fileNameOff uint32
	lineOff     uint32
	lineCol     uint32
}

func (r lineRec) lineNum() uint32    { return r.lineCol >> 10 }
func (r lineRec) lineColumn() uint32 { return r.lineCol & 0x3ff }

// LineTable is libbpf's bpf_prog_linfo: a program's line records in kernel
// order, searchable by xlated instruction (the xlated dumper) or by JITed
// address (the jited dumper), and printable as bpftool prints them.
// Records are named by their index.
type LineTable struct {
	recs []lineRec
	spec *btf.Spec
	strs map[uint32]strEntry
	// Per JITed function: its first record and how many it has; empty
	// when the kernel gave no usable jited line info.
	funcStart, funcCount []int
	jited                []uint64
}

type strEntry struct {
	s  string
	ok bool
}

// NewLineTable returns nil where bpf_prog_linfo__new fails (bpftool then
// prints LineInfoWarning and goes on without source lines) and when p has
// no line info at all.
func NewLineTable(p *Program) *LineTable {
	if len(p.LineInfo) == 0 || p.LineInfoRecSize < lineRecSize || len(p.LineInfo) < int(p.LineInfoRecSize) {
		return nil
	}
	n := len(p.LineInfo) / int(p.LineInfoRecSize)
	t := &LineTable{recs: make([]lineRec, n), spec: p.BTF, strs: map[uint32]strEntry{}}
	for i := range t.recs {
		b := p.LineInfo[i*int(p.LineInfoRecSize):]
		t.recs[i] = lineRec{
			insnOff:     binary.LittleEndian.Uint32(b[0:]),
			fileNameOff: binary.LittleEndian.Uint32(b[4:]),
			lineOff:     binary.LittleEndian.Uint32(b[8:]),
			lineCol:     binary.LittleEndian.Uint32(b[12:]),
		}
	}
	if !t.splitJited(p) {
		return nil
	}
	return t
}

// splitJited repeats libbpf's dissect_jited_func when the kernel provided
// jited line info: every function's first jited line must be the
// function's address, and addresses must grow within a function. A
// program failing it loses its source lines in every dump.
func (t *LineTable) splitJited(p *Program) bool {
	ksyms, lines, lens := p.JitedKsyms, p.JitedLineInfo, p.JitedFuncLens
	if len(ksyms) == 0 || len(lines) == 0 || len(lines) != len(t.recs) || len(lens) != len(ksyms) {
		return true // not enough to check; libbpf skips it too
	}
	if ksyms[0] != lines[0] {
		return false
	}
	start := []int{0}
	var count []int
	f, prev := 1, 0
	for i := 1; i < len(lines) && f < len(ksyms); i++ {
		last := lines[i-1]
		if lines[i] == ksyms[f] {
			if last-ksyms[f-1]+1 > uint64(lens[f-1]) {
				return false
			}
			count = append(count, i-prev)
			start = append(start, i)
			prev = i
			f++
		} else if lines[i] <= last {
			return false
		}
	}
	if f != len(ksyms) {
		return false
	}
	t.funcStart, t.funcCount = start, append(count, len(lines)-prev)
	t.jited = lines
	return true
}

// Find mirrors bpf_prog_linfo__lfind: starting at record nrSkip, the last
// record at or before xlated instruction insnOff, or -1. Dumpers pass the
// number of records already printed as nrSkip.
func (t *LineTable) Find(insnOff uint32, nrSkip int) int {
	if nrSkip < 0 || nrSkip >= len(t.recs) || insnOff < t.recs[nrSkip].insnOff {
		return -1
	}
	i := nrSkip
	for i+1 < len(t.recs) && t.recs[i+1].insnOff <= insnOff {
		i++
	}
	return i
}

// FindAddr mirrors bpf_prog_linfo__lfind_addr_func: within JITed function
// funcIdx, skipping nrSkip of its records, the last record whose jited
// address is at or before addr, or -1.
func (t *LineTable) FindAddr(addr uint64, funcIdx, nrSkip int) int {
	if funcIdx < 0 || funcIdx >= len(t.funcStart) || nrSkip < 0 || nrSkip >= t.funcCount[funcIdx] {
		return -1
	}
	start := t.funcStart[funcIdx] + nrSkip
	if addr < t.jited[start] {
		return -1
	}
	i, end := start, t.funcStart[funcIdx]+t.funcCount[funcIdx]
	for i+1 < end && t.jited[i+1] <= addr {
		i++
	}
	return i
}

// str resolves a string offset of the program's BTF; ok is false where
// libbpf's btf__name_by_offset returns NULL.
func (t *LineTable) str(off uint32) (string, bool) {
	if t.spec == nil {
		return "", false
	}
	if e, hit := t.strs[off]; hit {
		return e.s, e.ok
	}
	// cilium/ebpf exposes the string table only through line info
	// parsing, so resolve the offset as the line of a synthetic record.
	// Unlike libbpf it refuses an offset into the middle of a string;
	// compilers never emit one.
	var rec [lineRecSize]byte
	binary.LittleEndian.PutUint32(rec[8:], off)
	var e strEntry
	if lo, err := btf.LoadLineInfos(bytes.NewReader(rec[:]), binary.LittleEndian, 1, t.spec); err == nil && len(lo) == 1 {
		e = strEntry{lo[0].Line.Line(), true}
	}
	t.strs[off] = e
	return e.s, e.ok
}

// AppendPlain appends record idx as btf_dump_linfo_plain prints it:
// prefix, the source line without leading blanks, with linum the
// " [file:F line_num:N line_col:N]" suffix, and a newline. A record whose
// line cannot be resolved prints nothing.
func (t *LineTable) AppendPlain(buf []byte, idx int, prefix string, linum bool) []byte {
	rec := t.recs[idx]
	line, ok := t.str(rec.lineOff)
	if !ok {
		return buf
	}
	buf = append(buf, prefix...)
	buf = append(buf, ltrim(line)...)
	if linum {
		file, _ := t.str(rec.fileNameOff)
		buf = fmt.Appendf(buf, " [file:%s line_num:%d line_col:%d]", file, rec.lineNum(), rec.lineColumn())
	}
	return append(buf, '\n')
}

// WriteJSON writes record idx as btf_dump_linfo_json does, as members of
// the object the caller has open: "src", and with linum "file",
// "line_num" and "line_col" (the numbers only when nonzero).
func (t *LineTable) WriteJSON(jw *jsonw.Writer, idx int, linum bool) {
	rec := t.recs[idx]
	if line, ok := t.str(rec.lineOff); ok {
		jw.StringField("src", ltrim(line))
	}
	if !linum {
		return
	}
	if file, ok := t.str(rec.fileNameOff); ok {
		jw.StringField("file", file)
	}
	if n := rec.lineNum(); n != 0 {
		jw.IntField("line_num", int64(n))
	}
	if c := rec.lineColumn(); c != 0 {
		jw.IntField("line_col", int64(c))
	}
}

// ltrim drops what C's isspace accepts.
func ltrim(s string) string {
	for len(s) > 0 {
		switch s[0] {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			s = s[1:]
			continue
		}
		break
	}
	return s
}
