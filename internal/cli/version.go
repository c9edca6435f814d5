package cli

import (
	"runtime/debug"
	"strings"
)

// Version is gobpftool's own version.
const Version = "0.1.0"

// Features this build has that Debian's bpftool lacks; reported by
// `version` as booleans so scripts can test for them.
var Features = []struct {
	Name string
	On   bool
}{
	{"jit_disasm", true},
	{"profile", true},
	{"pids", true},
}

// ebpfVersion is the cilium/ebpf module version linked in.
func ebpfVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/cilium/ebpf" {
				return strings.TrimPrefix(d.Version, "v")
			}
		}
	}
	return "unknown"
}

func version(c *Context, _ []string) error {
	if c.JSON {
		w := c.JW
		w.StartObject()
		w.StringField("version", Version)
		w.StringField("ebpf_version", ebpfVersion())
		w.Name("features")
		w.StartObject()
		for _, f := range Features {
			w.BoolField(f.Name, f.On)
		}
		w.EndObject()
		w.EndObject()
		return nil
	}
	c.Printf("%s v%s\n", c.Bin, Version)
	c.Printf("using cilium/ebpf v%s\n", ebpfVersion())
	c.Printf("features:")
	n := 0
	for _, f := range Features {
		if f.On {
			if n > 0 {
				c.Printf(",")
			}
			c.Printf(" %s", f.Name)
			n++
		}
	}
	c.Printf("\n")
	return nil
}
