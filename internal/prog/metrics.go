package prog

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/exporter-toolkit/web"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/metrics"
	"github.com/gobpftool/gobpftool/internal/profiler"
	"github.com/gobpftool/gobpftool/internal/userfile"
)

// metricsArgs is a parsed `prog metrics` command line.
type metricsArgs struct {
	listen    bool
	addr      string
	stats     bool
	webConfig string
}

// shutdownGrace is how long a stopping server lets scrapes in progress
// finish.
const shutdownGrace = 5 * time.Second

// metricsCmd is `prog metrics [listen ADDR [stats { on | off }]
// [web_config FILE]]`: the programs' facts as Prometheus series, printed
// once or served on ADDR until SIGINT or SIGTERM.
func metricsCmd(c *cli.Context, args []string) error {
	ma, err := parseMetricsArgs(c, args)
	if err != nil {
		return err
	}
	if !kernel.CanReadPrograms() {
		return c.Errorf("prog metrics needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN: run it as root or grant it those capabilities")
	}
	if !ma.listen {
		return printMetrics(c)
	}
	return serveMetrics(c, ma)
}

func parseMetricsArgs(c *cli.Context, args []string) (*metricsArgs, error) {
	ma := &metricsArgs{stats: true}
	if len(args) == 0 {
		return ma, nil
	}
	if !cli.IsPrefix(args[0], "listen") {
		return nil, cli.BadArg(c, args[0])
	}
	args = args[1:]
	if err := cli.ReqArgs(c, "listen", args, 1); err != nil {
		return nil, err
	}
	ma.listen, ma.addr = true, args[0]
	args = args[1:]
	seen := map[string]bool{}
	for len(args) > 0 {
		var kw string
		switch {
		case cli.IsPrefix(args[0], "stats"):
			kw = "stats"
		case cli.IsPrefix(args[0], "web_config"):
			kw = "web_config"
		default:
			return nil, cli.BadArg(c, args[0])
		}
		if seen[kw] {
			return nil, c.Errorf("'%s' given twice", kw)
		}
		seen[kw] = true
		if err := cli.ReqArgs(c, kw, args[1:], 1); err != nil {
			return nil, err
		}
		v := args[1]
		args = args[2:]
		if kw == "web_config" {
			ma.webConfig = v
			continue
		}
		switch v {
		case "on":
			ma.stats = true
		case "off":
			ma.stats = false
		default:
			return nil, c.Errorf("'stats' takes 'on' or 'off', not '%s'", v)
		}
	}
	return ma, nil
}

// printMetrics writes the exposition once, without the exporter's own
// process and Go series, for node_exporter's textfile collector. A
// failure to gather fails the command, after what was gathered, so that
// `prog metrics > f.tmp && mv f.tmp f` keeps the last good file.
func printMetrics(c *cli.Context) error {
	col := metrics.New(metrics.Options{StatsEnabled: kernel.StatsSysctlOn})
	if err := metrics.WriteText(c.Out, metrics.NewGatherer(col, false)); err != nil {
		return c.Errorf("%s", err)
	}
	if err := col.Err(); err != nil {
		return c.Errorf("%s", err)
	}
	return nil
}

// oneLine joins a message of several lines (YAML's list of errors) into
// one, as an error line must be.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// serveMetrics serves /metrics on ma.addr until SIGINT or SIGTERM. Every
// check that can fail runs before the statistics are turned on, and every
// path out turns them off again.
func serveMetrics(c *cli.Context, ma *metricsArgs) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if ma.webConfig != "" {
		if _, err := userfile.Read(ma.webConfig, userfile.ConfigLimit, nil); err != nil {
			return c.Errorf("can't read web_config %s: %s", ma.webConfig, errno.ErrText(err))
		}
		if err := web.Validate(ma.webConfig); err != nil {
			return c.Errorf("invalid web_config %s: %s", ma.webConfig, oneLine(err.Error()))
		}
	}
	l, err := net.Listen("tcp", ma.addr)
	if err != nil {
		return c.Errorf("can't listen on %s: %s", ma.addr, errno.ErrText(err))
	}
	defer l.Close()
	statsOn := kernel.StatsSysctlOn
	if ma.stats {
		guard, err := profiler.EnableStats()
		if err != nil {
			return c.Errorf("can't enable run statistics: %s", errno.ErrText(err))
		}
		defer guard.Close()
		statsOn = func() bool { return true }
	}
	col := metrics.New(metrics.Options{StatsEnabled: statsOn, KeepLoaded: true})
	defer col.Close()
	srv := metrics.NewServer(metrics.NewGatherer(col, true))
	logger := slog.New(slog.NewTextHandler(c.Err, nil))
	c.Out.Flush()
	served := make(chan error, 1)
	go func() {
		served <- web.Serve(l, srv, &web.FlagConfig{WebConfigFile: &ma.webConfig}, logger)
	}()
	select {
	case err := <-served:
		return c.Errorf("can't serve on %s: %s", l.Addr(), err)
	case <-ctx.Done():
	}
	stop()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	srv.Shutdown(sctx)
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return c.Errorf("can't serve on %s: %s", l.Addr(), err)
	}
	return nil
}
