package cli

import "strings"

// longOpt is one entry of bpftool's getopt_long table.
type longOpt struct {
	name   string
	hasArg bool
	val    byte
}

// bpftool's option tables, as Debian's build has them (it knows -l/--legacy).
const shortOpts = "VhpjfLmndB:l"

var longOpts = []longOpt{
	{"json", false, 'j'},
	{"help", false, 'h'},
	{"pretty", false, 'p'},
	{"version", false, 'V'},
	{"bpffs", false, 'f'},
	{"mapcompat", false, 'm'},
	{"nomount", false, 'n'},
	{"debug", false, 'd'},
	{"legacy", false, 'l'},
	{"use-loader", false, 'L'},
	{"base-btf", true, 'B'},
}

// getopt reproduces glibc's getopt_long with GNU argument permutation and
// opterr=0, because bpftool's error message quotes argv[optind-1] and users
// see exactly which word glibc blamed (for "-xj" it is the word before).
type getopt struct {
	argv     []string // argv[0] is the program name; permuted in place
	optind   int
	nextchar string
	firstNon int
	lastNon  int
	optarg   string
}

func newGetopt(argv []string) *getopt {
	a := append([]string(nil), argv...)
	return &getopt{argv: a, optind: 1, firstNon: 1, lastNon: 1}
}

// exchange moves the skipped non-options after the options just scanned,
// as glibc does, keeping both groups in their original order.
func (g *getopt) exchange() {
	non := append([]string(nil), g.argv[g.firstNon:g.lastNon]...)
	opts := append([]string(nil), g.argv[g.lastNon:g.optind]...)
	copy(g.argv[g.firstNon:], opts)
	copy(g.argv[g.firstNon+len(opts):], non)
	g.firstNon += g.optind - g.lastNon
	g.lastNon = g.optind
}

func isOption(s string) bool { return len(s) > 1 && s[0] == '-' }

// next returns the next option character, '?' for an error, or -1 at the
// end; after -1, g.argv[g.optind:] holds the operands.
func (g *getopt) next() int {
	g.optarg = ""
	if g.nextchar == "" {
		if g.lastNon > g.optind {
			g.lastNon = g.optind
		}
		if g.firstNon > g.optind {
			g.firstNon = g.optind
		}
		if g.firstNon != g.lastNon && g.lastNon != g.optind {
			g.exchange()
		} else if g.lastNon != g.optind {
			g.firstNon = g.optind
		}
		for g.optind < len(g.argv) && !isOption(g.argv[g.optind]) {
			g.optind++
		}
		g.lastNon = g.optind
		if g.optind != len(g.argv) && g.argv[g.optind] == "--" {
			g.optind++
			if g.firstNon != g.lastNon && g.lastNon != g.optind {
				g.exchange()
			} else if g.firstNon == g.lastNon {
				g.firstNon = g.optind
			}
			g.lastNon = len(g.argv)
			g.optind = len(g.argv)
		}
		if g.optind == len(g.argv) {
			if g.firstNon != g.lastNon {
				g.optind = g.firstNon
			}
			return -1
		}
		arg := g.argv[g.optind]
		if strings.HasPrefix(arg, "--") {
			return g.long(arg[2:])
		}
		g.nextchar = arg[1:]
	}
	c := g.nextchar[0]
	g.nextchar = g.nextchar[1:]
	if g.nextchar == "" {
		g.optind++
	}
	i := strings.IndexByte(shortOpts, c)
	if i < 0 || c == ':' {
		return '?'
	}
	if i+1 < len(shortOpts) && shortOpts[i+1] == ':' {
		if g.nextchar != "" {
			g.optarg = g.nextchar
			g.optind++
		} else if g.optind == len(g.argv) {
			return '?'
		} else {
			g.optarg = g.argv[g.optind]
			g.optind++
		}
		g.nextchar = ""
	}
	return int(c)
}

func (g *getopt) long(body string) int {
	name, val, hasVal := strings.Cut(body, "=")
	g.optind++
	var found *longOpt
	ambiguous := false
	for i := range longOpts {
		o := &longOpts[i]
		if !strings.HasPrefix(o.name, name) {
			continue
		}
		if o.name == name {
			found, ambiguous = o, false
			break
		}
		if found == nil {
			found = o
		} else if found.hasArg != o.hasArg || found.val != o.val {
			ambiguous = true
		}
	}
	if found == nil || ambiguous {
		return '?'
	}
	if hasVal {
		if !found.hasArg {
			return '?'
		}
		g.optarg = val
	} else if found.hasArg {
		if g.optind >= len(g.argv) {
			return '?'
		}
		g.optarg = g.argv[g.optind]
		g.optind++
	}
	return int(found.val)
}

// blamed is the word bpftool quotes in "unrecognized option".
func (g *getopt) blamed() string {
	if g.optind-1 < len(g.argv) && g.optind >= 1 {
		return g.argv[g.optind-1]
	}
	return ""
}
