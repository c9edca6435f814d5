// Package prog holds the commands of `gobpftool prog`, one file each:
// show.go, dump.go, pin.go, load.go, attach.go, run.go, profile.go,
// tracelog.go, top.go and metrics.go.
package prog

import (
	"io"

	"github.com/gobpftool/gobpftool/internal/cli"
)

// Commands is the table of `prog`, in bpftool's order: prefixes resolve
// to the first match, so "l" is list and "load" beats "loadall". Each
// entry also carries its synopsis, its grammar for completion and its
// description for the man page (docs.go): adding a command is adding an
// entry here, then `go generate ./...` for the man page. An entry whose
// Run is nil is documented but not built yet; Select skips it.
func Commands() []cli.Command {
	return []cli.Command{
		{Name: "show", Run: show, Synopsis: []string{"{ show | list } [PROG]"}, Args: cli.Opt(progArg), Doc: docShow},
		{Name: "list", Run: show, Args: cli.Opt(progArg)},
		{Name: "help", Run: help, Synopsis: []string{"help"}, Doc: docHelp},
		{Name: "dump", Run: dump, Synopsis: []string{
			"dump xlated PROG [{ file FILE | opcodes | visual | linum }]",
			"dump jited PROG [{ file FILE | opcodes | linum }]",
		}, Args: dumpGrammar, Doc: docDump},
		{Name: "pin", Run: pin, Synopsis: []string{"pin PROG FILE"}, Args: cli.Seq(progArg, pinPath("FILE")), Doc: docPin},
		{Name: "load", Run: load, Synopsis: []string{
			"{ load | loadall } OBJ PATH [type TYPE] [{ dev | offload_dev | xdpmeta_dev } NAME] " +
				"[map { idx IDX | name NAME } MAP] [pinmaps MAP_DIR] [autoattach] [kernel_btf BTF_FILE]",
		}, Args: loadGrammar, Doc: docLoad},
		{Name: "loadall", Run: loadall, Args: loadGrammar},
		{Name: "attach", Run: attach, Synopsis: []string{"attach PROG ATTACH_TYPE [MAP]"}, Args: attachGrammar, Doc: docAttach},
		{Name: "detach", Run: detach, Synopsis: []string{"detach PROG ATTACH_TYPE [MAP]"}, Args: attachGrammar, Doc: docDetach},
		{Name: "tracelog", Run: tracelog, Synopsis: []string{"tracelog", "tracelog { stdout | stderr } PROG"},
			Args: cli.Opt(cli.OneOf(cli.Kw("stdout", progArg), cli.Kw("stderr", progArg))), Doc: docTracelog},
		{Name: "run", Run: run, Synopsis: []string{
			"run PROG data_in FILE [data_out FILE [data_size_out L]] [ctx_in FILE [ctx_out FILE [ctx_size_out M]]] [repeat N]",
		}, Args: runGrammar, Doc: docRun},
		{Name: "profile", Run: profile, Synopsis: []string{"profile PROG [duration DURATION] METRICs"},
			Args: cli.Seq(progArg, cli.Opt(cli.Kw("duration", cli.Number("DURATION"))), cli.Repeat(metricValue)), Doc: docProfile},
		{Name: "top", Run: topCmd, Synopsis: []string{"top [PROG] [interval SECONDS] [count N]"},
			Args: cli.Seq(cli.Opt(progArg), cli.AnyOrder(cli.Kw("interval", cli.Number("SECONDS")), cli.Kw("count", cli.Number("N")))),
			Doc:  docTop},
		{Name: "metrics", Run: metricsCmd, Synopsis: []string{"metrics [listen ADDR [stats { on | off }] [web_config FILE]]"},
			Args: cli.Opt(cli.Kw("listen", cli.Number("ADDR"),
				cli.AnyOrder(cli.Kw("stats", cli.OneOf(cli.Kw("on"), cli.Kw("off"))), cli.Kw("web_config", cli.File("FILE"))))),
			Doc: docMetrics},
	}
}

var dumpGrammar = cli.OneOf(
	cli.Kw("xlated", progArg, cli.AnyOrder(cli.Kw("file", cli.File("FILE")), cli.Kw("opcodes"), cli.Kw("visual"), cli.Kw("linum"))),
	cli.Kw("jited", progArg, cli.AnyOrder(cli.Kw("file", cli.File("FILE")), cli.Kw("opcodes"), cli.Kw("linum"))),
)

var loadGrammar = cli.Seq(cli.File("OBJ"), pinPath("PATH"), cli.AnyOrder(
	cli.Kw("type", progTypeValue),
	cli.Kw("dev", netdevValue),
	cli.Kw("offload_dev", netdevValue),
	cli.Kw("xdpmeta_dev", netdevValue),
	cli.Repeat(cli.Kw("map", cli.OneOf(cli.Kw("idx", objMaps(false)), cli.Kw("name", objMaps(true))), mapArg)),
	cli.Kw("pinmaps", pinPath("MAP_DIR")),
	cli.Kw("autoattach"),
	cli.Kw("kernel_btf", cli.File("BTF_FILE")),
))

