package prog

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"syscall"

	"github.com/gobpftool/gobpftool/internal/btfdump"
	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/jsonw"
	"github.com/gobpftool/gobpftool/internal/progfacts"
)

// show is `prog show|list [PROG]`: every program, or those PROG names,
// with their facts from internal/progfacts, as bpftool's text or JSON.
func show(c *cli.Context, args []string) error {
	if len(args) != 0 && len(args) != 2 {
		return cli.BadArg(c, args[0])
	}
	// Begun before this command opens any program: the fds it opens
	// itself must not make it a holder of what it shows.
	walk := len(args) == 2 && (cli.IsPrefix(args[0], "name") || cli.IsPrefix(args[0], "tag"))
	facts := progfacts.New(progfacts.Options{Pins: c.ShowPinned, Holders: true, Walk: walk})
	defer facts.Close()
	ctx := context.Background()
	if len(args) == 2 {
		fds, _, err := parseProgsIn(c, args, facts)
		if err != nil {
			return err
		}
		if len(fds) == 0 {
			return cli.ErrFailed
		}
		progs, err := facts.FDs(ctx, fds)
		// One program is an object; several (a tag or a name) an array.
		return renderShow(c, facts, progs, err, len(fds) > 1)
	}
	progs, err := facts.All(ctx)
	return renderShow(c, facts, progs, err, true)
}

// renderShow prints progs, then the error that ended the gathering, if
// any, as bpftool prints the programs it listed before a failure.
func renderShow(c *cli.Context, facts *progfacts.Session, progs []*progfacts.Prog, gatherErr error, array bool) error {
	if c.JSON && array {
		c.JW.StartArray()
	}
	pinTable := facts.FoundPins()
	for _, p := range progs {
		if c.JSON {
			renderShowJSON(c, p, pinTable)
		} else {
			renderShowPlain(c, p)
		}
	}
	var err error
	if gatherErr != nil {
		err = c.Errorf("%s", gatherErr)
	}
	if c.JSON && array {
		c.JW.EndArray()
	}
	return err
}

// writeHeaderPlain is the first line of a program in `prog show`, which
// `prog dump` also prints above each of several programs.
func writeHeaderPlain(w *bufio.Writer, p *progfacts.Prog) {
	writeUint(w, "", uint64(p.ID), ": ")
	if p.TypeName != "" {
		w.WriteString(p.TypeName)
		w.WriteString("  ")
	} else {
		writeUint(w, "type ", uint64(p.Type), "  ")
	}
	if p.Name != "" {
		w.WriteString("name ")
		w.WriteString(p.Name)
		w.WriteString("  ")
	}
	w.WriteString("tag ")
	w.Write(hex.AppendEncode(w.AvailableBuffer(), p.Tag[:]))
	if p.Dev != nil {
		w.WriteString("  offloaded_to ")
		if p.Dev.Ifname != "" {
			w.WriteString(p.Dev.Ifname)
		} else {
			fmt.Fprintf(w, "ifindex %d ns_dev %d ns_ino %d", p.Dev.Ifindex, p.Dev.NetnsDev, p.Dev.NetnsIno)
		}
	}
	if p.GPL {
		w.WriteString("  gpl")
	}
	if p.RunTimeNs != 0 {
		writeInt(w, " run_time_ns ", int64(p.RunTimeNs), "")
		writeInt(w, " run_cnt ", int64(p.RunCnt), "")
	}
	if p.RecursionMisses != 0 {
		writeInt(w, " recursion_misses ", int64(p.RecursionMisses), "")
	}
	w.WriteString("\n")
}

// writeUint writes before, n in decimal, and after: what Fprintf would,
// without boxing each argument on the heap (10,000 programs a listing).
func writeUint(w *bufio.Writer, before string, n uint64, after string) {
	w.WriteString(before)
	w.Write(strconv.AppendUint(w.AvailableBuffer(), n, 10))
	w.WriteString(after)
}

// writeInt is writeUint for a signed number.
func writeInt(w *bufio.Writer, before string, n int64, after string) {
	w.WriteString(before)
	w.Write(strconv.AppendInt(w.AvailableBuffer(), n, 10))
	w.WriteString(after)
}

