package progfacts

import (
	"context"
	"errors"

	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

// Sampler gathers the cheap facts of programs again and again, for a view
// refreshed every second: the first line of `prog show` (id, type, full
// name, tag, run statistics) and, as Options ask, the holders, scanned
// afresh each time. There is no load time, memlock, metadata or pins: one
// id walk, one open and one info call per program. What does not change
// between samples is read once: the kernel BTF the holder iterator needs,
// and the parsed BTF behind full names.
type Sampler struct {
	s    *Session
	prep *kernel.IterPrep
}

// NewSampler starts a sampler. As with New, call it before the command
// opens programs of its own.
func NewSampler(opts Options) *Sampler {
	sm := &Sampler{s: New(opts)}
	if opts.Holders {
		sm.prep = kernel.PrepareIterator()
	}
	return sm
}

// Close waits for what the sampler started in the background.
func (sm *Sampler) Close() {
	if sm.prep != nil {
		sm.prep.Wait()
	}
}

// Sample reads the programs with these ids (nil: every program), in id
// order; programs gone are left out.
func (sm *Sampler) Sample(ctx context.Context, ids []uint32) ([]*Prog, error) {
	s := sm.s
	var holders kernel.Holders
	var iterID uint32
	if s.opts.Holders {
		// The iterator even for a few programs: its cost is fixed, where
		// a /proc scan costs a readlink per open file of the system,
		// every second.
		holders, iterID = kernel.FindProgHolders(sm.prep, s.own)
	}
	if ids == nil {
		var err error
		if ids, err = walkIDs(); err != nil {
			return nil, err
		}
	}
	progs := make([]*Prog, 0, len(ids))
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if id == iterID {
			continue
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
		p.Holders = holders[p.ID]
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
