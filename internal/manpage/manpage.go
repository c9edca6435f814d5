// Package manpage writes the man pages of a command table: Markdown
// sources with markers where the table's synopsis and descriptions go,
// turned into roff by go-md2man. It knows no command of its own, so the
// pages say what the table says.
package manpage

//go:generate go run ./mangen -out ../../docs/man

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/cpuguy83/go-md2man/v2/md2man"

	"github.com/gobpftool/gobpftool/internal/cli"
)

// Page is what a source's markers are filled from.
type Page struct {
	// Prefix is the command line before a table's command
	// ("gobpftool prog").
	Prefix string
	// Commands is the object's table.
	Commands []cli.Command
	// Definitions are the placeholder lines printed after the commands
	// ("PROG := { id PROG_ID | ... }").
	Definitions []string
}

// The markers of a Markdown source, each alone on its line.
const (
	synopsisMarker = "<!-- synopsis -->"
	commandsMarker = "<!-- commands -->"
)

// Markdown fills the markers of src.
func Markdown(src []byte, p Page) []byte {
	s := string(src)
	s = strings.Replace(s, synopsisMarker, p.synopsis(), 1)
	s = strings.Replace(s, commandsMarker, p.commands(), 1)
	return []byte(s)
}

// Roff is md2man's rendering of a Markdown page.
func Roff(md []byte) []byte { return md2man.Render(md) }

// Generate is Roff of Markdown.
func Generate(src []byte, p Page) []byte { return Roff(Markdown(src, p)) }

// synopsis is a line per form of every command, then the definitions,
// each line ended by a hard break.
func (p Page) synopsis() string {
	var b strings.Builder
	for _, c := range p.Commands {
		for _, s := range c.Synopsis {
			b.WriteString(p.line(s) + "  \n")
		}
	}
	b.WriteString("\n")
	for _, d := range p.Definitions {
		b.WriteString(Emphasize(d) + "  \n")
	}
	return strings.TrimSuffix(b.String(), "  \n") + "\n"
}

// commands is a subsection per command with a description: its forms,
// then the description. Commands without one share the previous one's.
func (p Page) commands() string {
	var b strings.Builder
	for i, c := range p.Commands {
		if c.Doc == "" {
			continue
		}
		names := []string{c.Name}
		for _, d := range p.Commands[i+1:] {
			if d.Doc != "" {
				break
			}
			names = append(names, d.Name)
		}
		b.WriteString("## " + strings.Join(names, ", ") + "\n\n")
		for _, s := range c.Synopsis {
			b.WriteString(p.line(s) + "  \n")
		}
		b.WriteString("\n" + strings.TrimSpace(c.Doc) + "\n\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (p Page) line(s string) string { return Emphasize(p.Prefix + " " + s) }

var (
	lowerWord = regexp.MustCompile(`^[a-z][a-z0-9_/]*$`)
	upperWord = regexp.MustCompile(`^[A-Z][A-Z0-9_]*s?$`)
	// mdSpecial are the characters Markdown could take for markup.
	mdSpecial = strings.NewReplacer(`\`, `\\`, "_", `\_`, "*", `\*`, "[", `\[`, "]", `\]`,
		"{", `\{`, "}", `\}`, "|", `\|`, "<", `\<`, ">", `\>`, "`", "\\`")
)

// Emphasize writes a line of help notation in the man page convention:
// keywords in bold, placeholders in italics, punctuation as it is.
func Emphasize(s string) string {
	var b bytes.Buffer
	for i, f := range strings.Fields(s) {
		if i > 0 {
			b.WriteByte(' ')
		}
		// Split brackets and braces off the word.
		lead := strings.IndexFunc(f, isWordByte)
		if lead < 0 {
			b.WriteString(mdSpecial.Replace(f))
			continue
		}
		end := strings.LastIndexFunc(f, isWordByte) + 1
		w := f[lead:end]
		b.WriteString(mdSpecial.Replace(f[:lead]))
		switch {
		case lowerWord.MatchString(w):
			b.WriteString("**" + mdSpecial.Replace(w) + "**")
		case upperWord.MatchString(w):
			b.WriteString("*" + mdSpecial.Replace(w) + "*")
		default:
			b.WriteString(mdSpecial.Replace(w))
		}
		b.WriteString(mdSpecial.Replace(f[end:]))
	}
	return b.String()
}

func isWordByte(r rune) bool {
	return r == '_' || r == '/' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}
