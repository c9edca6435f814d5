package prog

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/bpffs"
	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/compat"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/userfile"
)

// load is `prog load OBJ PATH ...`: the first program, pinned at PATH.
func load(c *cli.Context, args []string) error { return loadWithOptions(c, args, true) }

// loadall is `prog loadall OBJ PATH ...`: every program, at PATH/NAME.
func loadall(c *cli.Context, args []string) error { return loadWithOptions(c, args, false) }

// loadArgs are the parsed arguments of load and loadall.
type loadArgs struct {
	file, pinfile string
	progType      *secDef // from `type`, for every program
	replace       []mapReplace
	offloadIfidx  uint32
	xdpmetaIfidx  uint32
	pinmaps       string
	hasPinmaps    bool
	autoattach    bool
	kernelBTF     string
}

// mapReplace is one `map idx|name ... MAP` argument: an open map that
// takes the place of one of the object's maps.
type mapReplace struct {
	idx  int
	name string
	fd   int
}

const (
	bpfFSleepable       = 1 << 4 // BPF_F_SLEEPABLE
	bpfFXDPHasFrags     = 1 << 5 // BPF_F_XDP_HAS_FRAGS
	bpfFXDPDevBoundOnly = 1 << 6 // BPF_F_XDP_DEV_BOUND_ONLY
	bpfFMmapable        = 1 << 10
)

func loadWithOptions(c *cli.Context, args []string, firstOnly bool) error {
	if err := cli.ReqArgs(c, c.Keyword(), args, 2); err != nil {
		return err
	}
	la := &loadArgs{file: args[0], pinfile: args[1]}
	err := parseLoadArgs(c, la, args[2:])
	defer func() {
		for _, r := range la.replace {
			kernel.Close(r.fd)
		}
	}()
	if err != nil {
		return err
	}
	raiseMemlock()

	obj, err := openObject(la.file, c.MapCompat, libbpfWarner(c))
	if err != nil {
		return c.Errorf("failed to open object file")
	}
	l := &loader{c: c, la: la, obj: obj}
	defer l.close()
	if err := l.run(firstOnly); err != nil {
		if compat.LoadStrictWarning && !c.Legacy {
			c.Infof("Warning: bpftool is now running in libbpf strict mode and has more stringent requirements about BPF programs.\n" +
				"If it used to work for this object file but now doesn't, see --legacy option for more details.\n")
		}
		return err
	}
	c.Null()
	return nil
}

// raiseMemlock is bpftool's set_max_rlimit: only kernels that charge BPF
// memory to RLIMIT_MEMLOCK (before 5.11) get it lifted.
func raiseMemlock() {
	if memcgAccounting() {
		return
	}
	_ = unix.Prlimit(0, unix.RLIMIT_MEMLOCK, &unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY}, nil)
}

// memcgAccounting tells whether the kernel charges BPF memory to the
// memory cgroup (5.11 on) rather than to RLIMIT_MEMLOCK; libbpf probes for
// a helper of 5.11 to tell. cilium/ebpf's rlimit package finds out by
// creating a map with the limit at zero in its init, which costs every
// command of ours a millisecond for the one that needs the answer.
func memcgAccounting() bool {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return false
	}
	var major, minor int
	if _, err := fmt.Sscanf(unix.ByteSliceToString(u.Release[:]), "%d.%d", &major, &minor); err != nil {
		return false
	}
	return major > 5 || major == 5 && minor >= 11
}

// permHint is libbpf's pr_perm_msg: an EPERM as root may be the memlock
// limit on old kernels, so libbpf shows the limit unless it is infinite.
func (l *loader) permHint(en syscall.Errno) {
	if en != syscall.EPERM || os.Geteuid() != 0 {
		return
	}
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_MEMLOCK, &lim) != nil || lim.Cur == unix.RLIM_INFINITY {
		return
	}
	var cur string
	switch {
	case lim.Cur < 1024:
		cur = fmt.Sprintf("%d bytes", lim.Cur)
	case lim.Cur < 1024*1024:
		cur = fmt.Sprintf("%.1f KiB", float64(lim.Cur)/1024)
	default:
		cur = fmt.Sprintf("%.1f MiB", float64(lim.Cur)/(1024*1024))
	}
	l.warn("permission error while running as root; try raising 'ulimit -l'? current value: %s\n", cur)
}

