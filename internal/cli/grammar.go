package cli

// A command's argument grammar, as data: completion walks it to find
// what may come next, and the man page test checks that its keywords are
// the ones the synopsis and help print. The commands themselves still
// parse their arguments by hand, with bpftool's errors; the grammar only
// has to accept every line they accept.

// Node is one element of an argument grammar.
type Node interface {
	// walk matches words from the front in every way the node can and
	// calls k with each remainder; where the words run out before the
	// node is complete, it records what could come next in w.
	walk(w *walker, words []string, k func(rest []string))
	// keywords appends the node's keywords (not its values) to dst.
	keywords(dst []string) []string
}

// Candidates are what completion offers at one point of a command line.
type Candidates struct {
	Words []string
	// Files asks the shell for its file names too.
	Files bool
}

// Value is a placeholder of the grammar (PROG_ID, FILE, TYPE...): it
// takes any one word, and completes with what Complete returns. args are
// the words of the command so far (after its keyword), for values that
// depend on an earlier one, like a map name in the object being loaded.
type Value struct {
	Name     string
	Complete func(args []string) Candidates
	// Strict values take only a word that prefixes one of their
	// candidates, so that a keyword after a list of them is not taken
	// for one (`profile PROG duration` is not a METRIC).
	Strict bool
}

func (v *Value) walk(w *walker, words []string, k func([]string)) {
	if len(words) == 0 {
		if v.Complete != nil {
			w.add(v.Complete(w.args))
		}
		return
	}
	if v.Strict && !v.takes(words[0]) {
		return
	}
	k(words[1:])
}

func (v *Value) takes(word string) bool {
	for _, c := range v.Complete(nil).Words {
		if word != "" && IsPrefix(word, c) {
			return true
		}
	}
	return false
}

func (v *Value) keywords(dst []string) []string { return dst }

// Words is a value that is one of a fixed list of words, or a prefix
// of one.
func Words(name string, list func() []string) *Value {
	return &Value{Name: name, Strict: true, Complete: func([]string) Candidates { return Candidates{Words: list()} }}
}

// File is a value naming a file the shell completes.
func File(name string) *Value {
	return &Value{Name: name, Complete: func([]string) Candidates { return Candidates{Files: true} }}
}

// Number is a value that completion cannot guess (a count, a size).
func Number(name string) *Value { return &Value{Name: name} }

type keyword struct {
	name string
	then Node
}

// Kw is a keyword followed by the sequence then. A typed word selects it
// when it is a non-empty prefix of the keyword, as the grammar matches.
func Kw(name string, then ...Node) Node { return &keyword{name, Seq(then...)} }

func (n *keyword) walk(w *walker, words []string, k func([]string)) {
	if len(words) == 0 {
		w.add(Candidates{Words: []string{n.name}})
		return
	}
	if words[0] != "" && IsPrefix(words[0], n.name) {
		n.then.walk(w, words[1:], k)
	}
}

func (n *keyword) keywords(dst []string) []string { return n.then.keywords(append(dst, n.name)) }

type seq []Node

// Seq is its nodes one after another.
func Seq(nodes ...Node) Node { return seq(nodes) }

func (s seq) walk(w *walker, words []string, k func([]string)) {
	if len(s) == 0 {
		k(words)
		return
	}
	s[0].walk(w, words, func(rest []string) { s[1:].walk(w, rest, k) })
}

func (s seq) keywords(dst []string) []string {
	for _, n := range s {
		dst = n.keywords(dst)
	}
	return dst
}

type optional struct{ n Node }

// Opt is the sequence nodes, or nothing.
func Opt(nodes ...Node) Node { return optional{Seq(nodes...)} }

func (o optional) walk(w *walker, words []string, k func([]string)) {
	k(words)
	o.n.walk(w, words, k)
}

func (o optional) keywords(dst []string) []string { return o.n.keywords(dst) }

type oneOf []Node

// OneOf is any one of its nodes.
func OneOf(nodes ...Node) Node { return oneOf(nodes) }

func (o oneOf) walk(w *walker, words []string, k func([]string)) {
	for _, n := range o {
		n.walk(w, words, k)
	}
}

func (o oneOf) keywords(dst []string) []string {
	for _, n := range o {
		dst = n.keywords(dst)
	}
	return dst
}

// clause is an element of AnyOrder, which may come once or many times.
type clause struct {
	n      Node
	repeat bool
}

type anyOrder []clause

// AnyOrder is its nodes in any order, each at most once (bpftool's loops
// over keywords), except those wrapped in Repeat.
func AnyOrder(nodes ...Node) Node {
	a := make(anyOrder, len(nodes))
	for i, n := range nodes {
		if r, ok := n.(repeated); ok {
			a[i] = clause{r.n, true}
		} else {
			a[i] = clause{n, false}
		}
	}
	return a
}

type repeated struct{ n Node }

// Repeat marks a node of AnyOrder that may come any number of times.
func Repeat(nodes ...Node) Node { return repeated{Seq(nodes...)} }

func (r repeated) walk(w *walker, words []string, k func([]string)) {
	anyOrder{{r.n, true}}.walk(w, words, k)
}

func (r repeated) keywords(dst []string) []string { return r.n.keywords(dst) }

func (a anyOrder) walk(w *walker, words []string, k func([]string)) { a.from(w, words, 0, k) }

func (a anyOrder) from(w *walker, words []string, used uint64, k func([]string)) {
	if w.steps++; w.steps > maxSteps {
		return
	}
	k(words)
	for i, c := range a {
		if used&(1<<i) != 0 {
			continue
		}
		u := used
		if !c.repeat {
			u |= 1 << i
		}
		c.n.walk(w, words, func(rest []string) {
			// A clause that took no word would loop forever.
			if len(rest) < len(words) {
				a.from(w, rest, u, k)
			}
		})
	}
}

func (a anyOrder) keywords(dst []string) []string {
	for _, c := range a {
		dst = c.n.keywords(dst)
	}
	return dst
}

// Keywords lists the keywords of a grammar, each once, in order.
func Keywords(n Node) []string {
	if n == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, k := range n.keywords(nil) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// walker collects the candidates of one completion.
type walker struct {
	args  []string
	cands Candidates
	steps int
}

// maxSteps bounds a walk: prefixes that match several keywords make the
// grammar ambiguous, and a long line of them would branch without end.
const maxSteps = 1 << 16

func (w *walker) add(c Candidates) {
	w.cands.Words = append(w.cands.Words, c.Words...)
	w.cands.Files = w.cands.Files || c.Files
}

// Next returns what may follow words in grammar n: words are complete
// arguments, the one being typed is not among them.
func Next(n Node, words []string) Candidates {
	w := &walker{args: words}
	if n != nil {
		n.walk(w, words, func([]string) {})
	}
	return w.cands
}

type table []Command

// Table is a keyword table as Select matches it: the first command whose
// name the word prefixes, then that command's Args.
func Table(cmds []Command) Node { return table(cmds) }

func (t table) walk(w *walker, words []string, k func([]string)) {
	if len(words) == 0 {
		for _, c := range t {
			w.add(Candidates{Words: []string{c.Name}})
		}
		return
	}
	for _, c := range t {
		if IsPrefix(words[0], c.Name) {
			w.args = words[1:]
			if c.Args == nil {
				k(words[1:])
				return
			}
			c.Args.walk(w, words[1:], k)
			return
		}
	}
}

func (t table) keywords(dst []string) []string {
	for _, c := range t {
		dst = append(dst, c.Name)
		if c.Args != nil {
			dst = c.Args.keywords(dst)
		}
	}
	return dst
}
