package progfacts

import (
	"context"
	"errors"

	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

// Sample gathers the cheap facts of programs, for a view refreshed every
// second: the first line of `prog show` (id, type, full name, tag, run
// statistics) and, as Options ask, the holders, scanned afresh on each
// call. There is no load time, memlock, metadata or pins: one id walk,
// one open and one info call per program. ids limits the sample to
// those programs (nil: every program); programs gone are left out.
//
// A session used for samples keeps its BTF cache across calls, so full
// names cost a BTF parse once per BTF object.
func (s *Session) Sample(ctx context.Context, ids []uint32) ([]*Prog, error) {
	var holders kernel.Holders
	var iterID uint32
	if s.opts.Holders {
		var prep *kernel.IterPrep
		if ids == nil || len(ids) >= iterateFrom {
			prep = kernel.PrepareIterator()
		}
		holders, iterID = kernel.FindProgHolders(prep, s.own)
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