// libbpfWarner prints as libbpf's default logger: "libbpf: " and the
// message on stderr, in JSON mode too.
func libbpfWarner(c *cli.Context) func(string, ...any) {
	return func(format string, a ...any) {
		c.Warnf("libbpf: "+format, a...)
	}
}

// loader holds what one load has created, to release on every path.
type loader struct {
	c     *cli.Context
	la    *loadArgs
	obj   *loadObject
	maps  map[string]*ebpf.Map // by spec key
	progs []*ebpf.Program      // parallel to obj.progs once loaded
	pins  []string             // pinned paths to remove on failure
}

func (l *loader) close() {
	for _, p := range l.progs {
		if p != nil {
			p.Close()
		}
	}
	for _, m := range l.maps {
		m.Close()
	}
}

func (l *loader) warn(format string, a ...any) { libbpfWarner(l.c)(format, a...) }

// run does what follows bpf_object__open in load_with_options: types,
// map reuse, load, pins.
func (l *loader) run(firstOnly bool) error {
	c, la, obj := l.c, l.la, l.obj
	for _, p := range obj.progs {
		d := la.progType
		if d == nil {
			if d = findSecDef(p.sec); d == nil {
				printUnknownSection(c, p.sec)
				return cli.ErrFailed
			}
		}
		l.setProgType(p, d)
	}
	if err := l.setupReuse(); err != nil {
		return err
	}
	if err := l.loadObject(); err != nil {
		return c.Errorf("failed to load object file")
	}
	if err := bpffs.MountForPin(c, la.pinfile); err != nil {
		return err
	}
	if firstOnly {
		if len(obj.progs) == 0 {
			return c.Errorf("object file doesn't contain any bpf program")
		}
		p := obj.progs[0]
		var err error
		if la.autoattach {
			err = l.autoAttach(0, la.pinfile)
		} else {
			err = kernel.ObjPin(l.progs[0].FD(), la.pinfile)
		}
		if err != nil {
			return c.Errorf("failed to pin program %s", p.sec)
		}
		l.pins = append(l.pins, la.pinfile)
	} else if err := l.pinPrograms(la.pinfile); err != nil {
		return c.Errorf("failed to pin all programs")
	}
	if la.hasPinmaps {
		if err := l.pinMaps(la.pinmaps); err != nil {
			c.Errorf("failed to pin all maps")
			for _, p := range l.pins {
				os.Remove(p)
			}
			return cli.ErrFailed
		}
	}
	return nil
}

// setProgType gives a program the type, expected attach type, flags and
// device that libbpf would load it with.
func (l *loader) setProgType(p *loadProg, d *secDef) {
	ps := p.spec
	ps.Type = d.typ
	ps.AttachType = d.attach
	// Flags come from the program's own section, as libbpf keeps the
	// section's definition when `type` overrides the type.
	own := findSecDef(p.sec)
	var flags uint32
	if own != nil {
		if own.flags&secSleepable != 0 {
			flags |= bpfFSleepable
		}
		if own.flags&secXDPFrags != 0 && d.typ == ebpf.XDP {
			flags |= bpfFXDPHasFrags
		}
	}
	if d.typ == ebpf.XDP && l.la.xdpmetaIfidx != 0 {
		flags |= bpfFXDPDevBoundOnly
		ps.Ifindex = l.la.xdpmetaIfidx
	} else {
		ps.Ifindex = l.la.offloadIfidx
	}
	ps.Flags = flags
	if own != nil && own.flags&secAttachBTF != 0 && ps.AttachTo == "" {
		if i := strings.IndexByte(p.sec, '/'); i >= 0 {
			ps.AttachTo = p.sec[i+1:]
		}
	}
}

