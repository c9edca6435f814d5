// Package posixtz reads a POSIX TZ string ("JST-9",
// "EST5EDT,M3.2.0,M11.1.0", "<+0330>-3:30") the way glibc's tzset does
// when TZ names no zone file, and gives the UTC offset it implies at an
// instant. Go's time package takes only zone file names from TZ and falls
// back to UTC for anything else; bpftool's strftime honours the string.
//
// It is a transliteration of glibc's time/tzset.c (__tzset_parse_tz,
// parse_tzname, parse_offset, parse_rule, compute_change, __tz_compute),
// quirks included: a string that does not parse is UTC, a rule that does
// not parse leaves standard time all year. One simplification: a DST name
// without rules ("FOO+2BAR"; "EST5EDT" is a zone file) takes the U.S.
// rules M3.2.0,M11.1.0 at 2:00 local time, where glibc moves the changes
// of its posixrules file (America/New_York) to the new offsets: the same
// days since 2007, but not the same hours, and not the same at all
// before 2007 or after 2037.
package posixtz

import "time"

type ruleKind int

const (
	j0 ruleKind = iota // n: zero-based day of the year, 29 Feb counted
	j1                 // Jn: one-based day of the year, 29 Feb never counted
	m                  // Mm.n.d: day d of week n of month m
)

// rule is glibc's tz_rule: a zone's name and offset (seconds east of
// UTC), and the rule for the change into it.
type rule struct {
	name    string
	offset  int64
	kind    ruleKind
	m, n, d int
	secs    int64 // time of day of the change, local
}

// Zone is the pair of rules glibc keeps: standard time, then DST.
type Zone struct {
	rules [2]rule
}

// Parse reads tz (without a leading ':') as __tzset_parse_tz does. It
// never fails: what glibc cannot read comes out as UTC or as standard
// time all year, as it does in glibc.
func Parse(tz string) *Zone {
	z := &Zone{}
	p := &parser{s: tz}
	if !p.tzname(&z.rules[0]) || !p.offset(&z.rules, 0) {
		z.rules = [2]rule{}
		return z
	}
	if p.more() {
		if p.tzname(&z.rules[1]) {
			p.offset(&z.rules, 1)
			if p.rest() == "" || p.rest() == "," {
				// No rule: glibc's default rule file, here the
				// U.S. rules it holds.
				p.s, p.i = "M3.2.0,M11.1.0", 0
			}
		}
		if p.rule(&z.rules[0], 0) {
			p.rule(&z.rules[1], 1)
		}
	} else {
		z.rules[1].name, z.rules[1].offset = z.rules[0].name, z.rules[0].offset
	}
	return z
}

type parser struct {
	s string
	i int
}

func (p *parser) more() bool   { return p.i < len(p.s) }
func (p *parser) rest() string { return p.s[p.i:] }

