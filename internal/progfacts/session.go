package progfacts

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/compat"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

// Options says which of the costlier facts to gather.
type Options struct {
	// Pins walks every mounted bpffs for the paths pinning each program.
	Pins bool
	// Holders finds the processes holding each program.
	Holders bool
	// Walk says the command looks at every program before it gathers
	// some (a name or tag handle): what the pid iterator needs is read
	// from the start, beside that walk.
	Walk bool
}

// Session gathers program facts with caches that live as long as it: the
// parsed BTF of each id, what each map holds, one reading of the boot
// clock. A command uses one session; a long-lived consumer (top, the
// exporter) may keep one across samples or start one per sample.
type Session struct {
	opts  Options
	btf   *btfCache
	maps  *mapCache
	clock *bootClock
	// own is this process's fds when the session began: fds opened
	// after it (to read the programs) do not make us a holder.
	own kernel.OwnFDs

	prep     *kernel.IterPrep // the pid iterator's reading, begun early
	scanOnce sync.Once
	scanned  chan struct{} // closed when pinned and holders are filled
	pinned   map[uint32][]string
	holders  kernel.Holders
	iterID   uint32 // our own pid iterator, which no listing shows
}

// New starts a session. Call it before the command opens any program of
// its own, so that those fds are not taken for a holder.
func New(opts Options) *Session {
	s := &Session{
		opts:    opts,
		btf:     newBTFCache(),
		maps:    newMapCache(),
		clock:   newBootClock(),
		scanned: make(chan struct{}),
	}
	if opts.Holders {
		s.own = kernel.SnapshotOwnFDs()
		if opts.Walk && kernel.FreeFDs() >= fdsConcurrent {
			s.prep = kernel.PrepareIterator()
		}
	}
	return s
}

// Close waits for the work the session began ahead: nothing of it
// outlives the command.
func (s *Session) Close() {
	if s.prep != nil {
		s.prep.Wait()
	}
}

// iterateFrom is the number of programs from which a listing finds their
// holders with the BPF iterator (a fixed few milliseconds) rather than
// /proc (cheap on a quiet system, a readlink and an fdinfo read per
// program fd on a busy one).
const iterateFrom = 64

// workers is how many goroutines read program facts in a listing: the
// listing is a few syscalls per program, and on a 2-core machine the
// kernel's share of it halves when two threads make them.
const workers = 2

// fdsConcurrent is how many free fds a listing needs to run its workers
// beside the scans: a worker holds a program's fd and, for a moment, one
// of its map's or its BTF's; the pid iterator holds its program, link and
// iterator; the bpffs walk a directory and a pin; the runtime's poller
// two.
const fdsConcurrent = 2*workers + 4 + 2 + 2

// startScan starts the bpffs walk and the holder scan (as Options ask)
// on another goroutine, with the pid iterator when prep is set.
func (s *Session) startScan(prep *kernel.IterPrep) {
	s.scanOnce.Do(func() {
		// The bpffs walk and the holder scan wait on the kernel, not
		// on each other: each has its own goroutine.
		var pins sync.WaitGroup
		if s.opts.Pins {
			pins.Add(1)
			go func() {
				defer pins.Done()
				// A second walker holds one more pin.
				walkers := 1
				if kernel.FreeFDs() > fdsConcurrent {
					walkers = 2
				}
				s.pinned = kernel.PinnedObjects(kernel.FDProg, walkers)
			}()
		}
		go func() {
			defer close(s.scanned)
			if s.opts.Holders {
				s.holders, s.iterID = kernel.FindProgHolders(prep, s.own)
			}
			pins.Wait()
		}()
	})
}

// FoundPins tells whether the bpffs walk of the last gathering found any
// program pinned (bpftool's JSON then has a "pinned" array on every
// program).
func (s *Session) FoundPins() bool { return len(s.pinned) > 0 }

