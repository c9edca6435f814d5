package testprog

import (
	"regexp"
	"strings"
)

// OracleHelp rewrites Debian bpftool's help and usage text into what
// gobpftool's must read, for the tests that compare the two: the top-level
// object list names only prog; the METRIC list goes on with the metrics we
// add (run statistics and software counters work where bpftool's hardware
// counters cannot); `prog top` and `prog metrics` come after bpftool's
// last usage line, whatever the object keyword typed ("p", "prog").
func OracleHelp(s string) string {
	s = objectLine.ReplaceAllString(s, "OBJECT := { prog }")
	s = strings.ReplaceAll(s, "| dtlb_misses }\n",
		"| dtlb_misses |\n                   run_cnt | run_time_ns | cpu_clock | page_faults }\n")
	return progHelpLine.ReplaceAllString(s,
		"$0${1}top [PROG] [interval SECONDS] [count N]\n${1}metrics [listen ADDR [stats { on | off }] [web_config FILE]]\n")
}

var (
	objectLine   = regexp.MustCompile(`OBJECT := \{[^}]*\}`)
	progHelpLine = regexp.MustCompile(`(?m)^(       \S+ \S+ )help\n`)
)
