package prog_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/crypto/bcrypt"

	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// exporter is a `gobpftool prog metrics listen` process of a test.
type exporter struct {
	cmd    *exec.Cmd
	addr   string // host:port it listens on
	stderr *syncBuffer
}

var listeningOn = regexp.MustCompile(`msg="Listening on" address=(\S+)`)

// startExporter runs gobpftool prog metrics listen ADDR extra... and waits
// until it says where it listens. It is stopped with SIGTERM when the
// test ends, and must exit 0 with the sysctl as it was.
func startExporter(t *testing.T, addr string, extra ...string) *exporter {
	t.Helper()
	before := statsSysctl(t)
	e := &exporter{stderr: &syncBuffer{}}
	e.cmd = exec.Command(testprog.Binary(t), append([]string{"prog", "metrics", "listen", addr}, extra...)...)
	e.cmd.Stderr = e.stderr
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.cmd.Wait() }()
	t.Cleanup(func() {
		e.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("exporter ended with %v; stderr:\n%s", err, e.stderr)
			}
		case <-time.After(10 * time.Second):
			e.cmd.Process.Kill()
			<-done
			t.Errorf("exporter ignored SIGTERM")
		}
		if after := statsSysctl(t); after != before {
			t.Errorf("bpf_stats_enabled %q after the exporter, %q before", after, before)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := listeningOn.FindStringSubmatch(e.stderr.String()); m != nil {
			e.addr = m[1]
			return e
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("exporter ended: %v\n%s", err, e.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("exporter did not listen within 10 s:\n%s", e.stderr)
	return nil
}

// scrape GETs url and returns the body, failing on anything but 200.
func scrape(t *testing.T, client *http.Client, url string) string {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, b)
	}
	return string(b)
}

// sample is the value of the series of family name for program id in an
// exposition, or -1 when there is none.
func sample(t *testing.T, text, name string, id uint32) float64 {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + name + `\{id="` + fmt.Sprint(id) + `",[^}]*\} (\S+)$`)
	m := re.FindStringSubmatch(text)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// promtoolCheck runs `promtool check metrics` on an exposition and
// requires it to pass with nothing to say.
func promtoolCheck(t *testing.T, text string) {
	t.Helper()
	promtool := testprog.NeedTool(t, "promtool")
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) != 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// runXDP test-runs the program n times.
func runXDP(t *testing.T, p *ebpf.Program, n int) {
	t.Helper()
	pkt := make([]byte, 64)
	for i := 0; i < n; i++ {
		if _, err := p.Run(&ebpf.RunOptions{Data: pkt}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMetricsOneShot: the one-shot exposition has the program's series
// and passes promtool's lint.
func TestMetricsOneShot(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "run_progs")
	id := testprog.ProgID(t, coll.Programs["run_xdp"])
	before := statsSysctl(t)
	r := ours("prog", "metrics")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("code %d stderr %q", r.code, r.stderr)
	}
	if !regexp.MustCompile(`(?m)^bpf_prog_info\{btf_id="\d+",id="` + fmt.Sprint(id) + `",name="run_xdp",tag="[0-9a-f]{16}",type="xdp",uid="0"\} 1$`).MatchString(r.stdout) {
		t.Errorf("no bpf_prog_info for %d in:\n%s", id, r.stdout)
	}
	if v := sample(t, r.stdout, "bpf_prog_xlated_bytes", id); v <= 0 {
		t.Errorf("bpf_prog_xlated_bytes = %v", v)
	}
	if strings.Contains(r.stdout, "go_goroutines") || strings.Contains(r.stdout, "process_") {
		t.Errorf("one-shot output has the exporter's own runtime series")
	}
	promtoolCheck(t, r.stdout)
	if after := statsSysctl(t); after != before {
		t.Errorf("sysctl %q, was %q", after, before)
	}
}

// TestMetricsServe: served series count the test's runs exactly, the
// routes answer as they should, and SIGTERM ends the server cleanly.
func TestMetricsServe(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "run_progs")
	p := coll.Programs["run_xdp"]
	id := testprog.ProgID(t, p)
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		t.Run(addr, func(t *testing.T) {
			e := startExporter(t, addr)
			base := "http://" + e.addr
			text := scrape(t, http.DefaultClient, base+"/metrics")
			promtoolCheck(t, text)
			if !strings.Contains(text, "\nbpf_stats_enabled 1\n") {
				t.Errorf("stats on, but not bpf_stats_enabled 1")
			}
			if !strings.Contains(text, "\ngo_goroutines ") || !strings.Contains(text, "\nprocess_resident_memory_bytes ") {
				t.Errorf("no Go or process series")
			}
			runs0 := sample(t, text, "bpf_prog_runs_total", id)
			secs0 := sample(t, text, "bpf_prog_run_seconds_total", id)
			const n = 37
			runXDP(t, p, n)
			text = scrape(t, http.DefaultClient, base+"/metrics")
			if runs := sample(t, text, "bpf_prog_runs_total", id); runs-runs0 != n {
				t.Errorf("bpf_prog_runs_total went from %v to %v over %d runs", runs0, runs, n)
			}
			if secs := sample(t, text, "bpf_prog_run_seconds_total", id); secs <= secs0 {
				t.Errorf("bpf_prog_run_seconds_total went from %v to %v over %d runs", secs0, secs, n)
			}
			for _, c := range []struct {
				method, path string
				code         int
			}{
				{"HEAD", "/metrics", 200}, {"GET", "/", 200}, {"POST", "/metrics", 405},
				{"GET", "/debug/pprof/", 404}, {"GET", "/favicon.ico", 404},
			} {
				req, _ := http.NewRequest(c.method, base+c.path, nil)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != c.code {
					t.Errorf("%s %s: %d, want %d", c.method, c.path, resp.StatusCode, c.code)
				}
			}
		})
	}
	t.Run("stats off", func(t *testing.T) {
		e := startExporter(t, "127.0.0.1:0", "stats", "off")
		text := scrape(t, http.DefaultClient, "http://"+e.addr+"/metrics")
		want := "0"
		if strings.TrimSpace(statsSysctl(t)) != "0" {
			want = "1"
		}
		if !strings.Contains(text, "\nbpf_stats_enabled "+want+"\n") {
			t.Errorf("stats off with the sysctl at %q: no bpf_stats_enabled %s", statsSysctl(t), want)
		}
	})
}

