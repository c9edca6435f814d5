package prog

import (
	"context"
	"errors"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/compat"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/loader"
)

// load is `prog load OBJ PATH ...`: the first program, pinned at PATH.
func load(c *cli.Context, args []string) error { return loadWithOptions(c, args, true) }

// loadall is `prog loadall OBJ PATH ...`: every program, at PATH/NAME.
func loadall(c *cli.Context, args []string) error { return loadWithOptions(c, args, false) }

// loadArgs are the parsed arguments of load and loadall.
type loadArgs struct {
	opts       loader.Options
	pinfile    string
	pinmaps    string
	hasPinmaps bool
}

// loadWithOptions is bpftool's load_with_options: the grammar here, the
// work in internal/loader, bpftool's messages around it.
func loadWithOptions(c *cli.Context, args []string, firstOnly bool) error {
	if err := cli.ReqArgs(c, c.Keyword(), args, 2); err != nil {
		return err
	}
	la := &loadArgs{opts: loader.Options{File: args[0]}, pinfile: args[1]}
	err := parseLoadArgs(c, la, args[2:])
	defer func() {
		for _, r := range la.opts.Replace {
			kernel.Close(r.FD)
		}
	}()
	if err != nil {
		return err
	}
	raiseMemlock()

	la.opts.Relaxed = c.MapCompat
	la.opts.VerifierLog = c.Debug
	la.opts.OnFallback = func(name string) {
		c.Infof("Program %s does not support autoattach, falling back to pinning", name)
	}
	obj, err := loader.Open(la.opts, c.Warnf)
	if err != nil {
		return c.Errorf("failed to open object file")
	}
	defer obj.Close()
	if err := loadAndPin(c, obj, la, firstOnly); err != nil {
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
	kernel.RaiseMemlock()
}

// loadAndPin does what follows bpf_object__open in load_with_options:
// load, mount bpffs if need be, pin, with bpftool's messages.
func loadAndPin(c *cli.Context, obj *loader.Object, la *loadArgs, firstOnly bool) error {
	if err := obj.Load(context.Background()); err != nil {
		var use *loader.UnknownSectionError
		var re *loader.ReplaceError
		switch {
		case errors.As(err, &use):
			printUnknownSection(c, use.Section)
			return cli.ErrFailed
		case errors.As(err, &re):
			return replaceFailed(c, re)
		}
		return c.Errorf("failed to load object file")
	}
	if err := mountForPinPath(c, la.pinfile); err != nil {
		return err
	}
	if firstOnly {
		if err := obj.PinFirst(la.pinfile); err != nil {
			if errors.Is(err, loader.ErrNoProgram) {
				return c.Errorf("object file doesn't contain any bpf program")
			}
			return c.Errorf("failed to pin program %s", obj.Programs()[0].Section)
		}
	} else if err := obj.PinAll(la.pinfile); err != nil {
		return c.Errorf("failed to pin all programs")
	}
	if la.hasPinmaps {
		if err := obj.PinMaps(la.pinmaps); err != nil {
			c.Errorf("failed to pin all maps")
			obj.Unpin()
			return cli.ErrFailed
		}
	}
	return nil
}

// replaceFailed is bpftool's message for a `map` argument it cannot apply.
func replaceFailed(c *cli.Context, re *loader.ReplaceError) error {
	switch re.Reason {
	case loader.ReplaceNoSuchMap:
		return c.Errorf("unable to find map '%s'", re.Name)
	case loader.ReplaceReuseFailed:
		return c.Errorf("unable to set up map reuse: %d", -int(errno.Of(re.Err)))
	case loader.ReplaceDuplicate:
		return c.Errorf("replacement for map idx %d specified more than once", re.Index)
	}
	return c.Errorf("map idx '%d' not used", re.Index)
}

// parseLoadArgs reads the keywords after OBJ and PATH as bpftool's
// load_with_options, with its messages.
func parseLoadArgs(c *cli.Context, la *loadArgs, args []string) error {
	var err error
	for len(args) > 0 {
		kw := args[0]
		switch {
		case cli.IsPrefix(kw, "type"):
			if args, err = next(c, args); err != nil {
				return err
			}
			if la.opts.Type != nil {
				return c.Errorf("program type already specified")
			}
			if err := cli.ReqArgs(c, kw, args, 1); err != nil {
				return err
			}
			d := loader.FindSection(args[0])
			if d == nil {
				// bpftool appends a '/' to appease libbpf and asks again,
				// this time with libbpf's debug messages on.
				d = loader.FindSection(args[0] + "/")
				if d == nil {
					printUnknownSection(c, args[0]+"/")
					return cli.ErrFailed
				}
			}
			la.opts.Type = d
			if args, err = next(c, args); err != nil {
				return err
			}
		case cli.IsPrefix(kw, "map"):
			if args, err = next(c, args); err != nil {
				return err
			}
			if err := cli.ReqArgs(c, kw, args, 4); err != nil {
				return err
			}
			r := loader.MapReplacement{Index: -1, FD: -1}
			switch {
			case cli.IsPrefix(args[0], "idx"):
				args = args[1:]
				v, ok := cli.ParseUlong(args[0])
				if !ok {
					return c.Errorf("can't parse %s as IDX", args[0])
				}
				r.Index = int(int32(uint32(v)))
			case cli.IsPrefix(args[0], "name"):
				args = args[1:]
				r.Name = args[0]
			default:
				return c.Errorf("expected 'idx' or 'name', got: '%s'?", args[0])
			}
			args = args[1:]
			fd, rest, err := parseMapFD(c, args)
			if err != nil {
				return err
			}
			args = rest
			r.FD = fd
			la.opts.Replace = append(la.opts.Replace, r)
		case cli.IsPrefix(kw, "dev"):
			if compat.LoadDevDeprecated {
				c.Infof("Warning: 'bpftool prog load [...] dev <ifname>' syntax is deprecated.\n" +
					"Going further, please use 'offload_dev <ifname>' to offload program to device.\n" +
					"For applications using XDP hints only, use 'xdpmeta_dev <ifname>'.")
			}
			if args, err = next(c, args); err != nil {
				return err
			}
			if la.opts.OffloadIfindex != 0 {
				if compat.LoadDevDeprecated {
					return c.Errorf("offload_dev already specified")
				}
				return c.Errorf("offload device already specified")
			}
			if la.opts.XDPMetaIfindex != 0 {
				return c.Errorf("xdpmeta_dev and offload_dev are mutually exclusive")
			}
			if err := cli.ReqArgs(c, kw, args, 1); err != nil {
				return err
			}
			if la.opts.OffloadIfindex, err = ifNameToIndex(c, args[0]); err != nil {
				return err
			}
			if args, err = next(c, args); err != nil {
				return err
			}
		case cli.IsPrefix(kw, "offload_dev"), cli.IsPrefix(kw, "xdpmeta_dev"):
			meta := cli.IsPrefix(kw, "xdpmeta_dev")
			if args, err = next(c, args); err != nil {
				return err
			}
			switch {
			case !meta && la.opts.OffloadIfindex != 0:
				return c.Errorf("offload_dev already specified")
			case meta && la.opts.XDPMetaIfindex != 0:
				return c.Errorf("xdpmeta_dev already specified")
			case la.opts.OffloadIfindex != 0 || la.opts.XDPMetaIfindex != 0:
				return c.Errorf("xdpmeta_dev and offload_dev are mutually exclusive")
			}
			if err := cli.ReqArgs(c, kw, args, 1); err != nil {
				return err
			}
			idx, err := ifNameToIndex(c, args[0])
			if err != nil {
				return err
			}
			if meta {
				la.opts.XDPMetaIfindex = idx
			} else {
				la.opts.OffloadIfindex = idx
			}
			if args, err = next(c, args); err != nil {
				return err
			}
		case cli.IsPrefix(kw, "pinmaps"):
			if args, err = next(c, args); err != nil {
				return err
			}
			if err := cli.ReqArgs(c, kw, args, 1); err != nil {
				return err
			}
			la.pinmaps, la.hasPinmaps = args[0], true
			args = args[1:]
		case cli.IsPrefix(kw, "autoattach"):
			la.opts.Autoattach = true
			args = args[1:]
		case cli.IsPrefix(kw, "kernel_btf"):
			if args, err = next(c, args); err != nil {
				return err
			}
			if err := cli.ReqArgs(c, kw, args, 1); err != nil {
				return err
			}
			la.opts.KernelBTF = args[0]
			args = args[1:]
		default:
			return c.Errorf(compat.LoadExpectedArgs, kw)
		}
	}
	return nil
}

// printUnknownSection is what libbpf_prog_type_by_name says at debug level
// about a name it cannot map to a program type.
func printUnknownSection(c *cli.Context, name string) {
	c.Warnf("libbpf: failed to guess program type from ELF section '%s'\n", name)
	c.Warnf("libbpf: supported section(type) names are:%s\n", loader.SupportedSections())
}

// ifNameToIndex is if_nametoindex(3) with bpftool's error.
func ifNameToIndex(c *cli.Context, name string) (uint32, error) {
	idx, err := netdevIndex(name)
	if err != nil {
		return 0, c.Errorf("unrecognized netdevice '%s': %s", name, errno.ErrText(err))
	}
	return idx, nil
}

// netdevIndex asks the kernel for a device's index as glibc does, with an
// ioctl on a throwaway socket; names too long for the kernel are ENODEV.
func netdevIndex(name string) (uint32, error) {
	if len(name) >= unix.IFNAMSIZ {
		return 0, syscall.ENODEV
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0, syscall.ENODEV
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr); err != nil {
		return 0, err
	}
	return ifr.Uint32(), nil
}
