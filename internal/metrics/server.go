package metrics

import (
	"bufio"
	"compress/gzip"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
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
	mux.Handle("GET /metrics", buffered(promhttp.HandlerFor(g, promhttp.HandlerOpts{
		MaxRequestsInFlight: MaxScrapes,
		ErrorHandling:       promhttp.ContinueOnError,
		DisableCompression:  true, // buffered compresses
	})))
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

// writeBuffer is how much of the exposition a scrape writes at a time.
// net/http writes a response in 2 KiB chunks: 4,000 write(2) calls for
// the 8 MB of 10,000 programs, a sixth of a scrape's time.
const writeBuffer = 64 << 10

var (
	writers  = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, writeBuffer) }}
	gzippers = sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
		return w
	}}
)

// bufferedWriter sends a response's body on through w.
type bufferedWriter struct {
	http.ResponseWriter
	w io.Writer
}

func (b bufferedWriter) Write(p []byte) (int, error) { return b.w.Write(p) }

// buffered gives h a response writer that buffers writeBuffer bytes and
// sends what is left when h returns; it gzips the body when the scraper
// accepts gzip, as Prometheus does. promhttp would compress at gzip's
// default level, which takes 34 ms for 10,000 programs where the fastest
// level takes 16 ms for a body 5% larger; its own compression is off.
func buffered(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bw := writers.Get().(*bufio.Writer)
		bw.Reset(w)
		defer func() {
			bw.Flush()
			bw.Reset(nil)
			writers.Put(bw)
		}()
		w.Header().Add("Vary", "Accept-Encoding")
		if !acceptsGzip(r.Header.Values("Accept-Encoding")) {
			h.ServeHTTP(bufferedWriter{w, bw}, r)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzippers.Get().(*gzip.Writer)
		gz.Reset(bw)
		defer func() {
			gz.Close()
			gz.Reset(nil)
			gzippers.Put(gz)
		}()
		h.ServeHTTP(bufferedWriter{w, gz}, r)
	})
}

// acceptsGzip reads Accept-Encoding headers (RFC 9110, 12.5.3): gzip
// with a quality above 0, or, when gzip is not named, * with one.
func acceptsGzip(headers []string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, h := range headers {
		for _, item := range strings.Split(h, ",") {
			coding, params, _ := strings.Cut(item, ";")
			coding = strings.TrimSpace(coding)
			q := 1.0
			for _, p := range strings.Split(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(k, "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
						q = f
					}
				}
			}
			switch {
			case strings.EqualFold(coding, "gzip"):
				gzipQ = q
			case coding == "*":
				starQ = q
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
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