// freePort returns a loopback port nothing listens on at the moment.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// stopProcess ends a server the test started: SIGTERM, then SIGKILL.
func stopProcess(t *testing.T, cmd *exec.Cmd) {
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
}

// TestMetricsPrometheus: a real Prometheus server scrapes the exporter
// every second and answers a PromQL join of runs to info on id.
func TestMetricsPrometheus(t *testing.T) {
	testprog.Privileged(t)
	prom := testprog.NeedTool(t, "prometheus")
	coll := testprog.Load(t, "run_progs")
	p := coll.Programs["run_xdp"]
	id := testprog.ProgID(t, p)
	e := startExporter(t, "127.0.0.1:0")
	const n = 23
	runXDP(t, p, n)

	dir := t.TempDir()
	config := fmt.Sprintf("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"+
		"scrape_configs:\n  - job_name: bpf\n    static_configs:\n      - targets: ['%s']\n", e.addr)
	cfgPath := filepath.Join(dir, "prometheus.yml")
	os.WriteFile(cfgPath, []byte(config), 0o644)
	promAddr := freePort(t)
	var log syncBuffer
	cmd := exec.Command(prom, "--config.file="+cfgPath, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+promAddr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopProcess(t, cmd)

	query := fmt.Sprintf(`bpf_prog_runs_total{id="%d"} * on (id) group_left (tag) bpf_prog_info`, id)
	u := "http://" + promAddr + "/api/v1/query?query=" + url.QueryEscape(query)
	deadline := time.Now().Add(60 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		resp, err := http.Get(u)
		if err != nil {
			last = err.Error()
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		last = string(b)
		var r struct {
			Status string
			Data   struct {
				Result []struct {
					Metric map[string]string
					Value  [2]any
				}
			}
		}
		if json.Unmarshal(b, &r) != nil || r.Status != "success" || len(r.Data.Result) != 1 {
			continue
		}
		res := r.Data.Result[0]
		if res.Metric["name"] != "run_xdp" || res.Metric["tag"] == "" || res.Metric["id"] != fmt.Sprint(id) {
			t.Fatalf("join has labels %v", res.Metric)
		}
		if res.Value[1] == fmt.Sprint(n) {
			return
		}
		last = fmt.Sprintf("value %v, want %d", res.Value[1], n)
	}
	t.Fatalf("Prometheus did not answer %s with %d within 60 s; last: %s\nlog:\n%s", query, n, last, log.String())
}

// TestMetricsNodeExporter: node_exporter's textfile collector serves the
// one-shot exposition without complaint.
func TestMetricsNodeExporter(t *testing.T) {
	testprog.Privileged(t)
	ne := testprog.NeedTool(t, "prometheus-node-exporter")
	coll := testprog.Load(t, "run_progs")
	id := testprog.ProgID(t, coll.Programs["run_xdp"])
	dir := t.TempDir()
	r := ours("prog", "metrics")
	if r.code != 0 {
		t.Fatalf("prog metrics: %d %s", r.code, r.stderr)
	}
	os.WriteFile(filepath.Join(dir, "bpf.prom"), []byte(r.stdout), 0o644)
	addr := freePort(t)
	var log syncBuffer
	cmd := exec.Command(ne, "--collector.disable-defaults", "--collector.textfile",
		"--collector.textfile.directory="+dir, "--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopProcess(t, cmd)
	var text string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			text = string(b)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if text == "" {
		t.Fatalf("node_exporter did not answer:\n%s", log.String())
	}
	if !strings.Contains(text, "\nnode_textfile_scrape_error 0\n") {
		t.Errorf("textfile collector failed:\n%s", log.String())
	}
	info := regexp.MustCompile(`(?m)^bpf_prog_info\{[^}]*id="` + fmt.Sprint(id) + `",name="run_xdp",[^}]*\} 1$`)
	if !info.MatchString(text) {
		t.Errorf("node_exporter does not serve bpf_prog_info of %d", id)
	}
}

// writeWebConfig writes a self-signed certificate, its key and a web
// configuration with TLS and one basic-auth user; it returns the
// configuration's path and a pool trusting the certificate.
func writeWebConfig(t *testing.T, user, password string) (string, *x509.CertPool) {
	t.Helper()
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "gobpftool test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  %s: %s\n", user, hash)
	path := filepath.Join(dir, "web.yml")
	os.WriteFile(path, []byte(cfg), 0o644)
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return path, pool
}

// TestMetricsWebConfig: with exporter-toolkit's web configuration, TLS
// and basic auth guard /metrics.
func TestMetricsWebConfig(t *testing.T) {
	testprog.Privileged(t)
	cfg, pool := writeWebConfig(t, "scraper", "s3cret")
	e := startExporter(t, "127.0.0.1:0", "web_config", cfg)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	base := "https://" + e.addr + "/metrics"
	get := func(user, password string) int {
		req, _ := http.NewRequest("GET", base, nil)
		if user != "" {
			req.SetBasicAuth(user, password)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := get("", ""); c != 401 {
		t.Errorf("no credentials: %d, want 401", c)
	}
	if c := get("scraper", "wrong"); c != 401 {
		t.Errorf("wrong password: %d, want 401", c)
	}
	if c := get("scraper", "s3cret"); c != 200 {
		t.Errorf("good credentials: %d, want 200", c)
	}
	if resp, err := http.Get("http://" + e.addr + "/metrics"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Errorf("plain HTTP served metrics on a TLS port")
		}
	}
}

// TestMetricsBadInput: each bad input fails with a clear message and
// status 255, before anything is bound or switched on.
func TestMetricsBadInput(t *testing.T) {
	testprog.Privileged(t)
	dir := t.TempDir()
	badYAML := filepath.Join(dir, "bad.yml")
	os.WriteFile(badYAML, []byte("tls_server_config: [\n"), 0o644)
	unknownKey := filepath.Join(dir, "unknown.yml")
	os.WriteFile(unknownKey, []byte("no_such_setting: 1\n"), 0o644)
	badHash := filepath.Join(dir, "hash.yml")
	os.WriteFile(badHash, []byte("basic_auth_users:\n  a: notabcrypthash\n"), 0o644)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	free := freePort(t)

	cases := []struct {
		args   []string
		stderr string // regexp for the whole of stderr
	}{
		{[]string{"bogus"}, `Error: what is 'bogus'\?`},
		{[]string{"listen"}, `Error: 'listen' needs at least 1 arguments, 0 found`},
		{[]string{"listen", free, "stats"}, `Error: 'stats' needs at least 1 arguments, 0 found`},
		{[]string{"listen", free, "stats", "maybe"}, `Error: 'stats' takes 'on' or 'off', not 'maybe'`},
		{[]string{"listen", free, "stats", "on", "stats", "off"}, `Error: 'stats' given twice`},
		{[]string{"listen", free, "color", "red"}, `Error: what is 'color'\?`},
		{[]string{"listen", "nonsense"}, `Error: can't listen on nonsense: listen tcp: address nonsense: missing port in address`},
		{[]string{"listen", "127.0.0.1:99999"}, `Error: can't listen on 127.0.0.1:99999: .*invalid port`},
		{[]string{"listen", busy.Addr().String()}, `Error: can't listen on ` + regexp.QuoteMeta(busy.Addr().String()) + `: Address already in use`},
		{[]string{"listen", free, "web_config", filepath.Join(dir, "missing.yml")}, `Error: can't read web_config .*/missing.yml: No such file or directory`},
		{[]string{"listen", free, "web_config", dir}, `Error: can't read web_config .*: Is a directory`},
		{[]string{"listen", free, "web_config", "/dev/zero"}, `Error: can't read web_config /dev/zero: File too large`},
		{[]string{"listen", free, "web_config", badYAML}, `Error: invalid web_config .*/bad.yml: yaml: .*`},
		{[]string{"listen", free, "web_config", unknownKey}, `Error: invalid web_config .*/unknown.yml: .*no_such_setting.*`},
		{[]string{"listen", free, "web_config", badHash}, `Error: invalid web_config .*/hash.yml: .*`},
	}
	before := statsSysctl(t)
	ours("prog", "metrics", "bogus") // warm up: lazily opened runtime fds
	fds := testprog.OpenFDs(t)
	for _, c := range cases {
		args := append([]string{"prog", "metrics"}, c.args...)
		r := ours(args...)
		if r.code != 255 || r.stdout != "" || !regexp.MustCompile(`^`+c.stderr+`\n$`).MatchString(r.stderr) {
			t.Errorf("%q: code %d stdout %q stderr %q, want 255 and %s", c.args, r.code, r.stdout, r.stderr, c.stderr)
		}
		if leaked := fds.Leaked(t); len(leaked) > 0 {
			t.Errorf("%q: leaked %v", c.args, leaked)
		}
		if after := statsSysctl(t); after != before {
			t.Errorf("%q: sysctl %q after, %q before", c.args, after, before)
		}
	}
	// Nothing still bound to the address the failed commands were given.
	l, err := net.Listen("tcp", free)
	if err != nil {
		t.Errorf("%s still bound: %v", free, err)
	} else {
		l.Close()
	}
}

// TestMetricsUnprivileged: without CAP_BPF and CAP_PERFMON the command
// says what it needs.
func TestMetricsUnprivileged(t *testing.T) {
	testprog.Privileged(t)
	for _, args := range [][]string{{"prog", "metrics"}, {"prog", "metrics", "listen", "127.0.0.1:0"}} {
		cmd := exec.Command(testprog.Binary(t), args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		r := runCmd(t, cmd)
		want := "Error: prog metrics needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN: run it as root or grant it those capabilities\n"
		if r.code != 255 || r.stderr != want || r.stdout != "" {
			t.Errorf("%q as nobody: code %d stdout %q stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}

// TestMetricsRules: the recording and alert rules in docs/ pass promtool,
// and its unit tests of them pass.
func TestMetricsRules(t *testing.T) {
	promtool := testprog.NeedTool(t, "promtool")
	for _, args := range [][]string{
		{"check", "rules", "../../docs/prometheus/bpf-rules.yml"},
		{"test", "rules", "../../docs/prometheus/bpf-rules_test.yml"},
	} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestMetricsKeepsIterators: a server loads its two iterator programs
// once, not at every scrape (each load would be verified again and
// audited), and leaves them out of its exposition.
func TestMetricsKeepsIterators(t *testing.T) {
	testprog.Privileged(t)
	e := startExporter(t, "127.0.0.1:0")
	url := "http://" + e.addr + "/metrics"
	held := func() []uint32 {
		var ids []uint32
		for id, hs := range kernel.FindHolders(kernel.FDProg, nil) {
			for _, h := range hs {
				if h.PID == e.cmd.Process.Pid {
					ids = append(ids, id)
				}
			}
		}
		slices.Sort(ids)
		return ids
	}
	text := scrape(t, http.DefaultClient, url)
	first := held()
	if len(first) != 2 {
		t.Fatalf("after a scrape the exporter holds programs %v, want its two iterators", first)
	}
	for range 3 {
		text = scrape(t, http.DefaultClient, url)
	}
	if now := held(); !slices.Equal(now, first) {
		t.Errorf("programs held by the exporter went from %v to %v over 3 scrapes", first, now)
	}
	for _, id := range first {
		if strings.Contains(text, fmt.Sprintf(`id="%d"`, id)) {
			t.Errorf("the exposition shows the exporter's own iterator %d", id)
		}
	}
}
