package prog

import (
	"bytes"
	"fmt"
	"os"

	"github.com/cilium/ebpf/btf"
	"github.com/gobpftool/gobpftool/internal/cfg"
	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/jited"
	"github.com/gobpftool/gobpftool/internal/kallsyms"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/progfacts"
	"github.com/gobpftool/gobpftool/internal/xlated"
	"golang.org/x/sys/unix"
)

// dumpOpts are the words after PROG in `prog dump`; bpftool takes at most
// one of them.
type dumpOpts struct {
	jited                  bool
	toFile                 bool // file FILE, even an empty FILE
	file                   string
	opcodes, visual, linum bool
}

// dump is `prog dump {xlated|jited} PROG [{file FILE|opcodes|visual|linum}]`.
func dump(c *cli.Context, args []string) error {
	var o dumpOpts
	switch {
	case len(args) == 0:
		// bpftool formats the missing word with printf's "(null)".
		return c.Errorf("expected 'xlated' or 'jited', got: (null)")
	case cli.IsPrefix(args[0], "jited"):
		o.jited = true
	case cli.IsPrefix(args[0], "xlated"):
	default:
		return c.Errorf("expected 'xlated' or 'jited', got: %s", args[0])
	}
	args = args[1:]
	if len(args) < 2 {
		return c.Usage()
	}
	fds, rest, err := parseProgs(c, args)
	if err != nil {
		return err
	}
	if len(fds) == 0 {
		return cli.ErrFailed
	}
	defer func() { closeAll(fds) }()
	if len(rest) > 0 {
		switch kw := rest[0]; {
		case cli.IsPrefix(kw, "file"):
			rest = rest[1:]
			if len(rest) == 0 {
				return c.Errorf("expected file path")
			}
			if len(fds) > 1 {
				return c.Errorf("several programs matched")
			}
			o.toFile, o.file, rest = true, rest[0], rest[1:]
		case cli.IsPrefix(kw, "opcodes"):
			o.opcodes, rest = true, rest[1:]
		case cli.IsPrefix(kw, "visual"):
			if len(fds) > 1 {
				return c.Errorf("several programs matched")
			}
			o.visual, rest = true, rest[1:]
		case cli.IsPrefix(kw, "linum"):
			o.linum, rest = true, rest[1:]
		}
	}
	if len(rest) > 0 {
		return c.Usage()
	}

	var helpers *helperLookup
	if !o.jited && !o.toFile {
		// Most dumps name helper calls; ask the kernel while the
		// program's image is fetched and decoded.
		helpers = startHelperLookup()
		// Whether or not its answer is used, the lookup ends with the
		// command: no goroutine or fd outlives it (batch mode runs on).
		defer helpers.wait()
	}
	several := len(fds) > 1
	syms := &kernelSymbols{several: several}
	if c.JSON && several {
		c.JW.StartArray()
	}
	for i, fd := range fds {
		img := kernel.ImageXlated
		if o.jited {
			img = kernel.ImageJited
		}
		var pi *kernel.ProgInfo
		pi, err = kernel.ProgInfoImages(fd, img)
		if err != nil {
			err = c.Errorf("can't get prog info: %s", errno.ErrText(err))
			break
		}
		if several {
			v := progfacts.Header(pi, fd)
			if c.JSON {
				c.JW.StartObject()
				writeHeaderJSON(c.JW, v)
				c.JW.Name("insns")
			} else {
				writeHeaderPlain(c.Out, v)
			}
		}
		err = dumpOne(c, pi, o, helpers, syms)
		if c.JSON && several {
			c.JW.EndObject()
		} else if several && i != len(fds)-1 {
			c.Out.WriteString("\n")
		}
		if err != nil {
			break
		}
	}
	if c.JSON && several {
		c.JW.EndArray()
	}
	return err
}

// callSymbols names what a program's calls point at. Helper calls are
// named by asking the kernel for the address of every helper's function
// (a few milliseconds) when each call lands on exactly one of them; other
// calls, and bpf-to-bpf calls whose symbols sit at the end of kallsyms,
// read /proc/kallsyms as far as needed. A program without calls needs
// neither.
func callSymbols(abs []uint64, rel []int64, helpers *helperLookup, ks *kernelSymbols) *kallsyms.Table {
	if len(abs) == 0 && len(rel) == 0 {
		return nil
	}
	if len(abs) == 0 && helpers != nil {
		if k := helperSymbols(rel, helpers.wait()); k != nil {
			return k
		}
	}
	return ks.read(abs, rel)
}

// kernelSymbols reads /proc/kallsyms at most once per command. A dump of
// one program reads only as far as its calls need; a dump of several
// (`tag T` matching a thousand programs) reads the whole table once and
// shares it, where a read per program cost over a hundred times the dump.
type kernelSymbols struct {
	several bool
	loaded  bool
	full    *kallsyms.Table
}

