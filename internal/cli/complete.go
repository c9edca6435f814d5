package cli

import (
	"io"
	"strings"
)

// completeCommand is the hidden first argument with which the shell
// scripts ask for candidates: `gobpftool __complete WORD... CUR` prints
// what may replace CUR, the last argument (maybe empty), one a line, and
// the line ":files" where the shell should add its file names. No help
// text names it, and it is recognised only as the very first argument.
const completeCommand = "__complete"

// filesDirective is the line that asks the shell for file names.
const filesDirective = ":files"

// completionTable is the top-level table as completion sees it: the
// grammar's, plus `completion`, which RunNamed takes only when spelt out.
func completionTable(objects []Object) []Command {
	top := topTable(objects)
	for i := range top {
		switch top[i].Name {
		case "batch":
			top[i].Args = Kw("file", File("FILE"))
		default:
			for _, o := range objects {
				if o.Name == top[i].Name {
					top[i].Args = o.Args
				}
			}
		}
	}
	return append(top, Command{Name: completionCommand, Args: OneOf(Kw("bash"), Kw("zsh"), Kw("fish"))})
}

// complete prints the candidates for the last of words.
func complete(out io.Writer, words []string, objects []Object) {
	if len(words) == 0 {
		words = []string{""}
	}
	cur := words[len(words)-1]
	plain, optionsEnded, needArg := withoutOptions(words[:len(words)-1])
	var cands Candidates
	switch {
	case needArg:
		cands.Files = true
	case !optionsEnded && strings.HasPrefix(cur, "-"):
		for _, o := range longOpts {
			cands.Words = append(cands.Words, "--"+o.name)
		}
	default:
		cands = Next(Table(completionTable(objects)), plain)
	}
	seen := map[string]bool{}
	var b strings.Builder
	for _, w := range cands.Words {
		if strings.HasPrefix(w, cur) && !seen[w] {
			seen[w] = true
			b.WriteString(w + "\n")
		}
	}
	if cands.Files {
		b.WriteString(filesDirective + "\n")
	}
	io.WriteString(out, b.String())
}

// withoutOptions drops the options from a command line as getopt would
// take them (anywhere, until "--"), with -B/--base-btf's argument;
// needArg is true when the last word is an option still wanting one.
func withoutOptions(words []string) (plain []string, optionsEnded, needArg bool) {
	for _, a := range words {
		switch {
		case needArg:
			needArg = false
		case optionsEnded || !isOption(a):
			plain = append(plain, a)
		case a == "--":
			optionsEnded = true
		case strings.HasPrefix(a, "--"):
			name := a[2:]
			if strings.Contains(name, "=") {
				continue
			}
			for _, o := range longOpts {
				if IsPrefix(name, o.name) {
					needArg = o.hasArg
					break
				}
			}
		default:
			// Short options: an argument is the rest of the word, or
			// the next word when the option ends it.
			for i := 1; i < len(a); i++ {
				if j := strings.IndexByte(shortOpts, a[i]); j >= 0 && j+1 < len(shortOpts) && shortOpts[j+1] == ':' {
					needArg = i == len(a)-1
					break
				}
			}
		}
	}
	return plain, optionsEnded, needArg
}
