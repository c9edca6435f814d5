package cli

// Command is one keyword of a command table, with what the grammar,
// completion and the man page need to know of it. Adding a command is
// adding one of these: Select dispatches on Name, completion walks Args,
// the man page prints Synopsis and Doc, and the tests check them against
// the help text.
type Command struct {
	Name string
	// Run executes the command on the words after its name. A command
	// that is documented but not built yet has none: Select skips it.
	Run func(c *Context, args []string) error
	// Synopsis is the command's usage in the notation of help texts, a
	// line per form, without the tool and object words. Commands sharing
	// a form ({ show | list }) give it once, on the first of them.
	Synopsis []string
	// Args is the grammar of the words after the name, for completion.
	Args Node
	// Doc is the man page's description of the command, in Markdown.
	Doc string
}

// IsPrefix reports whether pfx is a prefix of word, bpftool's is_prefix:
// the empty string is a prefix of everything.
func IsPrefix(pfx, word string) bool {
	return len(pfx) <= len(word) && word[:len(pfx)] == pfx
}

// Select runs the first command of table whose name args[0] prefixes, as
// bpftool's cmd_select: no argument runs the first entry, no match prints
// help and fails.
func Select(c *Context, table []Command, args []string, help func(*Context, []string) error) error {
	c.lastArgs = args
	c.lastHelp = help
	if len(args) == 0 {
		return table[0].Run(c, args)
	}
	for _, cmd := range table {
		if cmd.Run != nil && IsPrefix(args[0], cmd.Name) {
			return cmd.Run(c, args[1:])
		}
	}
	help(c, args[1:])
	return ErrFailed
}

// DetectCommonPrefix fails with bpftool's "ambiguous prefix" error when arg
// prefixes two or more of refs.
func DetectCommonPrefix(c *Context, arg string, refs ...string) error {
	var matched []string
	for _, r := range refs {
		if IsPrefix(arg, r) {
			matched = append(matched, r)
		}
	}
	if len(matched) < 2 {
		return nil
	}
	msg := "ambiguous prefix: '" + arg + "' could be '"
	for i, m := range matched {
		if i > 0 {
			msg += "' or '"
		}
		msg += m
	}
	msg += "'"
	if len(msg) > 255 {
		msg = msg[:255]
	}
	return c.Errorf("%s", msg)
}

// ReqArgs checks that at least n arguments remain, with bpftool's message
// naming the keyword before them.
func ReqArgs(c *Context, keyword string, args []string, n int) error {
	if len(args) < n {
		return c.Errorf("'%s' needs at least %d arguments, %d found", keyword, n, len(args))
	}
	return nil
}

// BadArg is bpftool's "what is '%s'?".
func BadArg(c *Context, arg string) error {
	return c.Errorf("what is '%s'?", arg)
}
