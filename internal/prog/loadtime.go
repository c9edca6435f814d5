package prog

import (
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gobpftool/gobpftool/internal/posixtz"
	"github.com/gobpftool/gobpftool/internal/userfile"
)

// appendStrftimeISO appends strftime's "%FT%T%z" of t in local time,
// local as glibc reads TZ.
func appendStrftimeISO(b []byte, t time.Time) []byte {
	return localZone(os.Getenv("TZ"))(t).AppendFormat(b, "2006-01-02T15:04:05-0700")
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
