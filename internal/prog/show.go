package prog

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cilium/ebpf/btf"
	"github.com/gobpftool/gobpftool/internal/btfdump"
	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/compat"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/jsonw"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

// show is `prog show|list [PROG]`.
//
// It first collects what it prints of every program while /proc (pids) and
// bpffs (-f) are scanned on another goroutine, then renders in order: the
// scans cost as much as the listing, and only the rendering needs them.
func show(c *cli.Context, args []string) error {
	if len(args) != 0 && len(args) != 2 {
		return cli.BadArg(c, args[0])
	}
	s := &shower{c: c, btf: newBTFCache(), maps: map[uint32]*mapMeta{}, scanned: make(chan struct{}), clock: newBootClock()}
	// Taken before this command opens any program: the fds it opens
	// itself must not make it a holder of what it shows.
	s.own = kernel.SnapshotOwnFDs()
	if len(args) == 2 {
		s.startScan(nil)
		return s.subset(args)
	}
	// Whether the iterator is worth it is known after the id walk; its
	// BTF reading starts now, so that it is ready by then.
	s.prep = kernel.PrepareIterator()
	defer s.prep.Wait()
	views, fail := s.all()
	<-s.scanned
	if c.JSON {
		c.JW.StartArray()
	}
	err := s.render(views)
	if err == nil && fail != "" {
		err = c.Errorf("%s", fail)
	}
	if c.JSON {
		c.JW.EndArray()
	}
	return err
}

// iterateFrom is the number of programs from which a listing finds their
// holders with the BPF iterator (a fixed few milliseconds) rather than
// /proc (cheap on a quiet system, a readlink and an fdinfo read per
// program fd on a busy one).
const iterateFrom = 64

// startScan looks for pins (-f) and holders on another goroutine, with
// the pid iterator when prep is set.
func (s *shower) startScan(prep *kernel.IterPrep) {
	go func() {
		if s.c.ShowPinned {
			s.pinned = kernel.PinnedObjects(kernel.FDProg)
		}
		s.holders, s.iterID = kernel.FindProgHolders(prep, s.own)
		close(s.scanned)
	}()
}

type shower struct {
	c       *cli.Context
	btf     *btfCache
	mapsMu  sync.Mutex
	maps    map[uint32]*mapMeta
	own     kernel.OwnFDs
	prep    *kernel.IterPrep
	scanned chan struct{} // closed when pinned and holders are filled
	pinned  map[uint32][]string
	holders kernel.Holders
	iterID  uint32 // our own pid iterator, which no listing shows
	clock   *bootClock
}

func (s *shower) subset(args []string) error {
	fds, _, err := parseProgs(s.c, args)
	<-s.scanned
	if err != nil {
		return err
	}
	if len(fds) == 0 {
		return cli.ErrFailed
	}
	var views []*progView
	fail := ""
	for i, fd := range fds {
		v, msg := s.collect(fd)
		if msg != "" {
			fail = msg
			closeAll(fds[i:])
			break
		}
		views = append(views, v)
		kernel.Close(fd)
	}
	if s.c.JSON && len(fds) > 1 {
		s.c.JW.StartArray()
	}
	err = s.render(views)
	if err == nil && fail != "" {
		err = s.c.Errorf("%s", fail)
	}
	if s.c.JSON && len(fds) > 1 {
		s.c.JW.EndArray()
	}
	return err
}

// all collects every loaded program, up to the first failure, whose
// message it returns for printing after the programs before it. The ids
// are walked first, then read by two workers: the listing is a few
// syscalls per program, and on a 2-core machine the kernel's share of it
// halves when two threads make them.
func (s *shower) all() ([]*progView, string) {
	var ids []uint32
	walkErr := ""
	var id uint32
	for {
		nid, err := kernel.ProgGetNextID(id)
		if err != nil {
			if err != syscall.ENOENT {
				suffix := ""
				if err == syscall.EINVAL {
					suffix = " -- kernel too old?"
				}
				walkErr = fmt.Sprintf("can't get next program: %s%s", errno.ErrText(err), suffix)
			}
			break
		}
		id = nid
		ids = append(ids, id)
	}
	if len(ids) >= iterateFrom {
		s.startScan(s.prep)
	} else {
		s.startScan(nil)
	}
	type item struct {
		v    *progView
		msg  string
		gone bool
	}
	items := make([]item, len(ids))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < showWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ids) {
					return
				}
				fd, err := kernel.ProgFDByID(ids[i])
				if err != nil {
					if err == syscall.ENOENT {
						items[i].gone = true
					} else {
						items[i].msg = fmt.Sprintf("can't get prog by id (%d): %s", ids[i], errno.ErrText(err))
					}
					continue
				}
				items[i].v, items[i].msg = s.collect(fd)
				kernel.Close(fd)
			}
		}()
	}
	wg.Wait()
	var views []*progView
	for _, it := range items {
		switch {
		case it.gone:
		case it.msg != "":
			return views, it.msg
		default:
			views = append(views, it.v)
		}
	}
	return views, walkErr
}

