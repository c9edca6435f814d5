package xlated

// The capture step: with -update (as root), load the test programs into the
// kernel, ask the oracle (bpftool 7.1) for every dump form, and keep its
// stdout next to the raw inputs our dumper needs. Only this file talks to
// the kernel, and only under -update.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/kallsyms"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

var update = flag.Bool("update", false, "load the test programs and regenerate the golden files from bpftool (root)")

// goldenDir holds one directory per captured program.
const goldenDir = "testdata/golden"

// variants are the bpftool invocations captured per program; the file name
// is the key, the arguments follow "prog dump xlated id N".
var variants = []struct {
	file string
	pre  []string
	post []string
}{
	{"plain.txt", nil, nil},
	{"opcodes.txt", nil, []string{"opcodes"}},
	{"linum.txt", nil, []string{"linum"}},
	{"visual.dot", nil, []string{"visual"}},
	{"json.json", []string{"-j"}, nil},
	{"pretty.json", []string{"-p"}, nil},
	{"json_opcodes.json", []string{"-j"}, []string{"opcodes"}},
	{"pretty_opcodes.json", []string{"-p"}, []string{"opcodes"}},
	{"pretty_linum.json", []string{"-p"}, []string{"linum"}},
}

// skipVariant keeps the long program's golden files small: its point is
// the index width past 999, which the plain forms show.
func skipVariant(prog, file string) bool {
	return prog == "hand_long" && strings.Contains(file, "opcodes")
}

// meta is what a golden directory records besides the raw byte files.
type meta struct {
	ID                   uint32   `json:"id"`
	Name                 string   `json:"name"`
	FuncInfoRecSize      uint32   `json:"func_info_rec_size"`
	LineInfoRecSize      uint32   `json:"line_info_rec_size"`
	JitedKsyms           []uint64 `json:"jited_ksyms"`
	JitedLineInfo        []uint64 `json:"jited_line_info"`
	JitedFuncLens        []uint32 `json:"jited_func_lens"`
	HasBTF               bool     `json:"has_btf"`
	JitedLineInfoRecSize uint32   `json:"jited_line_info_rec_size"`
}

const (
	cmdMapCreate     = 0
	cmdProgLoad      = 5
	progTypeSockFilt = 1
)

func bpfCall(cmd uintptr, attr unsafe.Pointer, size uintptr) (uintptr, error) {
	r, _, errno := unix.Syscall(unix.SYS_BPF, cmd, uintptr(attr), size)
	runtime.KeepAlive(attr)
	if errno != 0 {
		return 0, errno
	}
	return r, nil
}

// ptrOf is the address of s's first element as an unsafe.Pointer, which
// the runtime moves with a goroutine's stack (a number would keep a moved
// local's old address; internal/kernel's kptr says more).
func ptrOf[T any](s []T) unsafe.Pointer {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Pointer(&s[0])
}

// loadRaw loads hand-assembled bytes as a socket filter with no BTF.
func loadRaw(t *testing.T, name string, insns []byte) int {
	license := []byte("GPL\x00")
	logBuf := make([]byte, 1<<20)
	attr := struct {
		ProgType    uint32
		InsnCnt     uint32
		Insns       unsafe.Pointer
		License     unsafe.Pointer
		LogLevel    uint32
		LogSize     uint32
		LogBuf      unsafe.Pointer
		KernVersion uint32
		ProgFlags   uint32
		ProgName    [16]byte
	}{
		ProgType: progTypeSockFilt,
		InsnCnt:  uint32(len(insns) / InsnSize),
		Insns:    ptrOf(insns),
		License:  ptrOf(license),
		LogLevel: 1,
		LogSize:  uint32(len(logBuf)),
		LogBuf:   ptrOf(logBuf),
	}
	copy(attr.ProgName[:], name)
	fd, err := bpfCall(cmdProgLoad, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	runtime.KeepAlive(insns)
	runtime.KeepAlive(license)
	if err != nil {
		t.Fatalf("load %s: %v\n%s", name, err, bytes.TrimRight(logBuf, "\x00"))
	}
	return int(fd)
}

// createArray makes a small array map for the ld_imm64 map forms.
func createArray(t *testing.T) int {
	attr := struct{ Type, KeySize, ValueSize, MaxEntries uint32 }{2, 4, 64, 1}
	fd, err := bpfCall(cmdMapCreate, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	if err != nil {
		t.Fatalf("map create: %v", err)
	}
	return int(fd)
}

func TestCaptureGolden(t *testing.T) {
	if !*update {
		t.Skip("golden capture runs only with -update")
	}
	if os.Geteuid() != 0 {
		t.Fatal("-update needs root to load programs")
	}
	if err := os.RemoveAll(goldenDir); err != nil {
		t.Fatal(err)
	}

	obj := filepath.Join(t.TempDir(), "progs.o")
	cc := exec.Command("clang", "-O2", "-g", "-target", "bpf", "-mcpu=v3",
		"-I/usr/include/"+multiarch(), "-c", "testdata/src/progs.c", "-o", obj)
	if out, err := cc.CombinedOutput(); err != nil {
		t.Fatalf("clang: %v\n%s", err, out)
	}
	spec, err := ebpf.LoadCollectionSpec(obj)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{})
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			t.Fatalf("%+v", ve)
		}
		t.Fatal(err)
	}
	defer coll.Close()
	for name, prog := range coll.Programs {
		capture(t, name, prog.FD())
	}

	mapFD := createArray(t)
	defer unix.Close(mapFD)
	for _, hp := range handPrograms(mapFD) {
		fd := loadRaw(t, hp.name, hp.insns)
		capture(t, hp.name, fd)
		unix.Close(fd)
	}
}

