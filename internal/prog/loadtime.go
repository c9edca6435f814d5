package prog

import (
	"time"
)

// strftimeISO is strftime's "%FT%T%z" in local time.
func strftimeISO(t time.Time) string {
	return t.Local().Format("2006-01-02T15:04:05-0700")
}