// loadObject is bpf_object__load: maps in order, then programs in order,
// each failure reported as libbpf reports it.
func (l *loader) loadObject() (err error) {
	c, obj := l.c, l.obj
	defer func() {
		if err == nil {
			return
		}
		// libbpf unpins the maps it pinned by name during a failed load.
		for _, m := range obj.maps {
			if m.autoPinned {
				os.Remove(m.pinPath)
			}
		}
	}()
	l.maps = map[string]*ebpf.Map{}
	for _, m := range obj.maps {
		em, err := l.createMap(m)
		if err != nil {
			en := errno.Of(err)
			l.warn("map '%s': failed to create: %s(%d)\n", m.name, errno.Libbpf(-int(en)), -int(en))
			l.permHint(en)
			l.warn("failed to load object '%s'\n", obj.path)
			return err
		}
		l.maps[m.key] = em
	}
	if err := l.fillSlots(false); err != nil {
		l.warn("failed to load object '%s'\n", obj.path)
		return err
	}
	popts := ebpf.ProgramOptions{}
	if c.Debug {
		// log_level 1 + 2 + 4 as bpftool asks with -d (not stable UAPI).
		popts.LogLevel = ebpf.LogLevelBranch | ebpf.LogLevelInstruction | ebpf.LogLevelStats
	}
	// libbpf reads kernel_btf FILE only for an object with CO-RE
	// relocations.
	if l.la.kernelBTF != "" && hasCORE(obj) {
		spec, err := userfile.LoadBTF(l.la.kernelBTF)
		if err != nil {
			var be *userfile.BTFError
			errors.As(err, &be)
			if be.Warning != "" {
				l.warn("%s", strings.TrimPrefix(be.Warning, "libbpf: "))
			}
			l.warn("failed to parse target BTF: %d\n", be.Code)
			l.warn("failed to load object '%s'\n", obj.path)
			return err
		}
		popts.KernelTypes = spec
	}
	var rodata []*loadMap
	for _, m := range obj.maps {
		if m.rodata {
			rodata = append(rodata, m)
		}
	}
	// One by one in libbpf's order, stopping at the first failure: the
	// kernel then hands out ids in the order bpftool's would have.
	l.progs = make([]*ebpf.Program, len(obj.progs))
	for i, p := range obj.progs {
		prog, err := l.loadProgram(p, popts)
		if err != nil {
			l.reportLoadFailure(p, err)
			l.warn("failed to load object '%s'\n", obj.path)
			return err
		}
		l.progs[i] = prog
		if c.Debug && prog.VerifierLog != "" {
			l.warn("prog '%s': -- BEGIN PROG LOAD LOG --\n%s-- END PROG LOAD LOG --\n", p.name, prog.VerifierLog)
		}
		for _, m := range rodata {
			if err := kernel.ProgBindMap(prog.FD(), l.maps[m.key].FD()); err != nil {
				l.warn("prog '%s': failed to bind map '%s': %s\n", p.name, m.key, errno.Libbpf(int(errno.Of(err))))
			}
		}
	}
	if err := l.fillSlots(true); err != nil {
		l.warn("failed to load object '%s'\n", obj.path)
		return err
	}
	return nil
}

// loadProgram points the program's map loads at the maps just created and
// loads it.
func (l *loader) loadProgram(p *loadProg, popts ebpf.ProgramOptions) (*ebpf.Program, error) {
	ps := p.spec.Copy()
	ps.Instructions = libbpfLayout(ps.Instructions)
	for i := range ps.Instructions {
		ins := &ps.Instructions[i]
		if !ins.IsLoadFromMap() || ins.Reference() == "" {
			continue
		}
		m := l.maps[ins.Reference()]
		if m == nil {
			return nil, fmt.Errorf("map %s: %w", ins.Reference(), syscall.EINVAL)
		}
		if err := ins.AssociateMap(m); err != nil {
			return nil, err
		}
	}
	return ebpf.NewProgramWithOptions(ps, popts)
}