// programFromKernel reads what the dumper needs of the program behind fd,
// BTF aside.
func programFromKernel(t *testing.T, fd int) (*Program, *kernel.ProgInfo) {
	info, err := kernel.ProgInfoImages(fd, kernel.ImageXlated)
	if err != nil {
		t.Fatalf("prog info: %v", err)
	}
	var jl []uint64
	for i := 0; i+8 <= len(info.JitedLineInfo) && info.JitedLineRec >= 8; i += int(info.JitedLineRec) {
		jl = append(jl, binary.LittleEndian.Uint64(info.JitedLineInfo[i:]))
	}
	return &Program{Insns: info.Xlated, FuncInfo: info.FuncInfo, FuncInfoRecSize: info.FuncInfoRecSize,
		LineInfo: info.LineInfo, LineInfoRecSize: info.LineInfoRecSize, JitedKsyms: info.JitedKsyms,
		JitedLineInfo: jl, JitedFuncLens: info.JitedFuncLens}, info
}

func capture(t *testing.T, name string, fd int) {
	p, info := programFromKernel(t, fd)
	xl, fi, li, ks, jl, fl := p.Insns, p.FuncInfo, p.LineInfo, p.JitedKsyms, p.JitedLineInfo, p.JitedFuncLens
	dir := filepath.Join(goldenDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(file string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, file), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	id := strconv.FormatUint(uint64(info.ID), 10)

	// The image from bpftool itself ("file F") is what its text was made
	// from; it must equal what we read.
	img := filepath.Join(t.TempDir(), "xlated.bin")
	if out, err := exec.Command("bpftool", "prog", "dump", "xlated", "id", id, "file", img).CombinedOutput(); err != nil {
		t.Fatalf("bpftool file: %v\n%s", err, out)
	}
	fromTool, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fromTool, xl) {
		t.Fatalf("%s: bpftool's image differs from prog info", name)
	}
	write("insns.bin", xl)
	if len(fi) > 0 {
		write("func_info.bin", fi)
	}
	if len(li) > 0 {
		write("line_info.bin", li)
	}
	m := meta{
		ID:                   info.ID,
		Name:                 name,
		FuncInfoRecSize:      info.FuncInfoRecSize,
		LineInfoRecSize:      info.LineInfoRecSize,
		JitedKsyms:           ks,
		JitedLineInfo:        jl,
		JitedFuncLens:        fl,
		JitedLineInfoRecSize: info.JitedLineRec,
	}
	if info.BTFID != 0 {
		m.HasBTF = true
		raw, err := kernel.BTFRaw(info.BTFID)
		if err != nil {
			t.Fatalf("btf %d: %v", info.BTFID, err)
		}
		write("btf.bin", raw)
	}
	mj, _ := json.MarshalIndent(m, "", "\t")
	write("meta.json", append(mj, '\n'))
	write("kallsyms.txt", kallsymsFor(t, xl, ks))

	for _, v := range variants {
		if skipVariant(name, v.file) {
			continue
		}
		args := append(append(append([]string{}, v.pre...), "prog", "dump", "xlated", "id", id), v.post...)
		var stdout, stderr bytes.Buffer
		cmd := exec.Command("bpftool", args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Fatalf("bpftool %v: %v\n%s", args, err, stderr.Bytes())
		}
		write(v.file, stdout.Bytes())
	}
	checkFullKallsyms(t, dir)
}