// showWorkers is how many goroutines read program facts in a listing.
const showWorkers = 2

func (s *shower) render(views []*progView) error {
	for _, v := range views {
		if s.iterID != 0 && v.info.ID == s.iterID {
			continue
		}
		v.pinTable = len(s.pinned) > 0
		v.pinned = s.pinned[v.info.ID]
		v.holders = s.holders[v.info.ID]
		var err error
		if s.c.JSON {
			err = renderShowJSON(s.c, v)
		} else {
			err = renderShowPlain(s.c, v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// progView is everything `prog show` prints of one program; the plain and
// JSON renderers both read it, so they cannot disagree.
type progView struct {
	info     *kernel.ProgInfo
	typeName string // "" when the oracle has no name for the type
	name     string
	loadedAt time.Time
	memlock  string
	hasMem   bool
	dev      *devView
	pinned   []string
	pinTable bool // -f found pins somewhere: print "pinned" on every program
	holders  []kernel.Holder
	metadata []metaVar
	metaBTF  *btf.Spec
}

type devView struct {
	ifindex      uint32
	nsDev, nsIno uint64
	ifname       string
}

type metaVar struct {
	name string
	typ  btf.Type
	data []byte
}

// collect reads everything shown of the program behind fd except what
// the scans provide; a failure is returned as bpftool's message.
func (s *shower) collect(fd int) (*progView, string) {
	pi, err := kernel.GetProgInfo(fd)
	if err != nil {
		return nil, "can't get prog info: " + errno.ErrText(err)
	}
	v := newHeaderView(pi, fd, s.btf)
	if pi.LoadTime != 0 {
		v.loadedAt = s.clock.wallclock(pi.LoadTime)
	}
	v.memlock, v.hasMem = kernel.FDInfo(fd, "memlock")
	if len(pi.MapIDs) > 0 {
		v.metaBTF, v.metadata = s.findMetadata(pi.MapIDs)
	}
	return v, ""
}

// newHeaderView fills what a program's header line shows.
func newHeaderView(pi *kernel.ProgInfo, fd int, cache *btfCache) *progView {
	v := &progView{info: pi}
	v.typeName, _ = kernel.ProgTypeName(pi.Type, compat.KnownProgTypes)
	if pi.Name != "" {
		v.name = fullName(pi, fd, cache)
	}
	if pi.Ifindex != 0 {
		v.dev = &devView{ifindex: pi.Ifindex, nsDev: pi.NetnsDev, nsIno: pi.NetnsIno}
		v.dev.ifname, _ = kernel.IfnameInNetns(pi.Ifindex, pi.NetnsDev, pi.NetnsIno)
	}
	return v
}

func tagHex(t [8]byte) string { return fmt.Sprintf("%x", t[:]) }

// writeHeaderPlain is the first line of a program in `prog show`, which
// `prog dump` also prints above each of several programs.
func writeHeaderPlain(w *bufio.Writer, v *progView) {
	pi := v.info
	fmt.Fprintf(w, "%d: ", pi.ID)
	if v.typeName != "" {
		fmt.Fprintf(w, "%s  ", v.typeName)
	} else {
		fmt.Fprintf(w, "type %d  ", pi.Type)
	}
	if v.name != "" {
		fmt.Fprintf(w, "name %s  ", v.name)
	}
	fmt.Fprintf(w, "tag %s", tagHex(pi.Tag))
	if v.dev != nil {
		w.WriteString("  offloaded_to ")
		if v.dev.ifname != "" {
			w.WriteString(v.dev.ifname)
		} else {
			fmt.Fprintf(w, "ifindex %d ns_dev %d ns_ino %d", v.dev.ifindex, v.dev.nsDev, v.dev.nsIno)
		}
	}
	if pi.GPL {
		w.WriteString("  gpl")
	}
	if pi.RunTimeNs != 0 {
		fmt.Fprintf(w, " run_time_ns %d run_cnt %d", int64(pi.RunTimeNs), int64(pi.RunCnt))
	}
	if pi.RecursionMisses != 0 {
		fmt.Fprintf(w, " recursion_misses %d", int64(pi.RecursionMisses))
	}
	w.WriteString("\n")
}

func renderShowPlain(c *cli.Context, v *progView) error {
	pi := v.info
	w := c.Out
	writeHeaderPlain(w, v)
	if pi.LoadTime != 0 {
		fmt.Fprintf(w, "\tloaded_at %s  uid %d\n", strftimeISO(v.loadedAt), pi.UID)
	}
	fmt.Fprintf(w, "\txlated %dB", pi.XlatedLen)
	if pi.JitedLen != 0 {
		fmt.Fprintf(w, "  jited %dB", pi.JitedLen)
	} else {
		w.WriteString("  not jited")
	}
	if v.hasMem {
		fmt.Fprintf(w, "  memlock %sB", v.memlock)
	}
	if len(pi.MapIDs) > 0 {
		w.WriteString("  map_ids ")
		for i, id := range pi.MapIDs {
			if i > 0 {
				w.WriteString(",")
			}
			w.WriteString(strconv.FormatUint(uint64(id), 10))
		}
	}
	for _, p := range v.pinned {
		fmt.Fprintf(w, "\n\tpinned %s", p)
	}
	if pi.BTFID != 0 {
		fmt.Fprintf(w, "\n\tbtf_id %d", pi.BTFID)
	}
	if len(v.holders) > 0 {
		w.WriteString("\n\tpids ")
		for i, h := range v.holders {
			if i > 0 {
				w.WriteString(", ")
			}
			fmt.Fprintf(w, "%s(%d)", h.Comm, h.PID)
		}
	}
	w.WriteString("\n")
	if len(v.metadata) > 0 {
		w.WriteString("\tmetadata:")
		jw := jsonw.New(w, false)
		d := btfdump.Dumper{W: jw, Plain: true}
		for _, m := range v.metadata {
			fmt.Fprintf(w, "\n\t\t%s = ", m.name)
			jw.Reset()
			if err := d.Value(m.typ, m.data); err != nil {
				// bpftool reports it and still shows the program.
				c.Errorf("btf dump failed: %d", -int(syscall.EINVAL))
				break
			}
		}
		jw.End()
	}
	return nil
}

// writeHeaderJSON writes the fields that open a program's object in
// `prog show`, and in `prog dump` of several programs.
func writeHeaderJSON(w *jsonw.Writer, v *progView) {
	pi := v.info
	w.UintField("id", uint64(pi.ID))
	if v.typeName != "" {
		w.StringField("type", v.typeName)
	} else {
		w.UintField("type", uint64(pi.Type))
	}
	if v.name != "" {
		w.StringField("name", v.name)
	}
	w.StringField("tag", tagHex(pi.Tag))
	w.BoolField("gpl_compatible", pi.GPL)
	if pi.RunTimeNs != 0 {
		w.UintField("run_time_ns", pi.RunTimeNs)
		w.UintField("run_cnt", pi.RunCnt)
	}
	if pi.RecursionMisses != 0 {
		w.UintField("recursion_misses", pi.RecursionMisses)
	}
}

func renderShowJSON(c *cli.Context, v *progView) error {
	pi := v.info
	w := c.JW
	w.StartObject()
	writeHeaderJSON(w, v)
	if v.dev != nil {
		w.Name("dev")
		w.StartObject()
		w.UintField("ifindex", uint64(v.dev.ifindex))
		w.UintField("ns_dev", v.dev.nsDev)
		w.UintField("ns_inode", v.dev.nsIno)
		if v.dev.ifname != "" {
			w.StringField("ifname", v.dev.ifname)
		}
		w.EndObject()
	}
	if pi.LoadTime != 0 {
		w.Name("loaded_at")
		w.Raw(strconv.FormatInt(v.loadedAt.Unix(), 10))
		w.UintField("uid", uint64(pi.UID))
	}
	w.UintField("bytes_xlated", uint64(pi.XlatedLen))
	if pi.JitedLen != 0 {
		w.BoolField("jited", true)
		w.UintField("bytes_jited", uint64(pi.JitedLen))
	} else {
		w.BoolField("jited", false)
	}
	if v.hasMem {
		w.IntField("bytes_memlock", atoll(v.memlock))
	}
	if len(pi.MapIDs) > 0 {
		w.Name("map_ids")
		w.StartArray()
		for _, id := range pi.MapIDs {
			w.Uint(uint64(id))
		}
		w.EndArray()
	}
	if pi.BTFID != 0 {
		w.IntField("btf_id", int64(pi.BTFID))
	}
	if v.pinTable {
		w.Name("pinned")
		w.StartArray()
		for _, p := range v.pinned {
			w.String(p)
		}
		w.EndArray()
	}
	if len(v.holders) > 0 {
		w.Name("pids")
		w.StartArray()
		for _, h := range v.holders {
			w.StartObject()
			w.IntField("pid", int64(h.PID))
			w.StringField("comm", h.Comm)
			w.EndObject()
		}
		w.EndArray()
	}
	if len(v.metadata) > 0 {
		w.Name("metadata")
		w.StartObject()
		d := btfdump.Dumper{W: w}
		for _, m := range v.metadata {
			w.Name(m.name)
			if err := d.Value(m.typ, m.data); err != nil {
				// bpftool reports it and still shows the program.
				c.Errorf("btf dump failed: %d", -int(syscall.EINVAL))
				break
			}
		}
		w.EndObject()
	}
	w.EndObject()
	return nil
}

// atoll parses a leading decimal like C's atoll.
func atoll(s string) int64 {
	s = strings.TrimLeft(s, " \t")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var v int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		v = v*10 + int64(s[i]-'0')
	}
	if neg {
		v = -v
	}
	return v
}
