// Package prog holds the commands of `gobpftool prog`, one file each:
// show.go, dump.go, pin.go, load.go, attach.go, run.go, profile.go,
// tracelog.go and metrics.go.
package prog

import (
	"io"

	"github.com/gobpftool/gobpftool/internal/cli"
)

// Commands is the table of `prog`, in bpftool's order: prefixes resolve
// to the first match, so "l" is list and "load" beats "loadall".
func Commands() []cli.Command {
	return []cli.Command{
		{Name: "show", Run: show},
		{Name: "list", Run: show},
		{Name: "help", Run: help},
		{Name: "dump", Run: dump},
		{Name: "pin", Run: pin},
		{Name: "load", Run: load},
		{Name: "loadall", Run: loadall},
		{Name: "attach", Run: attach},
		{Name: "detach", Run: detach},
		{Name: "tracelog", Run: tracelog},
		{Name: "run", Run: run},
		{Name: "profile", Run: profile},
		{Name: "metrics", Run: metricsCmd},
	}
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