// All gathers every loaded program, in id order. On a failure it returns
// the programs read before it with the error: bpftool prints those, then
// the message. A program that goes away during the listing is left out.
func (s *Session) All(ctx context.Context) ([]*Prog, error) {
	mode, err := modeFromEnv()
	if err != nil {
		return nil, err
	}
	// With few fds left (a low `ulimit -n`), no iterator: the scan runs
	// first, by /proc, then one program at a time, each fd closed before
	// the next.
	scarce := kernel.FreeFDs() < fdsConcurrent
	if scarce && mode == modeAuto {
		mode = modeSyscall
	}
	var prep *kernel.IterPrep
	if mode != modeSyscall || (s.opts.Holders && !scarce) {
		// Whether the iterators are worth it is known after (part of)
		// the id walk; their BTF reading starts now, so that it is
		// ready by then.
		if prep = s.prep; prep == nil {
			prep = kernel.PrepareIterator()
			defer prep.Wait()
		}
	}
	var ids []uint32
	var walkErr error
	more := true
	if mode != modeIter {
		limit := 0
		if mode == modeAuto {
			limit = iterFrom
		}
		ids, more, walkErr = walkIDs(nil, limit)
	}
	if mode == modeIter || (mode == modeAuto && more && walkErr == nil) {
		s.startScan(prep)
		progs, err := s.allIter(ctx, func(fn func(*kernel.IterProg) error) error {
			return kernel.ProgIterate(prep, fn)
		})
		var refused *iterRefused
		if !errors.As(err, &refused) || mode == modeIter {
			<-s.scanned
			return s.finish(progs), err
		}
		// The kernel refused the iterator: the syscall path from
		// where the walk stopped.
		ids, _, walkErr = walkIDs(ids, 0)
	}
	if scarce {
		s.startScan(nil)
		<-s.scanned
	} else if len(ids) >= iterateFrom {
		s.startScan(prep)
	} else {
		s.startScan(nil)
	}
	type item struct {
		p    *Prog
		err  error
		gone bool
	}
	items := make([]item, len(ids))
	var next atomic.Int64
	work := func() {
		for ctx.Err() == nil {
			i := int(next.Add(1) - 1)
			if i >= len(ids) {
				return
			}
			fd, err := kernel.ProgFDByID(ids[i])
			if err != nil {
				if errors.Is(err, unix.ENOENT) {
					items[i].gone = true
				} else {
					items[i].err = failure(err, "can't get prog by id (%d): %s", ids[i], errno.ErrText(err))
				}
				continue
			}
			items[i].p, items[i].err = s.read(fd)
			kernel.Close(fd)
		}
	}
	// A short listing is read on this goroutine: a second worker would
	// cost more in the scheduler's wake-ups than it saves. So is one
	// with few fds to spare.
	if len(ids) < iterateFrom || scarce {
		work()
	} else {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				work()
			}()
		}
		wg.Wait()
	}
	<-s.scanned
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var progs []*Prog
	for _, it := range items {
		switch {
		case it.gone:
		case it.err != nil:
			return s.finish(progs), it.err
		default:
			progs = append(progs, it.p)
		}
	}
	return s.finish(progs), walkErr
}

// atLeastPrograms tells whether n programs or more are loaded, walking no
// further than the nth id.
func atLeastPrograms(n int) bool {
	var id uint32
	for i := 0; i < n; i++ {
		nid, err := kernel.ProgGetNextID(id)
		if err != nil {
			return false
		}
		id = nid
	}
	return true
}

// walkIDs appends to ids the ids of the loaded programs after its last,
// up to limit ids in all when limit is not 0; more tells that the walk
// stopped at the limit.
func walkIDs(ids []uint32, limit int) (_ []uint32, more bool, _ error) {
	var id uint32
	if len(ids) > 0 {
		id = ids[len(ids)-1]
	}
	for limit == 0 || len(ids) < limit {
		nid, err := kernel.ProgGetNextID(id)
		if err != nil {
			if errors.Is(err, unix.ENOENT) {
				return ids, false, nil
			}
			suffix := ""
			if errors.Is(err, unix.EINVAL) {
				suffix = " -- kernel too old?"
			}
			return ids, false, failure(err, "can't get next program: %s%s", errno.ErrText(err), suffix)
		}
		id = nid
		ids = append(ids, id)
	}
	return ids, true, nil
}

