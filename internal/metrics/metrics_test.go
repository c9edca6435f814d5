package metrics_test

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/gobpftool/gobpftool/internal/metrics"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// series returns the families c gathers, through client_golang's checks
// of every series against its family.
func series(t *testing.T, c *metrics.Collector) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := prometheus.Gatherers{c}.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

// progSeries returns the series of family name for program id.
func progSeries(mfs map[string]*dto.MetricFamily, name string, id uint32) []*dto.Metric {
	var out []*dto.Metric
	for _, m := range mfs[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "id" && l.GetValue() == fmt.Sprint(id) {
				out = append(out, m)
			}
		}
	}
	return out
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// TestMetricsCollectorSeries: a loaded program has every series with its
// labels, and once unloaded it is gone from the next scrape.
func TestMetricsCollectorSeries(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "run_progs")
	p := coll.Programs["run_xdp"]
	id := testprog.ProgID(t, p)
	c := metrics.New(metrics.Options{StatsEnabled: func() bool { return true }})

	mfs := series(t, c)
	for _, name := range []string{
		"bpf_prog_info", "bpf_prog_runs_total", "bpf_prog_run_seconds_total",
		"bpf_prog_recursion_misses_total", "bpf_prog_verified_insns", "bpf_prog_xlated_bytes",
		"bpf_prog_jited_bytes", "bpf_prog_memlock_bytes", "bpf_prog_load_time_seconds",
	} {
		ms := progSeries(mfs, name, id)
		if len(ms) != 1 {
			t.Fatalf("%s for id %d: %d series", name, id, len(ms))
		}
		if got := label(ms[0], "name"); got != "run_xdp" {
			t.Errorf("%s name = %q", name, got)
		}
		if got := label(ms[0], "type"); got != "xdp" {
			t.Errorf("%s type = %q", name, got)
		}
	}
	info := progSeries(mfs, "bpf_prog_info", id)[0]
	if tag := label(info, "tag"); len(tag) != 16 {
		t.Errorf("tag = %q", tag)
	}
	if uid := label(info, "uid"); uid != "0" {
		t.Errorf("uid = %q", uid)
	}
	holders := progSeries(mfs, "bpf_prog_holder_info", id)
	if len(holders) != 1 || label(holders[0], "comm") == "" || label(holders[0], "pid") == "" {
		t.Errorf("holders of our own program: %v", holders)
	}
	load := progSeries(mfs, "bpf_prog_load_time_seconds", id)[0].GetGauge().GetValue()
	if d := time.Since(time.Unix(int64(load), 0)); d < -2*time.Second || d > 5*time.Minute {
		t.Errorf("load time %v is %v from now", load, d)
	}
	if v := mfs["bpf_stats_enabled"].GetMetric()[0].GetGauge().GetValue(); v != 1 {
		t.Errorf("bpf_stats_enabled = %v", v)
	}
	if v := mfs["bpf_scrape_error"].GetMetric()[0].GetGauge().GetValue(); v != 0 {
		t.Errorf("bpf_scrape_error = %v (%v)", v, c.Err())
	}
	var xdp float64
	for _, m := range mfs["bpf_progs"].GetMetric() {
		if label(m, "type") == "xdp" {
			xdp = m.GetGauge().GetValue()
		}
	}
	if xdp < 1 {
		t.Errorf("bpf_progs{type=\"xdp\"} = %v", xdp)
	}

	coll.Close()
	mfs = series(t, c)
	for name := range mfs {
		if ms := progSeries(mfs, name, id); len(ms) != 0 {
			t.Errorf("%s still has unloaded program %d", name, id)
		}
	}
}

// slowGatherer blocks every Gather until release is closed.
type slowGatherer struct {
	started chan struct{}
	release chan struct{}
}

func (g *slowGatherer) Gather() ([]*dto.MetricFamily, error) {
	g.started <- struct{}{}
	<-g.release
	return nil, nil
}

// TestMetricsServerRoutes: GET and HEAD of /metrics and /, 405 for other
// methods, 404 elsewhere, no debug handlers.
func TestMetricsServerRoutes(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGauge(prometheus.GaugeOpts{Name: "x", Help: "x"}))
	ts := httptest.NewServer(metrics.NewServer(reg).Handler)
	defer ts.Close()
	cases := []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/metrics", 200, "# HELP x x"},
		{"HEAD", "/metrics", 200, ""},
		{"GET", "/", 200, `href="/metrics"`},
		{"HEAD", "/", 200, ""},
		{"POST", "/metrics", 405, ""},
		{"PUT", "/", 405, ""},
		{"DELETE", "/metrics", 405, ""},
		{"GET", "/debug/pprof/", 404, ""},
		{"GET", "/metrics/x", 404, ""},
		{"GET", "/index.html", 404, ""},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, ts.URL+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.code || !strings.Contains(string(b), c.body) {
			t.Errorf("%s %s: %d %q, want %d with %q", c.method, c.path, resp.StatusCode, b, c.code, c.body)
		}
	}
	req, _ := http.NewRequest("GET", ts.URL+"/metrics", strings.NewReader("body"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("GET with a body: %d", resp.StatusCode)
	}
}

// TestMetricsServerConcurrency: scrapes past MaxScrapes get 503 at once
// instead of queueing more collections.
func TestMetricsServerConcurrency(t *testing.T) {
	g := &slowGatherer{started: make(chan struct{}), release: make(chan struct{})}
	ts := httptest.NewServer(metrics.NewServer(g).Handler)
	defer ts.Close()
	var wg sync.WaitGroup
	codes := make(chan int, metrics.MaxScrapes)
	for i := 0; i < metrics.MaxScrapes; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(ts.URL + "/metrics")
			if err != nil {
				codes <- -1
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
		<-g.started
	}
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("scrape past the cap: %d, want 503", resp.StatusCode)
	}
	close(g.release)
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Errorf("scrape within the cap: %d", c)
		}
	}
}

// TestMetricsServerGzip: the exposition is gzipped for a scraper that
// accepts gzip, as Prometheus does, and plain for one that does not;
// both say the same.
func TestMetricsServerGzip(t *testing.T) {
	reg := prometheus.NewRegistry()
	for i := 0; i < 2000; i++ { // past the write buffer
		reg.MustRegister(prometheus.NewGauge(prometheus.GaugeOpts{Name: fmt.Sprintf("x%d", i), Help: "x"}))
	}
	ts := httptest.NewServer(metrics.NewServer(reg).Handler)
	defer ts.Close()
	// The transport would ask for gzip and undo it itself.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(acceptEncoding string) (string, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+"/metrics", nil)
		if acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", acceptEncoding)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatalf("Accept-Encoding %q: %v", acceptEncoding, err)
			}
			body = zr
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("Accept-Encoding %q: %v", acceptEncoding, err)
		}
		return resp.Header.Get("Content-Encoding"), string(b)
	}
	_, plain := get("")
	if !strings.Contains(plain, "# HELP x1999 x") {
		t.Fatalf("plain exposition lacks its last family: %d bytes", len(plain))
	}
	for _, c := range []struct{ accept, encoding string }{
		{"", ""},
		{"gzip", "gzip"},
		{"deflate, gzip;q=0.5", "gzip"},
		{"GZIP", "gzip"},
		{"*", "gzip"},
		{"gzip;q=0", ""},
		{"gzip;q=0, *", ""},
		{"identity", ""},
		{"br, zstd", ""},
	} {
		enc, body := get(c.accept)
		if enc != c.encoding || body != plain {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q (want %q), body equal to plain: %v", c.accept, enc, c.encoding, body == plain)
		}
	}
}
