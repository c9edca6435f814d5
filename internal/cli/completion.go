package cli

import "io"

// completionCommand prints a shell's completion script. Like
// completeCommand it is not in bpftool's help, whose text we keep; unlike
// it, it is documented (README, gobpftool(8)), and it is only taken spelt
// out in full, so that no prefix bpftool rejects starts to mean it.
const completionCommand = "completion"

// The scripts know no keyword: they pass the line to the binary they
// complete (the first word, as typed) and show what it prints, so a
// keyword added to a table completes without touching them.
var completionScripts = map[string]string{
	"bash": `# gobpftool bash completion; install with
#   gobpftool completion bash > /etc/bash_completion.d/gobpftool
_gobpftool()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion || return
    else
        words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
        cur=${words[cword]}
    fi
    local line files=0
    COMPREPLY=()
    while IFS= read -r line; do
        if [[ $line == :files ]]; then
            files=1
        else
            COMPREPLY+=("$line")
        fi
    done < <("${words[0]}" __complete "${words[@]:1:cword}" 2>/dev/null)
    if ((files)); then
        if declare -F _filedir >/dev/null; then
            _filedir
        else
            compopt -o filenames 2>/dev/null
            COMPREPLY+=($(compgen -f -- "$cur"))
        fi
    fi
}
complete -F _gobpftool gobpftool
`,
	"zsh": `#compdef gobpftool
# gobpftool zsh completion; install with
#   gobpftool completion zsh > "${fpath[1]}/_gobpftool"
_gobpftool() {
    local -a cands
    local line files=0
    for line in "${(@f)$("${words[1]}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}"; do
        if [[ $line == :files ]]; then
            files=1
        elif [[ -n $line ]]; then
            cands+=("$line")
        fi
    done
    (( ${#cands} )) && compadd -Q -a cands
    (( files )) && _files
    return 0
}
if [[ $funcstack[1] == _gobpftool ]]; then
    _gobpftool "$@"
else
    compdef _gobpftool gobpftool
fi
`,
	"fish": `# gobpftool fish completion; install with
#   gobpftool completion fish > ~/.config/fish/completions/gobpftool.fish
function __gobpftool_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    for line in ($words[1] __complete $words[2..-1] "$cur" 2>/dev/null)
        if test "$line" = :files
            __fish_complete_path "$cur"
        else
            echo $line
        end
    end
end
complete -c gobpftool -f -a '(__gobpftool_complete)'
`,
}

// completion prints the script for the shell args name.
func completion(c *Context, args []string) error {
	if len(args) != 1 || completionScripts[args[0]] == "" {
		return c.Errorf("'%s completion' needs one of bash, zsh or fish", c.Bin)
	}
	io.WriteString(c.Out, completionScripts[args[0]])
	return nil
}