func (ks *kernelSymbols) read(abs []uint64, rel []int64) *kallsyms.Table {
	if !ks.several {
		return readKallsyms(abs, rel)
	}
	if !ks.loaded {
		ks.loaded = true
		kallsymsReads++
		if k, err := kallsyms.Load(); err == nil {
			ks.full = k
		}
	}
	return ks.full
}

// kallsymsReads counts reads of /proc/kallsyms for the tests.
var kallsymsReads int

// helperLookup is the kernel's answer for the helpers' addresses, asked
// for on another goroutine.
type helperLookup struct {
	done  chan struct{}
	names []string
	addrs map[string]uint64
}

func startHelperLookup() *helperLookup {
	h := &helperLookup{done: make(chan struct{}),
		names: append([]string{kallsyms.CallBaseSymbol}, xlated.HelperNames()...)}
	go func() {
		defer close(h.done)
		h.addrs, _ = kernel.LookupKernelNames(h.names)
	}()
	return h
}

func (h *helperLookup) wait() *helperLookup {
	<-h.done
	return h
}

// helperSymbols resolves helper calls by name lookup, or returns nil when
// any call is not to a helper, or two helpers share an address (then which
// name bpftool prints depends on its whole kallsyms table).
func helperSymbols(rel []int64, h *helperLookup) *kallsyms.Table {
	names, addrs := h.names, h.addrs
	if addrs == nil {
		return nil
	}
	base, ok := addrs[kallsyms.CallBaseSymbol]
	if !ok {
		return nil
	}
	byAddr := make(map[uint64]string, len(addrs))
	for _, n := range names[1:] {
		a, ok := addrs[n]
		if !ok {
			continue
		}
		if _, dup := byAddr[a]; dup {
			return nil
		}
		byAddr[a] = n
	}
	found := map[uint64]string{base: kallsyms.CallBaseSymbol}
	for _, r := range rel {
		a := base + uint64(r)
		n, ok := byAddr[a]
		if !ok {
			return nil
		}
		found[a] = n
	}
	return kallsyms.New(base, found)
}

// readKallsyms reads as much of the kernel's symbol table as naming the
// given addresses needs, or nil when it cannot be read (bpftool then
// prints calls without names).
func readKallsyms(abs []uint64, rel []int64) *kallsyms.Table {
	kallsymsReads++
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		return nil
	}
	defer f.Close()
	k, err := kallsyms.ReadFor(f, abs, rel)
	if err != nil {
		return nil
	}
	return k
}

// dumpOne is bpftool's prog_dump for one program.
func dumpOne(c *cli.Context, pi *kernel.ProgInfo, o dumpOpts, helpers *helperLookup, ks *kernelSymbols) error {
	image := pi.Xlated
	if o.jited {
		if len(pi.Jited) == 0 {
			c.Infof("no instructions returned")
			return cli.ErrFailed
		}
		image = pi.Jited
	} else if len(pi.Xlated) == 0 {
		return c.Errorf("error retrieving insn dump: kernel.kptr_restrict set?")
	}
	var spec *btf.Spec
	if pi.BTFID != 0 {
		raw, err := kernel.BTFRaw(pi.BTFID)
		if err == nil {
			spec, err = btf.LoadSpecFromReader(bytes.NewReader(raw))
		}
		if err != nil {
			return c.Errorf("failed to get btf")
		}
	}
	prog := &xlated.Program{
		Insns:    pi.Xlated,
		FuncInfo: pi.FuncInfo, FuncInfoRecSize: pi.FuncInfoRecSize,
		LineInfo: pi.LineInfo, LineInfoRecSize: pi.LineInfoRecSize,
		BTF:        spec,
		JitedKsyms: pi.JitedKsyms, JitedFuncLens: pi.JitedFuncLens,
		JitedLineInfo: jitedLines(pi),
	}
	if prog.LineInfoRejected() {
		c.Infof("%s", xlated.LineInfoWarning)
	}

	if o.toFile {
		return writeImage(c, o.file, image)
	}
	var syms *kallsyms.Table
	switch {
	case o.jited:
		if len(pi.JitedKsyms) > 0 {
			syms = ks.read(pi.JitedKsyms, nil)
		}
	case o.visual:
		// bpftool draws the graph without the program's jited_ksyms.
		abs, rel := xlated.CallTargets(xlated.DecodeAll(image), nil)
		syms = callSymbols(abs, rel, helpers, ks)
	default:
		prog.Decoded = xlated.DecodeAll(image)
		abs, rel := xlated.CallTargets(prog.Decoded, pi.JitedKsyms)
		syms = callSymbols(abs, rel, helpers, ks)
	}
	switch {
	case o.jited:
		return dumpJited(c, pi, prog, image, o, syms)
	case o.visual:
		if c.JSON {
			c.JW.Null()
			return nil
		}
		return cfg.WriteDOT(c.Out, image, symbolsOrNil(syms), xlated.DefaultDialect)
	}
	opts := xlated.Options{Opcodes: o.opcodes, Linum: o.linum, Symbols: symbolsOrNil(syms)}
	if c.JSON {
		xlated.WriteJSON(c.JW, prog, opts)
		return nil
	}
	return xlated.WritePlain(c.Out, prog, opts)
}

