package prog

import (
	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

// attachTypes are the attach types `prog attach` takes, in the order of
// enum bpf_attach_type that bpftool's parse_attach_type walks: each by
// libbpf's full name, matched exactly, or by its old name, matched by
// prefix.
var attachTypes = []struct {
	typ     uint32
	name    string
	oldName string
}{
	{kernel.AttachSKSKBStreamParser, "sk_skb_stream_parser", "stream_parser"},
	{kernel.AttachSKSKBStreamVerdict, "sk_skb_stream_verdict", "stream_verdict"},
	{kernel.AttachSKMsgVerdict, "sk_msg_verdict", "msg_verdict"},
	{kernel.AttachFlowDissector, "flow_dissector", ""},
	{kernel.AttachSKSKBVerdict, "sk_skb_verdict", "skb_verdict"},
}

func parseAttachType(s string) (uint32, bool) {
	for _, at := range attachTypes {
		if s == at.name || (at.oldName != "" && cli.IsPrefix(s, at.oldName)) {
			return at.typ, true
		}
	}
	return 0, false
}

// attachTarget is a parsed `prog attach|detach` line; mapFD is 0 for the
// flow dissector, whose target is the caller's network namespace.
type attachTarget struct {
	progFD, mapFD int
	typ           uint32
}

func (a *attachTarget) close() {
	kernel.Close(a.progFD)
	if a.mapFD > 0 {
		kernel.Close(a.mapFD)
	}
}

// parseAttachArgs is bpftool's parse_attach_detach_args: argument
// errors exit with -EINVAL, a handle that resolves to nothing with -1.
func parseAttachArgs(c *cli.Context, args []string) (*attachTarget, error) {
	if err := cli.ReqArgs(c, c.Keyword(), args, 3); err != nil {
		return nil, cli.ErrInvalid
	}
	progFD, rest, err := parseProg(c, args)
	if err != nil {
		return nil, err
	}
	a := &attachTarget{progFD: progFD}
	typ, ok := parseAttachType(rest[0])
	if !ok {
		a.close()
		return nil, c.Invalidf("invalid attach/detach type")
	}
	a.typ = typ
	if typ == kernel.AttachFlowDissector {
		return a, nil
	}
	kw := rest[0]
	rest = rest[1:]
	if err := cli.ReqArgs(c, kw, rest, 2); err != nil {
		a.close()
		return nil, cli.ErrInvalid
	}
	mapFD, _, err := parseMapFD(c, rest)
	if err != nil {
		a.close()
		return nil, err
	}
	a.mapFD = mapFD
	return a, nil
}

// attach is `prog attach PROG ATTACH_TYPE [MAP]`.
func attach(c *cli.Context, args []string) error {
	a, err := parseAttachArgs(c, args)
	if err != nil {
		return err
	}
	defer a.close()
	if err := kernel.ProgAttach(a.progFD, a.mapFD, a.typ); err != nil {
		return c.Invalidf("failed prog attach to map")
	}
	c.Null()
	return nil
}

// detach is `prog detach PROG ATTACH_TYPE [MAP]`.
func detach(c *cli.Context, args []string) error {
	a, err := parseAttachArgs(c, args)
	if err != nil {
		return err
	}
	defer a.close()
	if err := kernel.ProgDetach(a.progFD, a.mapFD, a.typ); err != nil {
		return c.Invalidf("failed prog detach from map")
	}
	c.Null()
	return nil
}
