// Package jsonw writes JSON in the exact byte layout of bpftool's json_writer:
// compact with no spaces at all, or pretty with four spaces per depth and a
// newline before every name and before the closing bracket of a non-empty
// container. Scripts diff bpftool's output byte for byte, so the layout is the
// contract, not a style choice.
package jsonw

import (
	"fmt"
	"io"
	"strconv"
)

// Writer emits one JSON document as a stream of calls. It never buffers a
// whole value: callers that print an error mid-document (bpftool's
// {"error":...} inside an open array) write where the writer stands.
type Writer struct {
	out    io.Writer
	depth  int
	pretty bool
	sep    byte // 0 or ','
	buf    []byte
	open   []byte // the open containers' opening brackets
	named  bool   // a member's name is written, its value is not
}

// New returns a writer on out; pretty selects the indented layout.
func New(out io.Writer, pretty bool) *Writer {
	return &Writer{out: out, pretty: pretty}
}

// Pretty reports whether the writer indents.
func (w *Writer) Pretty() bool { return w.pretty }

// WantsName reports whether the next thing written must be a member's
// name: the innermost open container is an object, and no name waits
// for its value.
func (w *Writer) WantsName() bool {
	return len(w.open) > 0 && w.open[len(w.open)-1] == '{' && !w.named
}

// Depth is the number of open containers.
func (w *Writer) Depth() int { return w.depth }

func (w *Writer) put(b ...byte) { w.buf = append(w.buf, b...) }

func (w *Writer) flush() {
	if len(w.buf) > 0 {
		w.out.Write(w.buf)
		w.buf = w.buf[:0]
	}
}

func (w *Writer) eol() {
	if !w.pretty {
		return
	}
	w.put('\n')
	for i := 0; i < w.depth; i++ {
		w.put(' ', ' ', ' ', ' ')
	}
}

func (w *Writer) eor() {
	w.named = false
	if w.sep != 0 {
		w.put(w.sep)
	}
	w.sep = ','
}

func (w *Writer) quote(s string) {
	w.put('"')
	w.buf = appendEscaped(w.buf, s)
	w.put('"')
}

// Reset forgets the separator state between top-level documents, as
// jsonw_reset does between the commands of a batch.
func (w *Writer) Reset() { w.sep = 0 }

// End finishes the document with bpftool's trailing newline.
func (w *Writer) End() {
	w.put('\n')
	w.flush()
}

func (w *Writer) begin(c byte) {
	w.eor()
	w.put(c)
	w.open = append(w.open, c)
	w.depth++
	w.sep = 0
	w.flush()
}

func (w *Writer) end(c byte) {
	if w.depth > 0 {
		w.depth--
	}
	if len(w.open) > 0 {
		w.open = w.open[:len(w.open)-1]
	}
	if w.sep != 0 {
		w.eol()
	}
	w.put(c)
	w.sep = ','
	w.flush()
}

// StartObject opens '{'.
func (w *Writer) StartObject() { w.begin('{') }

// EndObject closes '}'.
func (w *Writer) EndObject() { w.end('}') }

// StartArray opens '['.
func (w *Writer) StartArray() { w.begin('[') }

// EndArray closes ']'.
func (w *Writer) EndArray() { w.end(']') }

// Name writes an object member's name; the value follows.
func (w *Writer) Name(name string) {
	w.eor()
	w.eol()
	w.sep = 0
	w.quote(name)
	w.named = true
	w.put(':')
	if w.pretty {
		w.put(' ')
	}
}

// Raw writes an already formatted scalar (jsonw_printf).
func (w *Writer) Raw(s string) {
	w.eor()
	w.buf = append(w.buf, s...)
	w.flush()
}

// Printf writes a formatted scalar, unquoted.
func (w *Writer) Printf(format string, a ...any) { w.Raw(fmt.Sprintf(format, a...)) }

// String writes a quoted string with bpftool's escapes.
func (w *Writer) String(s string) {
	w.eor()
	w.quote(s)
	w.flush()
}

// Bool writes true or false.
func (w *Writer) Bool(v bool) { w.Raw(strconv.FormatBool(v)) }

// Null writes null.
func (w *Writer) Null() { w.Raw("null") }

// Uint writes an unsigned integer.
func (w *Writer) Uint(v uint64) {
	w.eor()
	w.buf = strconv.AppendUint(w.buf, v, 10)
	w.flush()
}

// Int writes a signed integer.
func (w *Writer) Int(v int64) {
	w.eor()
	w.buf = strconv.AppendInt(w.buf, v, 10)
	w.flush()
}

// StringField writes "name":"value".
func (w *Writer) StringField(name, v string) { w.Name(name); w.String(v) }

// BoolField writes "name":true|false.
func (w *Writer) BoolField(name string, v bool) { w.Name(name); w.Bool(v) }

// UintField writes "name":N.
func (w *Writer) UintField(name string, v uint64) { w.Name(name); w.Uint(v) }

// IntField writes "name":-N.
func (w *Writer) IntField(name string, v int64) { w.Name(name); w.Int(v) }

// NullField writes "name":null.
func (w *Writer) NullField(name string) { w.Name(name); w.Null() }

// SetPretty switches the layout, as bpftool's -p after -j does.
func (w *Writer) SetPretty(on bool) { w.pretty = on }
