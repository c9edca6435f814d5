package prog

import (
	"github.com/cilium/ebpf/btf"
	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/errno"
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
		var err error
		if spec, err = kernel.BTFSpec(pi.BTFID); err != nil {
			return c.Errorf("failed to get btf")
		}
	}
	prog := &xlated.Program{
		Insns:    pi.Xlated,
		FuncInfo: pi.FuncInfo, FuncInfoRecSize: pi.FuncInfoRecSize,
		LineInfo: pi.LineInfo, LineInfoRecSize: pi.LineInfoRecSize,
		BTF:        spec,
		JitedKsyms: pi.JitedKsyms, JitedFuncLens: pi.JitedFuncLens,
		JitedLineInfo: pi.JitedLineAddrs(),
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
		// The functions' names come from their tags and BTF where the
		// kernel's rule gives them; kallsyms only where it does not.
		if _, ok := pi.FuncSymbols(spec); !ok && len(pi.JitedKsyms) > 0 {
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
	if o.jited {
		return dumpJited(c, pi, prog, image, o, syms)
	}
	return dumpXlated(c, prog, image, o, syms)
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
