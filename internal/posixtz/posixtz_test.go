package posixtz

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestAgainstGlibc compares the offsets with glibc's, through GNU date,
// at instants around every change of several years and at random-ish
// instants between them, for TZ strings of every form. A DST name
// without rules ("FOO+2BAR") is left out: glibc moves the changes of its
// posixrules file (America/New_York) in ways this package does not copy.
func TestAgainstGlibc(t *testing.T) {
	date, err := exec.LookPath("date")
	if err != nil {
		t.Skip("no date(1)")
	}
	var instants []int64
	for y := 1969; y <= 2040; y += 3 {
		base := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		for h := int64(0); h < 366*24; h += 37 {
			instants = append(instants, base+h*3600+h%59)
		}
	}
	// Each second around the U.S. and EU changes of 2026.
	for _, c := range []string{"2026-03-08T06:59:00Z", "2026-11-01T05:59:00Z", "2026-03-29T00:59:00Z", "2026-10-25T00:59:00Z"} {
		at, _ := time.Parse(time.RFC3339, c)
		for s := int64(0); s < 7200; s += 30 {
			instants = append(instants, at.Unix()+s)
		}
	}
	var in strings.Builder
	for _, u := range instants {
		fmt.Fprintf(&in, "@%d\n", u)
	}
	for _, tz := range []string{
		"JST-9", "UTC0", "<+0330>-3:30", "EST5EDT,M3.2.0,M11.1.0",
		"CET-1CEST,M3.5.0,M10.5.0/3", "NZST-12NZDT,M9.5.0,M4.1.0/3",
		"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", "XXX3YYY,J60/1,J300/25",
		"XXX3YYY,59,300", "AAA-5:45:30BBB-6,J1,J365", "FOO+2BAR,M3.2.0", "ABC", "AB-1", "JST-9x", "JST-9,M3.2.0,M11.1.0",
		"ABC+25:99:99", "ABC-1DEF,M13.1.0,M1.1.0", "<A1>2<B2>1,M1.5.6/167,M12.5.6",
	} {
		cmd := exec.Command(date, "-f", "-", "+%z")
		cmd.Env = append(os.Environ(), "TZ="+tz)
		cmd.Stdin = strings.NewReader(in.String())
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("date TZ=%s: %v", tz, err)
		}
		want := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		z := Parse(tz)
		bad := 0
		for i, u := range instants {
			got := z.In(time.Unix(u, 0)).Format("-0700")
			if got != want[i] && bad < 5 {
				bad++
				t.Errorf("TZ=%s at %s: %s, glibc %s", tz, time.Unix(u, 0).UTC().Format(time.RFC3339), got, want[i])
			}
		}
	}
}