// checkFullKallsyms renders with the whole of /proc/kallsyms, not the
// captured subset: bpftool's own table (sorted with a comparator that
// truncates address differences to int) must still agree with ours.
func checkFullKallsyms(t *testing.T, dir string) {
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := kallsyms.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range loadGolden(t) {
		if c.dir != dir {
			continue
		}
		c.syms = syms
		want, _ := os.ReadFile(filepath.Join(dir, "plain.txt"))
		if got := c.render("plain.txt", DialectLinux61); !bytes.Equal(got, want) {
			t.Errorf("%s: with the full kallsyms:\n%s", dir, lineDiff(want, got))
		}
	}
}

// kallsymsFor keeps the /proc/kallsyms lines the image's calls and
// functions resolve to, and __bpf_call_base, so the tests replay the
// machine's names.
func kallsymsFor(t *testing.T, image []byte, ksyms []uint64) []byte {
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type line struct {
		addr uint64
		text string
	}
	var all []line
	var base uint64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		a, err := strconv.ParseUint(fields[0], 16, 64)
		if err != nil {
			continue
		}
		if fields[2] == "__bpf_call_base" {
			base = a
		}
		all = append(all, line{a, sc.Text()})
	}
	want := map[uint64]bool{base: true}
	for _, k := range ksyms {
		want[k] = true
	}
	for _, ins := range DecodeAll(image) {
		if ins.Code == classJMP|opCALL {
			want[base+uint64(int64(ins.Imm))] = true
		}
	}
	var out bytes.Buffer
	for _, l := range all {
		if want[l.addr] && l.addr != 0 {
			out.WriteString(l.text)
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}

// asmInsn encodes one slot.
func asmInsn(code byte, dst, src uint8, off int16, imm int32) []byte {
	b := make([]byte, InsnSize)
	b[0] = code
	b[1] = dst | src<<4
	binary.LittleEndian.PutUint16(b[2:], uint16(off))
	binary.LittleEndian.PutUint32(b[4:], uint32(imm))
	return b
}

type handProgram struct {
	name  string
	insns []byte
}

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// handPrograms are instruction forms clang 14 cannot emit: the v4 ISA,
// the acquire/release atomics, may_goto, and every ALU and jump operation
// in both widths and both source kinds.
func handPrograms(mapFD int) []handProgram {
	var alu [][]byte
	// r6 = ctx; r7, r8 = unknown scalars from skb->len and skb->mark.
	alu = append(alu,
		asmInsn(0xbf, 6, 1, 0, 0),
		asmInsn(0x61, 7, 6, 0, 0),
		asmInsn(0x61, 8, 6, 8, 0),
		asmInsn(0x47, 8, 0, 0, 1), // r8 |= 1, keeps divisions defined
	)
	for _, op := range []byte{0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xc0} {
		imm := int32(3)
		alu = append(alu,
			asmInsn(0x07|op, 7, 0, 0, imm),
			asmInsn(0x0f|op, 7, 8, 0, 0),
			asmInsn(0x04|op, 7, 0, 0, imm),
			asmInsn(0x0c|op, 7, 8, 0, 0),
		)
	}
	alu = append(alu,
		asmInsn(0xb7, 9, 0, 0, -7),
		asmInsn(0xb4, 9, 0, 0, 11),
		asmInsn(0xbf, 9, 7, 0, 0),
		asmInsn(0xbc, 9, 7, 0, 0),
		asmInsn(0x87, 9, 0, 0, 0),
		asmInsn(0x84, 9, 0, 0, 0),
		// signed div and mod, both widths and sources
		asmInsn(0x3f, 7, 8, 1, 0),
		asmInsn(0x37, 7, 0, 1, 5),
		asmInsn(0x9f, 7, 8, 1, 0),
		asmInsn(0x97, 7, 0, 1, -5),
		asmInsn(0x3c, 7, 8, 1, 0),
		asmInsn(0x34, 7, 0, 1, 5),
		asmInsn(0x9c, 7, 8, 1, 0),
		asmInsn(0x94, 7, 0, 1, 6),
		// movsx
		asmInsn(0xbf, 9, 7, 8, 0),
		asmInsn(0xbf, 9, 7, 16, 0),
		asmInsn(0xbf, 9, 7, 32, 0),
		asmInsn(0xbc, 9, 7, 8, 0),
		asmInsn(0xbc, 9, 7, 16, 0),
		// byte swaps
		asmInsn(0xd4, 9, 0, 0, 16),
		asmInsn(0xd4, 9, 0, 0, 32),
		asmInsn(0xd4, 9, 0, 0, 64),
		asmInsn(0xdc, 9, 0, 0, 16),
		asmInsn(0xdc, 9, 0, 0, 32),
		asmInsn(0xdc, 9, 0, 0, 64),
		asmInsn(0xd7, 9, 0, 0, 16),
		asmInsn(0xd7, 9, 0, 0, 32),
		asmInsn(0xd7, 9, 0, 0, 64),
		// ld_imm64 constant
		asmInsn(0x18, 9, 0, 0, 0x89abcdef-0x100000000),
		asmInsn(0x00, 0, 0, 0, 0x01234567),
		asmInsn(0x18, 1, 0, 0, -1),
		asmInsn(0x00, 0, 0, 0, -1),
	)
	// Every jump op in JMP and JMP32 with both sources, off 0 so each
	// is taken either way.
	var jmps [][]byte
	for _, op := range []byte{0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0} {
		jmps = append(jmps,
			asmInsn(0x05|op, 7, 0, 0, 100),
			asmInsn(0x0d|op, 7, 8, 0, 0),
			asmInsn(0x06|op, 7, 0, 0, -100),
			asmInsn(0x0e|op, 7, 8, 0, 0),
		)
	}
	jmps = append(jmps,
		asmInsn(0x15, 7, 0, 2, 5), // if r7 == 5 goto +2
		asmInsn(0x07, 7, 0, 0, 1),
		asmInsn(0x06, 0, 0, 0, 1), // gotol +1
		asmInsn(0x07, 7, 0, 0, 2),
		asmInsn(0x15, 7, 0, 2, 6), // if r7 == 6 goto +2
		asmInsn(0x07, 7, 0, 0, 3),
		asmInsn(0x05, 0, 0, 1, 0), // goto +1
		asmInsn(0x07, 7, 0, 0, 4),
	)
	var mem [][]byte
	mem = append(mem,
		asmInsn(0x7b, 10, 7, -8, 0),
		asmInsn(0x63, 10, 7, -16, 0),
		asmInsn(0x6b, 10, 7, -20, 0),
		asmInsn(0x73, 10, 7, -22, 0),
		asmInsn(0x7a, 10, 0, -32, 77),
		asmInsn(0x62, 10, 0, -36, -1),
		asmInsn(0x6a, 10, 0, -38, 2),
		asmInsn(0x72, 10, 0, -39, 3),
		asmInsn(0x79, 1, 10, -8, 0),
		asmInsn(0x61, 2, 10, -16, 0),
		asmInsn(0x69, 3, 10, -20, 0),
		asmInsn(0x71, 4, 10, -22, 0),
		asmInsn(0x91, 1, 10, -8, 0),
		asmInsn(0x89, 2, 10, -16, 0),
		asmInsn(0x81, 3, 10, -16, 0),
		// atomics on the stack slot at -8 (u64) and -16 (u32)
		asmInsn(0xdb, 10, 7, -8, 0x00),
		asmInsn(0xdb, 10, 7, -8, 0x40),
		asmInsn(0xdb, 10, 7, -8, 0x50),
		asmInsn(0xdb, 10, 7, -8, 0xa0),
		asmInsn(0xdb, 10, 7, -8, 0x01),
		asmInsn(0xdb, 10, 7, -8, 0x41),
		asmInsn(0xdb, 10, 7, -8, 0x51),
		asmInsn(0xdb, 10, 7, -8, 0xa1),
		asmInsn(0xdb, 10, 7, -8, 0xe1),
		asmInsn(0xbf, 0, 7, 0, 0),
		asmInsn(0xdb, 10, 8, -8, 0xf1),
		asmInsn(0xc3, 10, 7, -16, 0x00),
		asmInsn(0xc3, 10, 7, -16, 0x01),
		asmInsn(0xc3, 10, 7, -16, 0xe1),
		asmInsn(0xbc, 0, 7, 0, 0),
		asmInsn(0xc3, 10, 8, -16, 0xf1),
		asmInsn(0xdb, 9, 10, -8, 0x100),
		asmInsn(0xc3, 9, 10, -16, 0x100),
		asmInsn(0xcb, 9, 10, -16, 0x100),
		asmInsn(0xd3, 9, 10, -16, 0x100),
		asmInsn(0xdb, 10, 7, -8, 0x110),
		asmInsn(0xc3, 10, 7, -16, 0x110),
		asmInsn(0xcb, 10, 7, -16, 0x110),
		asmInsn(0xd3, 10, 7, -16, 0x110),
		// map forms of ld_imm64
		asmInsn(0x18, 1, 1, 0, int32(mapFD)),
		asmInsn(0x00, 0, 0, 0, 0),
		asmInsn(0x18, 2, 2, 0, int32(mapFD)),
		asmInsn(0x00, 0, 0, 0, 24),
	)
	var calls [][]byte
	calls = append(calls,
		asmInsn(0x85, 0, 0, 0, 7), // bpf_get_prandom_u32
		asmInsn(0xbf, 7, 0, 0, 0),
		asmInsn(0x85, 0, 0, 0, 5), // bpf_ktime_get_ns
		asmInsn(0x85, 0, 0, 0, 8), // bpf_get_smp_processor_id (inlined)
		asmInsn(0x85, 0, 1, 0, 2), // call pc+2
		asmInsn(0x0f, 0, 7, 0, 0),
		asmInsn(0x95, 0, 0, 0, 0),
	)
	sub := [][]byte{
		asmInsn(0xb7, 0, 0, 0, 1),
		asmInsn(0x95, 0, 0, 0, 0),
	}
	// may_goto needs a loop to bound.
	loop := [][]byte{
		asmInsn(0xb7, 0, 0, 0, 0),
		asmInsn(0xe5, 0, 0, 2, 0), // may_goto +2
		asmInsn(0x07, 0, 0, 0, 1),
		asmInsn(0x05, 0, 0, -3, 0),
		asmInsn(0x95, 0, 0, 0, 0),
	}
	// gotol as the only way out of a long block.
	pad := [][]byte{
		asmInsn(0xb7, 0, 0, 0, 0),
		asmInsn(0x61, 2, 1, 0, 0),
		asmInsn(0x15, 2, 0, 1, 0),
		asmInsn(0x06, 0, 0, 0, 1),
		asmInsn(0x07, 0, 0, 0, 1),
		asmInsn(0x95, 0, 0, 0, 0),
	}

	// ld_abs/ld_ind need r6 = ctx.
	ldabs := [][]byte{
		asmInsn(0xbf, 6, 1, 0, 0),
		asmInsn(0x30, 0, 0, 0, 12),
		asmInsn(0x28, 0, 0, 0, 12),
		asmInsn(0x20, 0, 0, 0, 14),
		asmInsn(0xb7, 7, 0, 0, 2),
		asmInsn(0x50, 0, 7, 0, 12),
		asmInsn(0x48, 0, 7, 0, 12),
		asmInsn(0x40, 0, 7, 0, 10),
		asmInsn(0x95, 0, 0, 0, 0),
	}

	// A helper call that ends a basic block: the next instruction is a
	// jump target. bpftool's CFG edges differ there across versions.
	callTail := [][]byte{
		asmInsn(0x61, 7, 1, 0, 0),
		asmInsn(0x15, 7, 0, 1, 0),
		asmInsn(0x85, 0, 0, 0, 7),
		asmInsn(0xb7, 0, 0, 0, 0),
		asmInsn(0x95, 0, 0, 0, 0),
	}

	// Past index 999 bpftool 7.1's "% 4d" grows a leading space.
	long := [][]byte{asmInsn(0xb7, 0, 0, 0, 0), asmInsn(0x61, 2, 1, 0, 0)}
	for i := 0; i < 1100; i++ {
		if i%100 == 50 {
			long = append(long, asmInsn(0x15, 2, 0, 1, int32(i)))
		}
		long = append(long, asmInsn(0x07, 0, 0, 0, 1))
	}
	long = append(long, asmInsn(0x95, 0, 0, 0, 0))

	ret := [][]byte{asmInsn(0xb7, 0, 0, 0, 0)}
	allForms := join(join(alu...), join(jmps...), join(mem...), join(calls...), join(sub...))
	return []handProgram{
		{"hand_forms", allForms},
		{"hand_may_goto", join(loop...)},
		{"hand_gotol", join(pad...)},
		{"hand_ld_abs", join(ldabs...)},
		{"hand_call_tail", join(callTail...)},
		{"hand_long", join(long...)},
		{"hand_tiny", join(join(ret...), asmInsn(0x95, 0, 0, 0, 0))},
	}
}

// multiarch is Debian's include directory for the host's asm/ headers.
func multiarch() string {
	if runtime.GOARCH == "arm64" {
		return "aarch64-linux-gnu"
	}
	return "x86_64-linux-gnu"
}
