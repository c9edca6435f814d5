package cli

// Command is one keyword of a command table.
type Command struct {
	Name string
	Run  func(c *Context, args []string) error
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
		if IsPrefix(args[0], cmd.Name) {
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