func (p *parser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// tzname is parse_tzname: three or more letters, or <...> holding three
// or more letters, digits and signs.
func (p *parser) tzname(r *rule) bool {
	j := p.i
	for j < len(p.s) && isAlpha(p.s[j]) {
		j++
	}
	if j-p.i >= 3 {
		r.name, p.i = p.s[p.i:j], j
		return true
	}
	if p.peek() != '<' {
		return false
	}
	start := p.i + 1
	j = start
	for j < len(p.s) && (isAlpha(p.s[j]) || isDigit(p.s[j]) || p.s[j] == '+' || p.s[j] == '-') {
		j++
	}
	if j >= len(p.s) || p.s[j] != '>' || j-start < 3 {
		return false
	}
	r.name, p.i = p.s[start:j], j+1
	return true
}

// uint reads decimal digits as sscanf's %hu does (digits only).
func (p *parser) uint() (int64, bool) {
	j := p.i
	var v int64
	for j < len(p.s) && isDigit(p.s[j]) {
		v = (v*10 + int64(p.s[j]-'0')) & 0xffff
		j++
	}
	if j == p.i {
		return 0, false
	}
	p.i = j
	return v, true
}

// hms reads "%hu%n:%hu%n:%hu%n": hours, then optional :minutes and
// :seconds; ok is false when not even the hours are there.
func (p *parser) hms() (h, m, s int64, ok bool) {
	if h, ok = p.uint(); !ok {
		return
	}
	for _, f := range []*int64{&m, &s} {
		if p.peek() != ':' || p.i+1 >= len(p.s) || !isDigit(p.s[p.i+1]) {
			break
		}
		p.i++
		*f, _ = p.uint()
	}
	return
}

// offset is parse_offset. POSIX offsets are hours west of UTC; the rule
// keeps seconds east.
func (p *parser) offset(rules *[2]rule, which int) bool {
	c := p.peek()
	if which == 0 && (c == 0 || (c != '+' && c != '-' && !isDigit(c))) {
		return false
	}
	sign := int64(-1)
	if c == '+' || c == '-' {
		if c == '-' {
			sign = 1
		}
		p.i++
	}
	h, mm, s, ok := p.hms()
	switch {
	case ok:
		rules[which].offset = sign * (min(s, 59) + min(mm, 59)*60 + min(h, 24)*3600)
	case which == 0:
		rules[0].offset = 0
		return false
	default:
		rules[1].offset = rules[0].offset + 3600
	}
	return true
}

// rule is parse_rule: ",date[/time]".
func (p *parser) rule(r *rule, which int) bool {
	if p.peek() == ',' {
		p.i++
	}
	switch c := p.peek(); {
	case c == 'J' || isDigit(c):
		r.kind = j0
		if c == 'J' {
			r.kind = j1
			p.i++
			if !isDigit(p.peek()) {
				return false
			}
		}
		d, ok := p.uint()
		if !ok || d > 365 || (r.kind == j1 && d == 0) {
			return false
		}
		r.d = int(d)
	case c == 'M':
		p.i++
		var v [3]int64
		for k := range v {
			if k > 0 {
				if p.peek() != '.' {
					return false
				}
				p.i++
			}
			var ok bool
			if v[k], ok = p.uint(); !ok {
				return false
			}
		}
		r.kind, r.m, r.n, r.d = m, int(v[0]), int(v[1]), int(v[2])
		if r.m < 1 || r.m > 12 || r.n < 1 || r.n > 5 || r.d > 6 {
			return false
		}
	case c == 0:
		// The U.S. rules of 2005, glibc's default.
		r.kind, r.m, r.n, r.d = m, 11, 1, 0
		if which == 0 {
			r.m, r.n = 3, 2
		}
	default:
		return false
	}
	switch p.peek() {
	case 0, ',':
		r.secs = 2 * 3600
	case '/':
		p.i++
		if !p.more() {
			return false
		}
		neg := int64(1)
		if p.peek() == '-' {
			neg = -1
			p.i++
		}
		h, mm, s, ok := p.hms()
		if !ok {
			h, mm, s = 2, 0, 0
		}
		r.secs = neg * (h*3600 + mm*60 + s)
	default:
		return false
	}
	return true
}

// monthStart is glibc's __mon_yday: days before each month, then the
// year's length, for common and leap years.
var monthStart = [2][13]int64{
	{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
	{0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366},
}

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// change is compute_change: the instant (Unix seconds) of the change
// into r in year.
func (r *rule) change(year int64) int64 {
	var t int64
	if year > 1970 {
		t = ((year-1970)*365 + ((year-1)/4 - 1970/4) - ((year-1)/100 - 1970/100) + ((year-1)/400 - 1970/400)) * 86400
	}
	leap := 0
	if isLeap(year) {
		leap = 1
	}
	switch r.kind {
	case j1:
		t += int64(r.d-1) * 86400
		if r.d >= 60 && leap == 1 {
			t += 86400
		}
	case j0:
		t += int64(r.d) * 86400
	case m:
		days := monthStart[leap]
		t += days[r.m-1] * 86400
		// Zeller's congruence: the weekday of the month's first day.
		m1 := int64((r.m+9)%12 + 1)
		yy0 := year
		if r.m <= 2 {
			yy0--
		}
		yy1, yy2 := yy0/100, yy0%100
		dow := ((26*m1-2)/10 + 1 + yy2 + yy2/4 + yy1/4 - 2*yy1) % 7
		if dow < 0 {
			dow += 7
		}
		d := int64(r.d) - dow
		if d < 0 {
			d += 7
		}
		for i := 1; i < r.n; i++ {
			if d+7 >= days[r.m]-days[r.m-1] {
				break
			}
			d += 7
		}
		t += d * 86400
	}
	return t - r.offset + r.secs
}

// Offset is __tz_compute: the zone's name and offset (seconds east of
// UTC) at the instant unix, by the rules of that instant's UTC year.
func (z *Zone) Offset(unix int64) (string, int) {
	year := int64(time.Unix(unix, 0).UTC().Year())
	start, end := z.rules[0].change(year), z.rules[1].change(year)
	var dst bool
	if start > end {
		dst = unix < end || unix >= start
	} else {
		dst = unix >= start && unix < end
	}
	r := z.rules[0]
	if dst {
		r = z.rules[1]
	}
	return r.name, int(r.offset)
}

// In is t in the zone, for formatting.
func (z *Zone) In(t time.Time) time.Time {
	name, off := z.Offset(t.Unix())
	return t.In(time.FixedZone(name, off))
}
