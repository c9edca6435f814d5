package prog

import (
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/compat"
	"github.com/gobpftool/gobpftool/internal/errno"
)

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
			if la.progType != nil {
				return c.Errorf("program type already specified")
			}
			if err := cli.ReqArgs(c, kw, args, 1); err != nil {
				return err
			}
			d := findSecDef(args[0])
			if d == nil {
				// bpftool appends a '/' to appease libbpf and asks again,
				// this time with libbpf's debug messages on.
				d = findSecDef(args[0] + "/")
				if d == nil {
					printUnknownSection(c, args[0]+"/")
					return cli.ErrFailed
				}
			}
			la.progType = d
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
			r := mapReplace{idx: -1, fd: -1}
			switch {
			case cli.IsPrefix(args[0], "idx"):
				args = args[1:]
				v, ok := cli.ParseUlong(args[0])
				if !ok {
					return c.Errorf("can't parse %s as IDX", args[0])
				}
				r.idx = int(int32(uint32(v)))
			case cli.IsPrefix(args[0], "name"):
				args = args[1:]
				r.name = args[0]
			default:
				return c.Errorf("expected 'idx' or 'name', got: '%s'?", args[0])
			}
			args = args[1:]
			fd, rest, err := parseMapFD(c, args)
			if err != nil {
				return err
			}
			args = rest
			r.fd = fd
			la.replace = append(la.replace, r)
		case cli.IsPrefix(kw, "dev"):
			if compat.LoadDevDeprecated {
				c.Infof("Warning: 'bpftool prog load [...] dev <ifname>' syntax is deprecated.\n" +
					"Going further, please use 'offload_dev <ifname>' to offload program to device.\n" +
					"For applications using XDP hints only, use 'xdpmeta_dev <ifname>'.")
			}
			if args, err = next(c, args); err != nil {
				return err
			}
			if la.offloadIfidx != 0 {
				if compat.LoadDevDeprecated {
					return c.Errorf("offload_dev already specified")
				}
				return c.Errorf("offload device already specified")
			}
			if la.xdpmetaIfidx != 0 {
				return c.Errorf("xdpmeta_dev and offload_dev are mutually exclusive")
			}
			if err := cli.ReqArgs(c, kw, args, 1); err != nil {
				return err
			}
			if la.offloadIfidx, err = ifNameToIndex(c, args[0]); err != nil {
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
			case !meta && la.offloadIfidx != 0:
				return c.Errorf("offload_dev already specified")
			case meta && la.xdpmetaIfidx != 0:
				return c.Errorf("xdpmeta_dev already specified")
			case la.offloadIfidx != 0 || la.xdpmetaIfidx != 0:
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
				la.xdpmetaIfidx = idx
			} else {
				la.offloadIfidx = idx
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
			la.autoattach = true
			args = args[1:]
		case cli.IsPrefix(kw, "kernel_btf"):
			if args, err = next(c, args); err != nil {
				return err
			}
			if err := cli.ReqArgs(c, kw, args, 1); err != nil {
				return err
			}
			la.kernelBTF = args[0]
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
	c.Warnf("libbpf: supported section(type) names are:%s\n", supportedSecNames())
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
