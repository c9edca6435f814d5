package progfacts

import (
	"context"
	"errors"
	"slices"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

// Sampler gathers the facts of programs again and again, for a view
// refreshed every second, and, as Options ask, the holders, scanned afresh
// each time. Every program comes from the bpf_prog iterator in one read
// where the kernel allows it; a chosen set (or a kernel that refuses the
// iterator) costs an open and an info call per program, for the first
// line of `prog show` only (id, type, full name, tag, run statistics).
// What does not change between samples is read once: the kernel BTF the
// iterators need, and the parsed BTF behind full names.
type Sampler struct {
	s     *Session
	prep  *kernel.IterPrep
	iters *kernel.Iterators // loaded once, read every sample

	// The holders of the last scan, when it was, and the highest program
	// id it saw, for HolderEvery.
	holderEvery time.Duration
	holders     kernel.Holders
	iterID      uint32
	scanned     time.Time
	maxID       uint32

	samples int // for sweepEvery
}

// sweepEvery is how many samples pass between sweeps of the BTF and map
// caches: what no program asked for over that many samples is dropped.
var sweepEvery = 60

// NewSampler starts a sampler. As with New, call it before the command
// opens programs of its own.
func NewSampler(opts Options) *Sampler {
	return NewSamplerEvery(opts, 0)
}

// NewSamplerEvery is NewSampler for a view that can show holders a little
// old: it scans the holders again only when holderEvery has passed since
// the last scan or a program newer than every program of that scan
// appears (ids only grow), instead of every sample. Scanning them walks
// every open file of the system, a third of a sample's cost with 10,000
// programs held, for facts that seldom change.
func NewSamplerEvery(opts Options, holderEvery time.Duration) *Sampler {
	sm := &Sampler{s: New(opts), holderEvery: holderEvery}
	// For the holder iterator and the program iterator alike.
	sm.prep = kernel.PrepareIterator()
	sm.iters = kernel.OpenIterators(sm.prep)
	return sm
}

// Close waits for what the sampler started in the background.
func (sm *Sampler) Close() {
	if sm.prep != nil {
		sm.prep.Wait()
		sm.iters.Close()
	}
}

// Sample reads the programs with these ids (nil: every program), in id
// order; programs gone are left out.
func (sm *Sampler) Sample(ctx context.Context, ids []uint32) ([]*Prog, error) {
	progs, err := sm.sample(ctx, ids)
	return sm.finish(progs, err)
}

// All gathers what Session.All does of every program (Options.Pins
// aside), with the iterators kept loaded from one call to the next: an
// exporter's scrape, which would otherwise load and verify two programs
// each time (and write two audit records for each load and unload). Where
// the kernel refuses the iterator it gathers as Session.All does, with a
// session of its own. Not for concurrent use.
func (sm *Sampler) All(ctx context.Context) ([]*Prog, error) {
	mode, err := modeFromEnv()
	if err != nil {
		return nil, err
	}
	if mode == modeSyscall {
		return New(sm.s.opts).All(ctx)
	}
	progs, err := sm.s.allIter(ctx, sm.iters.Programs)
	var refused *iterRefused
	if errors.As(err, &refused) && mode != modeIter {
		return New(sm.s.opts).All(ctx)
	}
	return sm.finish(progs, err)
}

// finish sweeps the caches now and then, and adds the holders.
func (sm *Sampler) finish(progs []*Prog, err error) ([]*Prog, error) {
	if sm.samples++; sm.samples%sweepEvery == 0 {
		sm.s.btf.sweep()
		sm.s.maps.sweep()
	}
	if !sm.s.opts.Holders {
		return progs, err
	}
	if err != nil {
		// What was read before the failure, without our own iterator.
		return slices.DeleteFunc(progs, func(p *Prog) bool { return p.ID == sm.iterID && p.ID != 0 }), err
	}
	maxID := uint32(0)
	for _, p := range progs {
		if p.ID != sm.iterID {
			maxID = max(maxID, p.ID)
		}
	}
	if sm.holderEvery == 0 || sm.scanned.IsZero() || time.Since(sm.scanned) >= sm.holderEvery || maxID > sm.maxID {
		// The iterator even for a few programs: its cost is fixed, where
		// a /proc scan costs a readlink per open file of the system,
		// every second. It runs after the programs are read, so that it
		// sees every program they saw.
		sm.holders, sm.iterID = sm.iters.Holders(sm.s.own)
		sm.scanned, sm.maxID = time.Now(), maxID
	}
	// The task_file iterator stays loaded: every sample after the first
	// sees it, and leaves it out.
	out := progs[:0]
	for _, p := range progs {
		if p.ID != sm.iterID {
			p.Holders = sm.holders[p.ID]
			out = append(out, p)
		}
	}
	return out, nil
}

func (sm *Sampler) sample(ctx context.Context, ids []uint32) ([]*Prog, error) {
	s := sm.s
	if ids == nil {
		// Every program: from the bpf_prog iterator in one read, where
		// the kernel allows it and GOBPFTOOL_FACTS does not say no.
		mode, err := modeFromEnv()
		if err != nil {
			return nil, err
		}
		if mode != modeSyscall {
			progs, err := s.allIter(ctx, sm.iters.Programs)
			var refused *iterRefused
			if !errors.As(err, &refused) || mode == modeIter {
				return progs, err
			}
		}
		if ids, _, err = walkIDs(nil, 0); err != nil {
			return nil, err
		}
	}
	progs := make([]*Prog, 0, len(ids))
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fd, err := kernel.ProgFDByID(id)
		if err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue
			}
			return nil, failure(err, "can't get prog by id (%d): %s", id, errno.ErrText(err))
		}
		pi, err := kernel.GetProgInfo(fd)
		if err != nil {
			kernel.Close(fd)
			return nil, failure(err, "can't get prog info: %s", errno.ErrText(err))
		}
		p := header(pi, fd, s.btf)
		kernel.Close(fd)
		progs = append(progs, p)
	}
	return progs, nil
}