// FDs gathers the programs behind fds, in order, and closes the fds. On a
// failure it returns the programs read before it with the error.
func (s *Session) FDs(ctx context.Context, fds []int) ([]*Prog, error) {
	var prep *kernel.IterPrep
	if s.opts.Holders && len(fds) > 0 && kernel.FreeFDs() >= fdsConcurrent && atLeastPrograms(iterateFrom) {
		// As in a listing: many programs are likely held by many fds,
		// which the iterator finds at a fixed cost.
		if prep = s.prep; prep == nil {
			prep = kernel.PrepareIterator()
			defer prep.Wait()
		}
	}
	s.startScan(prep)
	defer func() {
		for _, fd := range fds {
			kernel.Close(fd)
		}
	}()
	var progs []*Prog
	var err error
	for _, fd := range fds {
		if err = ctx.Err(); err != nil {
			break
		}
		var p *Prog
		if p, err = s.read(fd); err != nil {
			break
		}
		progs = append(progs, p)
	}
	<-s.scanned
	return s.finish(progs), err
}

// finish adds what the scans found, and leaves out our own iterator.
func (s *Session) finish(progs []*Prog) []*Prog {
	out := progs[:0]
	for _, p := range progs {
		if s.iterID != 0 && p.ID == s.iterID {
			continue
		}
		p.Pins = s.pinned[p.ID]
		p.Holders = s.holders[p.ID]
		out = append(out, p)
	}
	return out
}

// read gathers what the scans do not give of the program behind fd.
func (s *Session) read(fd int) (*Prog, error) {
	pi, err := kernel.GetProgInfo(fd)
	if err != nil {
		return nil, failure(err, "can't get prog info: %s", errno.ErrText(err))
	}
	p := header(pi, fd, s.btf)
	if pi.LoadTime != 0 {
		p.LoadedAt = s.clock.wallclock(pi.LoadTime)
	}
	if m, ok := kernel.FDInfo(fd, "memlock"); ok {
		p.Memlock, p.HasMemlock = atoll(m), true
	}
	if len(pi.MapIDs) > 0 {
		p.Metadata = s.metadata(pi.MapIDs)
	}
	return p, nil
}

// Header is the part of a program's facts that its first line in `prog
// show` prints, which `prog dump` also prints above each of several
// programs: no load time, memlock, metadata, pins or holders.
func Header(pi *kernel.ProgInfo, fd int) *Prog { return header(pi, fd, nil) }

func header(pi *kernel.ProgInfo, fd int, cache *btfCache) *Prog {
	p := &Prog{
		ID: pi.ID, Type: pi.Type, Tag: pi.Tag, KernelName: pi.Name, GPL: pi.GPL,
		UID: pi.UID, XlatedLen: pi.XlatedLen, JitedLen: pi.JitedLen,
		MapIDs: pi.MapIDs, BTFID: pi.BTFID,
		RunTimeNs: pi.RunTimeNs, RunCnt: pi.RunCnt, RecursionMisses: pi.RecursionMisses,
		VerifiedInsns: pi.VerifiedInsns,
	}
	p.TypeName, _ = kernel.ProgTypeName(pi.Type, compat.KnownProgTypes)
	if pi.Name != "" {
		p.Name = fullName(pi, fd, cache)
	}
	if pi.Ifindex != 0 {
		p.Dev = &Device{Ifindex: pi.Ifindex, NetnsDev: pi.NetnsDev, NetnsIno: pi.NetnsIno}
		p.Dev.Ifname, _ = kernel.IfnameInNetns(pi.Ifindex, pi.NetnsDev, pi.NetnsIno)
	}
	return p
}

func failure(err error, format string, a ...any) error {
	return &Error{Msg: fmt.Sprintf(format, a...), Errno: errno.Of(err)}
}

// atoll parses a leading decimal like C's atoll, as bpftool reads
// fdinfo's memlock.
func atoll(s string) int64 {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var v int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		v = v*10 + int64(s[i]-'0')
	}
	if neg {
		v = -v
	}
	return v
}