func renderShowPlain(c *cli.Context, p *progfacts.Prog) {
	w := c.Out
	writeHeaderPlain(w, p)
	if !p.LoadedAt.IsZero() {
		w.WriteString("\tloaded_at ")
		w.Write(appendStrftimeISO(w.AvailableBuffer(), p.LoadedAt))
		writeUint(w, "  uid ", uint64(p.UID), "\n")
	}
	writeUint(w, "\txlated ", uint64(p.XlatedLen), "B")
	if p.JitedLen != 0 {
		writeUint(w, "  jited ", uint64(p.JitedLen), "B")
	} else {
		w.WriteString("  not jited")
	}
	if p.HasMemlock {
		writeInt(w, "  memlock ", p.Memlock, "B")
	}
	if len(p.MapIDs) > 0 {
		w.WriteString("  map_ids ")
		for i, id := range p.MapIDs {
			if i > 0 {
				w.WriteString(",")
			}
			writeUint(w, "", uint64(id), "")
		}
	}
	for _, p := range p.Pins {
		w.WriteString("\n\tpinned ")
		w.WriteString(p)
	}
	if p.BTFID != 0 {
		writeUint(w, "\n\tbtf_id ", uint64(p.BTFID), "")
	}
	if len(p.Holders) > 0 {
		w.WriteString("\n\tpids ")
		for i, h := range p.Holders {
			if i > 0 {
				w.WriteString(", ")
			}
			w.WriteString(h.Comm)
			writeInt(w, "(", int64(h.PID), ")")
		}
	}
	w.WriteString("\n")
	if len(p.Metadata) > 0 {
		w.WriteString("\tmetadata:")
		jw := jsonw.New(w, false)
		d := btfdump.Dumper{W: jw, Plain: true}
		for _, m := range p.Metadata {
			fmt.Fprintf(w, "\n\t\t%s = ", m.Name)
			jw.Reset()
			if err := d.Value(m.Type, m.Data); err != nil {
				// bpftool reports it and still shows the program.
				c.Errorf("btf dump failed: %d", -int(syscall.EINVAL))
				break
			}
		}
		jw.End()
	}
}

// writeHeaderJSON writes the fields that open a program's object in
// `prog show`, and in `prog dump` of several programs.
func writeHeaderJSON(w *jsonw.Writer, p *progfacts.Prog) {
	w.UintField("id", uint64(p.ID))
	if p.TypeName != "" {
		w.StringField("type", p.TypeName)
	} else {
		w.UintField("type", uint64(p.Type))
	}
	if p.Name != "" {
		w.StringField("name", p.Name)
	}
	w.StringField("tag", p.TagHex())
	w.BoolField("gpl_compatible", p.GPL)
	if p.RunTimeNs != 0 {
		w.UintField("run_time_ns", p.RunTimeNs)
		w.UintField("run_cnt", p.RunCnt)
	}
	if p.RecursionMisses != 0 {
		w.UintField("recursion_misses", p.RecursionMisses)
	}
}

func renderShowJSON(c *cli.Context, p *progfacts.Prog, pinTable bool) {
	w := c.JW
	w.StartObject()
	writeHeaderJSON(w, p)
	if p.Dev != nil {
		w.Name("dev")
		w.StartObject()
		w.UintField("ifindex", uint64(p.Dev.Ifindex))
		w.UintField("ns_dev", p.Dev.NetnsDev)
		w.UintField("ns_inode", p.Dev.NetnsIno)
		if p.Dev.Ifname != "" {
			w.StringField("ifname", p.Dev.Ifname)
		}
		w.EndObject()
	}
	if !p.LoadedAt.IsZero() {
		w.Name("loaded_at")
		w.Int(p.LoadedAt.Unix())
		w.UintField("uid", uint64(p.UID))
	}
	w.UintField("bytes_xlated", uint64(p.XlatedLen))
	if p.JitedLen != 0 {
		w.BoolField("jited", true)
		w.UintField("bytes_jited", uint64(p.JitedLen))
	} else {
		w.BoolField("jited", false)
	}
	if p.HasMemlock {
		w.IntField("bytes_memlock", p.Memlock)
	}
	if len(p.MapIDs) > 0 {
		w.Name("map_ids")
		w.StartArray()
		for _, id := range p.MapIDs {
			w.Uint(uint64(id))
		}
		w.EndArray()
	}
	if p.BTFID != 0 {
		w.IntField("btf_id", int64(p.BTFID))
	}
	if pinTable {
		w.Name("pinned")
		w.StartArray()
		for _, p := range p.Pins {
			w.String(p)
		}
		w.EndArray()
	}
	if len(p.Holders) > 0 {
		w.Name("pids")
		w.StartArray()
		for _, h := range p.Holders {
			w.StartObject()
			w.IntField("pid", int64(h.PID))
			w.StringField("comm", h.Comm)
			w.EndObject()
		}
		w.EndArray()
	}
	if len(p.Metadata) > 0 {
		w.Name("metadata")
		w.StartObject()
		d := btfdump.Dumper{W: w}
		for _, m := range p.Metadata {
			w.Name(m.Name)
			if err := d.Value(m.Type, m.Data); err != nil {
				// bpftool reports it and still shows the program.
				c.Errorf("btf dump failed: %d", -int(syscall.EINVAL))
				break
			}
		}
		w.EndObject()
	}
	w.EndObject()
}