// Link is a BPF link: its type, its program and where it attaches.
type Link = kernel.Link

// Links lists every BPF link, for the views that say where programs are
// attached.
func Links() ([]Link, error) { return kernel.Links() }

// One gathers everything `prog show` knows of the program with this id
// (pins and holders as the session's Options ask); ok is false when the
// program is gone.
func (s *Session) One(ctx context.Context, id uint32) (p *Prog, ok bool, err error) {
	fd, err := kernel.ProgFDByID(id)
	if err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil, false, nil
		}
		return nil, false, failure(err, "can't get prog by id (%d): %s", id, errno.ErrText(err))
	}
	progs, err := s.FDs(ctx, []int{fd})
	if err != nil || len(progs) == 0 {
		return nil, false, err
	}
	return progs[0], true, nil
}

// matchFrom is the number of programs from which MatchingIDs reads the
// iterator: loading it costs about 3 ms here, the walk about 9 us a
// program (hyperfine, 10 and 1,000 programs).
const matchFrom = 300

// MatchingIDs reads every program's kernel name and tag with the bpf_prog
// iterator, for a name or tag handle, and returns the ids of those keep
// accepts, in id order: one read where the walk by id costs an open and
// an info call per program (3,000 calls for 1,000 programs). ok is false
// where the session prepared no iterator (Options.Walk), GOBPFTOOL_FACTS
// says syscall, the kernel refuses it, or there are fewer than matchFrom
// programs (unless GOBPFTOOL_FACTS says iter): the caller then walks the
// ids.
func (s *Session) MatchingIDs(keep func(kernelName string, tag [8]byte) bool) (ids []uint32, ok bool) {
	mode, err := modeFromEnv()
	if err != nil || mode == modeSyscall || s.prep == nil {
		return nil, false
	}
	if mode != modeIter && !atLeastPrograms(matchFrom) {
		return nil, false
	}
	err = kernel.ProgIterate(s.prep, func(r *kernel.IterProg) error {
		if keep(r.Name, r.Tag) {
			ids = append(ids, r.ID)
		}
		return nil
	})
	return ids, err == nil
}