// symbolsOrNil keeps a nil table a nil interface.
func symbolsOrNil(k *kallsyms.Table) xlated.Symbols {
	if k == nil {
		return nil
	}
	return k
}

// jitedLines decodes jited_line_info: one address per record.
func jitedLines(pi *kernel.ProgInfo) []uint64 {
	rec := int(pi.JitedLineRec)
	if rec < 8 {
		return nil
	}
	n := len(pi.JitedLineInfo) / rec
	out := make([]uint64, n)
	for i := range out {
		b := pi.JitedLineInfo[i*rec:]
		out[i] = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
	}
	return out
}

// writeImage is `dump ... file FILE`: the raw image, mode 0600.
func writeImage(c *cli.Context, path string, image []byte) error {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return c.Errorf("can't open file %s: %s", path, errno.ErrText(err))
	}
	n, err := unix.Write(fd, image)
	unix.Close(fd)
	if n != len(image) {
		msg := "short write"
		if err != nil {
			msg = errno.ErrText(err)
		}
		return c.Errorf("error writing output file: %s", msg)
	}
	c.Null()
	return nil
}

// dumpJited disassembles the host's JIT image, a function at a time, each
// headed by its kallsyms name (and its BTF prototype), as a libbfd-enabled
// bpftool does. Debian's bpftool cannot: it says "No libbfd support".
func dumpJited(c *cli.Context, pi *kernel.ProgInfo, prog *xlated.Program, image []byte, o dumpOpts, syms *kallsyms.Table) error {
	arch, ok := jited.HostArch()
	if !ok {
		return c.Errorf("no JIT disassembler for this architecture")
	}
	if pi.Ifindex != 0 {
		return c.Errorf("Can't get arch name for device vendor id 0x0000")
	}
	lines := xlated.NewLineTable(prog)
	if len(pi.JitedFuncLens) == 0 {
		insns, err := jited.Disassemble(image, arch, 0)
		if err != nil {
			return c.Errorf("%v", err)
		}
		if c.JSON {
			jited.WriteJSON(c.JW, insns, jited.Options{Opcodes: o.opcodes})
			return nil
		}
		return jited.WritePlain(c.Out, insns, jited.Options{Opcodes: o.opcodes})
	}
	names := make([]string, len(pi.JitedFuncLens))
	for i := range names {
		switch {
		case len(pi.JitedKsyms) == 0:
			names[i] = "unknown"
		case i < len(pi.JitedKsyms):
			if n, ok := syms.Lookup(pi.JitedKsyms[i]); ok {
				names[i] = n
			} else {
				names[i] = fmt.Sprintf("0x%016x", pi.JitedKsyms[i])
			}
		default:
			names[i] = "unknown"
		}
	}
	funcs, err := jited.Split(image, arch, pi.JitedFuncLens, names)
	if err != nil && funcs == nil {
		return c.Errorf("%v", err)
	}
	if prog.BTF != nil && pi.FuncInfoRecSize >= 8 {
		for i := range funcs {
			off := i * int(pi.FuncInfoRecSize)
			if off+8 > len(pi.FuncInfo) {
				break
			}
			b := pi.FuncInfo[off+4:]
			typeID := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
			funcs[i].Proto = xlated.TypeOnly(prog.BTF, btf.TypeID(typeID))
		}
	}
	opt := jited.Options{Opcodes: o.opcodes}
	if lines != nil {
		skip, lastFn := 0, -1
		opt.Before = func(fn int, off uint64) {
			if fn != lastFn {
				skip, lastFn = 0, fn
			}
			if fn >= len(pi.JitedKsyms) {
				return
			}
			idx := lines.FindAddr(pi.JitedKsyms[fn]+off, fn, skip)
			if idx < 0 {
				return
			}
			skip++
			if c.JSON {
				lines.WriteJSON(c.JW, idx, o.linum)
			} else {
				c.Out.Write(lines.AppendPlain(nil, idx, "; ", o.linum))
			}
		}
	}
	if c.JSON {
		err = jited.WriteFuncsJSON(c.JW, funcs, opt)
	} else {
		err = jited.WriteFuncsPlain(c.Out, funcs, opt)
	}
	if err != nil {
		// An empty function ends the dump as bpftool's disassembler does:
		// no message, a failure.
		return cli.ErrFailed
	}
	return nil
}
