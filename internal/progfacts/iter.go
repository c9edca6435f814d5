package progfacts

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/compat"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

// FactsEnv names the environment variable that chooses how a listing
// reads program facts: "syscall" for an info call and an fdinfo read per
// program, "iter" for the bpf_prog iterator only (an error where it
// cannot load). Unset or empty, the iterator is used for listings of
// iterFrom programs or more, where the kernel allows it.
const FactsEnv = "GOBPFTOOL_FACTS"

type factsMode int

const (
	modeAuto factsMode = iota
	modeSyscall
	modeIter
)

func modeFromEnv() (factsMode, error) {
	switch v := os.Getenv(FactsEnv); v {
	case "":
		return modeAuto, nil
	case "syscall":
		return modeSyscall, nil
	case "iter":
		return modeIter, nil
	default:
		return modeAuto, &Error{Msg: fmt.Sprintf("%s=%s: expected iter or syscall", FactsEnv, v), Errno: unix.EINVAL}
	}
}

// iterFrom is the number of programs from which a listing reads them with
// the bpf_prog iterator: loading it costs a fixed millisecond or two (the
// BTF reading it shares with the pid iterator, started with the command,
// mostly overlaps the id walk), while the syscall path costs about 10 µs
// a program.
const iterFrom = 200

// allIter lists every program from one read of the bpf_prog iterator.
// Programs the record does not fully describe (offloaded or bound to a
// device, many maps or functions) are read by their fd, as the syscall
// path does.
func (s *Session) allIter(ctx context.Context, iterate func(func(*kernel.IterProg) error) error) ([]*Prog, error) {
	var progs []*Prog
	var backing []Prog // allocated a chunk at a time
	var mapIDs []uint32
	pageSize := int64(os.Getpagesize())
	iterErr := iterate(func(r *kernel.IterProg) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if r.NeedsInfo {
			fd, err := kernel.ProgFDByID(r.ID)
			if errors.Is(err, unix.ENOENT) {
				return nil // gone since the walk, as the syscall path leaves it out
			}
			if err != nil {
				return failure(err, "can't get prog by id (%d): %s", r.ID, errno.ErrText(err))
			}
			p, err := s.read(fd)
			kernel.Close(fd)
			if err != nil {
				return err
			}
			progs = append(progs, p)
			return nil
		}
		if len(backing) == 0 {
			backing = make([]Prog, 256)
		}
		p := &backing[0]
		backing = backing[1:]
		*p = Prog{
			ID: r.ID, Type: r.Type, Tag: r.Tag, KernelName: r.Name, Name: r.Name, GPL: r.GPL,
			UID: r.UID, XlatedLen: r.XlatedLen, JitedLen: r.JitedLen,
			Memlock: int64(r.Pages) * pageSize, HasMemlock: true,
			BTFID:     r.BTFID,
			RunTimeNs: r.RunTimeNs, RunCnt: r.RunCnt, RecursionMisses: r.RecursionMisses,
			VerifiedInsns: r.VerifiedInsns,
		}
		if len(r.MapIDs) > 0 {
			if cap(mapIDs)-len(mapIDs) < len(r.MapIDs) {
				mapIDs = make([]uint32, 0, 1024)
			}
			start := len(mapIDs)
			mapIDs = append(mapIDs, r.MapIDs...)
			p.MapIDs = mapIDs[start:len(mapIDs):len(mapIDs)]
		}
		p.TypeName, _ = kernel.ProgTypeName(r.Type, compat.KnownProgTypes)
		if r.LoadTime != 0 {
			p.LoadedAt = s.clock.wallclock(r.LoadTime)
		}
		if len(r.Name) >= KernelNameLen && r.BTFID != 0 && r.HasFuncInfo {
			p.Name = s.btfFuncName(r.BTFID, r.FuncInfoType, r.Name)
		}
		if len(p.MapIDs) > 0 {
			p.Metadata = s.metadata(p.MapIDs)
		}
		progs = append(progs, p)
		return nil
	})
	var pe *Error
	if iterErr != nil && !errors.As(iterErr, &pe) && ctx.Err() == nil {
		return nil, &iterRefused{iterErr}
	}
	return progs, iterErr
}

// btfFuncName is the name of function typeID in BTF btfID, or fallback,
// as fullName resolves a name the kernel cut.
func (s *Session) btfFuncName(btfID, typeID uint32, fallback string) string {
	return funcName(s.btf.get(btfID), typeID, fallback)
}

// iterRefused is a kernel that would not run the bpf_prog iterator (or
// lacks what it reads); the listing then takes the syscall path, unless
// FactsEnv insists on the iterator.
type iterRefused struct{ err error }

func (e *iterRefused) Error() string {
	return "can't read programs with the bpf_prog iterator: " + e.err.Error()
}

func (e *iterRefused) Unwrap() error { return e.err }
