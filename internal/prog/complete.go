package prog

import (
	"context"
	"debug/elf"
	"os"
	"strconv"
	"strings"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/profiler"
	"github.com/gobpftool/gobpftool/internal/progfacts"
)

// The values of the `prog` grammar and where completion finds them: the
// loaded programs and maps (one info call each, no instruction images),
// the network devices, the maps of the object being loaded, and the word
// lists the commands themselves parse with.

var (
	progIDValue   = &cli.Value{Name: "PROG_ID", Complete: func([]string) cli.Candidates { return loadedProgs(progID) }}
	progTagValue  = &cli.Value{Name: "PROG_TAG", Complete: func([]string) cli.Candidates { return loadedProgs(progTag) }}
	progNameValue = &cli.Value{Name: "PROG_NAME", Complete: func([]string) cli.Candidates { return loadedProgs(progName) }}
	mapIDValue    = &cli.Value{Name: "MAP_ID", Complete: func([]string) cli.Candidates { return loadedMaps(false) }}
	mapNameValue  = &cli.Value{Name: "MAP_NAME", Complete: func([]string) cli.Candidates { return loadedMaps(true) }}
	netdevValue   = &cli.Value{Name: "NAME", Complete: func([]string) cli.Candidates { return netdevs() }}
)

// progArg is PROG, a program handle.
var progArg = cli.OneOf(
	cli.Kw("id", progIDValue),
	cli.Kw("pinned", cli.File("FILE")),
	cli.Kw("tag", progTagValue),
	cli.Kw("name", progNameValue),
)

// mapArg is MAP, a map handle.
var mapArg = cli.OneOf(
	cli.Kw("id", mapIDValue),
	cli.Kw("pinned", cli.File("FILE")),
	cli.Kw("name", mapNameValue),
)

// pinPath is a path to pin at: any file name, and the bpffs mount points,
// under one of which it has to be.
func pinPath(name string) *cli.Value {
	return &cli.Value{Name: name, Complete: func([]string) cli.Candidates {
		c := cli.Candidates{Files: true}
		for _, m := range kernel.Mounts("bpf") {
			c.Words = append(c.Words, strings.TrimSuffix(m, "/")+"/")
		}
		return c
	}}
}

// progTypeWords is TYPE of `prog load`, as the help text lists it; the
// loader takes any of libbpf's section names too.
var progTypeWords = []string{
	"socket", "kprobe", "kretprobe", "classifier", "action",
	"tracepoint", "raw_tracepoint", "xdp", "perf_event", "cgroup/skb",
	"cgroup/sock", "cgroup/dev", "lwt_in", "lwt_out", "lwt_xmit",
	"lwt_seg6local", "sockops", "sk_skb", "sk_msg", "lirc_mode2",
	"sk_reuseport", "flow_dissector", "cgroup/sysctl",
	"cgroup/bind4", "cgroup/bind6", "cgroup/post_bind4",
	"cgroup/post_bind6", "cgroup/connect4", "cgroup/connect6",
	"cgroup/getpeername4", "cgroup/getpeername6",
	"cgroup/getsockname4", "cgroup/getsockname6", "cgroup/sendmsg4",
	"cgroup/sendmsg6", "cgroup/recvmsg4", "cgroup/recvmsg6",
	"cgroup/getsockopt", "cgroup/setsockopt", "cgroup/sock_release",
	"struct_ops", "fentry", "fexit", "freplace", "sk_lookup",
}

var (
	// The loader takes any of libbpf's section names as TYPE, and attach
	// takes old names of the attach types: neither is strict.
	progTypeValue = &cli.Value{Name: "TYPE", Complete: func([]string) cli.Candidates {
		return cli.Candidates{Words: progTypeWords}
	}}
	attachTypeValue = &cli.Value{Name: "ATTACH_TYPE", Complete: func([]string) cli.Candidates {
		return cli.Candidates{Words: attachTypeWords()}
	}}
	metricValue = cli.Words("METRIC", metricWords)
)

// attachTypeWords are the full names of attachTypes.
func attachTypeWords() []string {
	var w []string
	for _, at := range attachTypes {
		w = append(w, at.name)
	}
	return w
}

// metricWords are the names of the profiler's metrics.
func metricWords() []string {
	var w []string
	for _, m := range profiler.Metrics() {
		w = append(w, m.Name)
	}
	return w
}

type progField int

const (
	progID progField = iota
	progTag
	progName
)

// loadedProgs lists one field of every loaded program.
func loadedProgs(f progField) cli.Candidates {
	var c cli.Candidates
	if f == progID {
		for id, err := kernel.ProgGetNextID(0); err == nil; id, err = kernel.ProgGetNextID(id) {
			c.Words = append(c.Words, strconv.FormatUint(uint64(id), 10))
		}
		return c
	}
	progs, _ := progfacts.New(progfacts.Options{}).All(context.Background())
	for _, p := range progs {
		switch {
		case f == progTag:
			c.Words = append(c.Words, p.TagHex())
		case p.Name != "":
			c.Words = append(c.Words, p.Name)
		}
	}
	return c
}

// loadedMaps lists the ids or the names of every map.
func loadedMaps(names bool) cli.Candidates {
	var c cli.Candidates
	for id, err := kernel.MapGetNextID(0); err == nil; id, err = kernel.MapGetNextID(id) {
		if !names {
			c.Words = append(c.Words, strconv.FormatUint(uint64(id), 10))
			continue
		}
		fd, err := kernel.MapFDByID(id)
		if err != nil {
			continue
		}
		if mi, err := kernel.GetMapInfo(fd); err == nil && mi.Name != "" {
			c.Words = append(c.Words, mi.Name)
		}
		kernel.Close(fd)
	}
	return c
}

// netdevs lists the network devices, for `dev NAME`.
func netdevs() cli.Candidates {
	ents, _ := os.ReadDir("/sys/class/net")
	var c cli.Candidates
	for _, e := range ents {
		c.Words = append(c.Words, e.Name())
	}
	return c
}

// objMaps completes `map idx` and `map name` of `prog load`: the indexes
// and names of the maps the object (the command's first word) defines,
// as global symbols of its "maps" (legacy) or ".maps" (BTF) section.
func objMaps(names bool) *cli.Value {
	name := "IDX"
	if names {
		name = "NAME"
	}
	return &cli.Value{Name: name, Complete: func(args []string) cli.Candidates {
		var c cli.Candidates
		if len(args) == 0 {
			return c
		}
		f, err := elf.Open(args[0])
		if err != nil {
			return c
		}
		defer f.Close()
		syms, _ := f.Symbols()
		n := 0
		for _, s := range syms {
			if int(s.Section) >= len(f.Sections) || elf.ST_BIND(s.Info) != elf.STB_GLOBAL {
				continue
			}
			if sec := f.Sections[s.Section].Name; sec != "maps" && sec != ".maps" {
				continue
			}
			if names {
				c.Words = append(c.Words, s.Name)
			} else {
				c.Words = append(c.Words, strconv.Itoa(n))
			}
			n++
		}
		return c
	}}
}

// Definitions are the placeholder lines of the man page's synopsis, from
// the lists the commands parse with.
func Definitions() []string {
	list := func(name string, words []string) string {
		return name + " := { " + strings.Join(words, " | ") + " }"
	}
	return []string{
		helpSpecProgram,
		helpSpecMap,
		list("TYPE", progTypeWords),
		list("ATTACH_TYPE", attachTypeWords()),
		list("METRIC", metricWords()),
	}
}
