package cli

// Keyword is the word, as typed, that selected the running command of the
// last table: bpftool's argv[-1] in the first argument check of a command
// ("'lo' needs at least 2 arguments" for `prog lo`).
func (c *Context) Keyword() string {
	if len(c.lastArgs) == 0 {
		return ""
	}
	return c.lastArgs[0]
}