// reportLoadFailure prints libbpf's lines for a program the kernel
// refused: the error, the verifier log, the error code.
func (l *loader) reportLoadFailure(p *loadProg, err error) {
	en := errno.Of(err)
	var ve *ebpf.VerifierError
	if !errors.As(err, &ve) && !errors.As(err, new(syscall.Errno)) {
		// cilium/ebpf gave up before asking the kernel (a CO-RE or
		// attach target it cannot resolve).
		if def := findSecDef(p.sec); def != nil && def.flags&secAttachBTF != 0 &&
			(errors.Is(err, ebpf.ErrNotSupported) || errors.Is(err, btf.ErrNotFound)) {
			// libbpf's find_kernel_btf_id ends with -ESRCH.
			_, target, _ := strings.Cut(p.sec, "/")
			l.warn("prog '%s': failed to find kernel BTF type ID of '%s': %d\n", p.name, target, -int(syscall.ESRCH))
			l.warn("prog '%s': failed to prepare load attributes: %d\n", p.name, -int(syscall.ESRCH))
			l.warn("prog '%s': failed to load: %d\n", p.name, -int(syscall.ESRCH))
			return
		}
		l.warn("prog '%s': failed to prepare load attributes: %v\n", p.name, err)
		l.warn("prog '%s': failed to load: %d\n", p.name, -int(en))
		return
	}
	l.warn("prog '%s': BPF program load failed: %s\n", p.name, errno.Libbpf(int(en)))
	l.permHint(en)
	if ve != nil && len(ve.Log) > 0 {
		log := fixupVerifierLog(ve.Log, libbpfLayout(p.spec.Instructions), l.obj.spec.Types)
		l.warn("prog '%s': -- BEGIN PROG LOAD LOG --\n%s\n-- END PROG LOAD LOG --\n", p.name, strings.Join(log, "\n"))
	}
	l.warn("prog '%s': failed to load: %d\n", p.name, -int(en))
}

// pinPrograms is bpf_object__pin_programs (or bpftool's auto-attaching
// variant): PATH/NAME for each program, all undone on the first failure.
func (l *loader) pinPrograms(dir string) error {
	for i, p := range l.obj.progs {
		path := dir + "/" + p.name
		var err error
		if len(path) >= unix.PathMax {
			err = syscall.ENAMETOOLONG
		} else if l.la.autoattach {
			err = l.autoAttach(i, path)
		} else {
			err = l.pinFD(l.progs[i].FD(), path, func(en syscall.Errno) {
				l.warn("prog '%s': failed to pin at '%s': %s\n", p.name, path, errno.Libbpf(-int(en)))
			})
		}
		if err != nil {
			for _, pin := range l.pins {
				os.Remove(pin)
			}
			l.pins = nil
			return err
		}
		l.pins = append(l.pins, path)
	}
	return nil
}

// pinFD pins as libbpf's bpf_*__pin: make the parent directory, check it
// is on bpffs, pin; onPinErr reports a failure of the pin itself.
func (l *loader) pinFD(fd int, path string, onPinErr func(syscall.Errno)) error {
	dir := bpffs.Dirname(path)
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		l.warn("failed to mkdir %s: %s\n", path, errno.Libbpf(int(errno.Of(err))))
		return err
	}
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		l.warn("failed to statfs %s: %s\n", dir, errno.Libbpf(int(errno.Of(err))))
		return err
	}
	if st.Type != unix.BPF_FS_MAGIC {
		l.warn("specified path %s is not on BPF FS\n", path)
		return syscall.EINVAL
	}
	if err := kernel.ObjPin(fd, path); err != nil {
		onPinErr(errno.Of(err))
		return err
	}
	return nil
}

// hasCORE tells whether any program of obj has a CO-RE relocation.
func hasCORE(obj *loadObject) bool {
	for _, p := range obj.progs {
		for i := range p.spec.Instructions {
			if btf.CORERelocationMetadata(&p.spec.Instructions[i]) != nil {
				return true
			}
		}
	}
	return false
}
