package prog

import (
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gobpftool/gobpftool/internal/posixtz"
	"github.com/gobpftool/gobpftool/internal/userfile"

	"golang.org/x/sys/unix"
)

// bootClock turns a load time (ns since boot) into wall-clock seconds the
// way bpftool's print_boot_time does, from one reading of both clocks.
type bootClock struct {
	real, boot unix.Timespec
}

func newBootClock() *bootClock {
	var b bootClock
	unix.ClockGettime(unix.CLOCK_REALTIME, &b.real)
	unix.ClockGettime(unix.CLOCK_BOOTTIME, &b.boot)
	return &b
}

func (b *bootClock) wallclock(loadNs uint64) time.Time {
	// C evaluates the nanosecond sum in unsigned 64-bit arithmetic.
	ns := uint64(b.real.Nsec-b.boot.Nsec) + loadNs
	secs := (b.real.Sec - b.boot.Sec) + int64(ns/1e9)
	return time.Unix(secs, 0)
}

// strftimeISO is strftime's "%FT%T%z" in local time, local as glibc
// reads TZ.
func strftimeISO(t time.Time) string {
	return localZone(os.Getenv("TZ"))(t).Format("2006-01-02T15:04:05-0700")
}

var zoneCache struct {
	sync.Mutex
	tz string
	in func(time.Time) time.Time
}

// localZone is glibc's tzset for the value of TZ: unset is
// /etc/localtime, empty is UTC, ":" is dropped, a zone file's name (or
// absolute path) is that file, and anything else is a POSIX TZ string,
// which Go's time package would take for UTC. The answer is kept while TZ
// stays the same.
func localZone(tz string) func(time.Time) time.Time {
	zoneCache.Lock()
	defer zoneCache.Unlock()
	if zoneCache.in == nil || zoneCache.tz != tz {
		zoneCache.tz, zoneCache.in = tz, zoneFor(tz)
	}
	return zoneCache.in
}

func zoneFor(tz string) func(time.Time) time.Time {
	if _, set := os.LookupEnv("TZ"); !set {
		return time.Time.Local
	}
	name := strings.TrimPrefix(tz, ":")
	if name == "" {
		return time.Time.UTC
	}
	if strings.HasPrefix(name, "/") {
		// Zone files are a few KiB; the limit keeps a TZ of
		// /dev/zero from reading forever.
		if b, err := userfile.Read(name, 1<<20, nil); err == nil {
			if loc, err := time.LoadLocationFromTZData(name, b); err == nil {
				return func(t time.Time) time.Time { return t.In(loc) }
			}
		}
	} else if name == "Local" {
		// time.LoadLocation's own word for time.Local, not a zone file.
	} else if loc, err := time.LoadLocation(name); err == nil {
		return func(t time.Time) time.Time { return t.In(loc) }
	}
	return posixtz.Parse(name).In
}
