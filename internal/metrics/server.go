package metrics

import (
	"io"
	"net/http"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// NewGatherer returns what a scrape exposes: c's families and, for a
// server, client_golang's process and Go collectors after them. The
// one-shot exposition leaves those out: node_exporter's textfile
// collector refuses families it has itself.
func NewGatherer(c *Collector, runtime bool) prometheus.Gatherer {
	if !runtime {
		return c
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(collectors.NewGoCollector())
	return concat{c, reg}
}

// concat joins gatherers whose family names do not overlap, in order:
// prometheus.Gatherers would check and sort every series again.
type concat []prometheus.Gatherer

func (gs concat) Gather() ([]*dto.MetricFamily, error) {
	var all []*dto.MetricFamily
	var errs prometheus.MultiError
	for _, g := range gs {
		mfs, err := g.Gather()
		all = append(all, mfs...)
		errs.Append(err)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].GetName() < all[j].GetName() })
	return all, errs.MaybeUnwrap()
}

// WriteText writes what g gathers in the text exposition format. On a
// gathering error it writes what was gathered and returns the error.
func WriteText(w io.Writer, g prometheus.Gatherer) error {
	mfs, gatherErr := g.Gather()
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	return gatherErr
}

// Server limits. A scrape of 10,000 programs takes about a tenth of a
// second; the timeouts leave a slow network plenty and an idle or stalled
// client little.
const (
	// MaxScrapes is how many scrapes may gather at once; more get 503.
	MaxScrapes        = 2
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 60 * time.Second
	maxHeaderBytes    = 16 << 10
)

const landingPage = `<html>
<head><title>gobpftool prog metrics</title></head>
<body>
<h1>gobpftool prog metrics</h1>
<p><a href="/metrics">Metrics</a></p>
</body>
</html>
`

// NewServer returns an HTTP server of g's exposition on /metrics and a
// short page linking to it on /; GET and HEAD only (other methods get
// 405), every other path 404, no request body read.
func NewServer(g prometheus.Gatherer) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{
		MaxRequestsInFlight: MaxScrapes,
		ErrorHandling:       promhttp.ContinueOnError,
	}))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, landingPage)
	})
	return &http.Server{
		Handler:           noBody(mux),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}

// noBody refuses a GET or HEAD that carries a body: no route reads one.
// Other methods go on to the mux's 405 or 404.
func noBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		get := r.Method == http.MethodGet || r.Method == http.MethodHead
		if get && (r.ContentLength > 0 || len(r.TransferEncoding) > 0) {
			http.Error(w, "request body not accepted", http.StatusRequestEntityTooLarge)
			return
		}
		h.ServeHTTP(w, r)
	})
}