var attachGrammar = cli.Seq(progArg, attachTypeValue, cli.Opt(mapArg))

// runGrammar takes its keywords in any order, as bpftool's loop does.
var runGrammar = cli.Seq(progArg, cli.AnyOrder(
	cli.Kw("data_in", cli.File("FILE")),
	cli.Kw("data_out", cli.File("FILE")),
	cli.Kw("data_size_out", cli.Number("L")),
	cli.Kw("ctx_in", cli.File("FILE")),
	cli.Kw("ctx_out", cli.File("FILE")),
	cli.Kw("ctx_size_out", cli.Number("M")),
	cli.Kw("repeat", cli.Number("N")),
))

// Object is the `prog` object of the top-level table.
func Object() cli.Object {
	return cli.Object{Name: "prog", Run: Run, Args: cli.Table(Commands())}
}

// Run is the entry point of the `prog` object.
func Run(c *cli.Context, args []string) error {
	return cli.Select(c, Commands(), args, help)
}

func help(c *cli.Context, _ []string) error {
	if c.JSON {
		c.JW.Null()
		return nil
	}
	c.Out.Flush()
	b, o := c.Bin, c.Object
	io.WriteString(c.Err, ""+
		"Usage: "+b+" "+o+" { show | list } [PROG]\n"+
		"       "+b+" "+o+" dump xlated PROG [{ file FILE | opcodes | visual | linum }]\n"+
		"       "+b+" "+o+" dump jited  PROG [{ file FILE | opcodes | linum }]\n"+
		"       "+b+" "+o+" pin   PROG FILE\n"+
		"       "+b+" "+o+" { load | loadall } OBJ  PATH \\\n"+
		"                         [type TYPE] [dev NAME] \\\n"+
		"                         [map { idx IDX | name NAME } MAP]\\\n"+
		"                         [pinmaps MAP_DIR]\n"+
		"       "+b+" "+o+" attach PROG ATTACH_TYPE [MAP]\n"+
		"       "+b+" "+o+" detach PROG ATTACH_TYPE [MAP]\n"+
		"       "+b+" "+o+" run PROG \\\n"+
		"                         data_in FILE \\\n"+
		"                         [data_out FILE [data_size_out L]] \\\n"+
		"                         [ctx_in FILE [ctx_out FILE [ctx_size_out M]]] \\\n"+
		"                         [repeat N]\n"+
		"       "+b+" "+o+" profile PROG [duration DURATION] METRICs\n"+
		"       "+b+" "+o+" tracelog\n"+
		"       "+b+" "+o+" help\n"+
		"       "+b+" "+o+" top [PROG] [interval SECONDS] [count N]\n"+
		"       "+b+" "+o+" metrics [listen ADDR [stats { on | off }] [web_config FILE]]\n"+
		"\n"+
		"       "+helpSpecMap+"\n"+
		"       "+helpSpecProgram+"\n"+
		"       TYPE := { socket | kprobe | kretprobe | classifier | action |\n"+
		"                 tracepoint | raw_tracepoint | xdp | perf_event | cgroup/skb |\n"+
		"                 cgroup/sock | cgroup/dev | lwt_in | lwt_out | lwt_xmit |\n"+
		"                 lwt_seg6local | sockops | sk_skb | sk_msg | lirc_mode2 |\n"+
		"                 sk_reuseport | flow_dissector | cgroup/sysctl |\n"+
		"                 cgroup/bind4 | cgroup/bind6 | cgroup/post_bind4 |\n"+
		"                 cgroup/post_bind6 | cgroup/connect4 | cgroup/connect6 |\n"+
		"                 cgroup/getpeername4 | cgroup/getpeername6 |\n"+
		"                 cgroup/getsockname4 | cgroup/getsockname6 | cgroup/sendmsg4 |\n"+
		"                 cgroup/sendmsg6 | cgroup/recvmsg4 | cgroup/recvmsg6 |\n"+
		"                 cgroup/getsockopt | cgroup/setsockopt | cgroup/sock_release |\n"+
		"                 struct_ops | fentry | fexit | freplace | sk_lookup }\n"+
		"       ATTACH_TYPE := { sk_msg_verdict | sk_skb_verdict | sk_skb_stream_verdict |\n"+
		"                        sk_skb_stream_parser | flow_dissector }\n"+
		"       METRIC := { cycles | instructions | l1d_loads | llc_misses | itlb_misses | dtlb_misses |\n"+
		"                   run_cnt | run_time_ns | cpu_clock | page_faults }\n"+
		"       "+cli.HelpSpecOptions+" | {-l|--legacy} |\n"+
		"                    {-f|--bpffs} | {-m|--mapcompat} | {-n|--nomount} |\n"+
		"                    {-L|--use-loader} }\n")
	return nil
}

const (
	helpSpecMap     = "MAP := { id MAP_ID | pinned FILE | name MAP_NAME }"
	helpSpecProgram = "PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }"
)

// next consumes one argument like bpftool's NEXT_ARG: running off the end
// is a usage error.
func next(c *cli.Context, args []string) ([]string, error) {
	if len(args) < 1 {
		return nil, c.Usage()
	}
	return args[1:], nil
}
