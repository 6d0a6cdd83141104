using System.CommandLine;

namespace Ballast.Cli;

/// <summary>
/// <c>ballast completion bash|zsh</c>: prints a shell completion script. The script asks <c>ballast</c> itself for the
/// candidates through System.CommandLine's <c>[suggest:POSITION]</c> directive, so completions always follow the
/// command tree of the binary installed (commands, options and the values an option accepts), and fall back to
/// file names where the command line expects a file.
/// </summary>
internal static class CompletionCommand
{
    public static void AddTo(RootCommand root, CliContext context)
    {
        var shell = new Argument<string>("shell") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var cmd = new Command("completion", "Print a bash or zsh completion script (see the README for installing it)");
        cmd.Arguments.Add(shell);
        cmd.SetAction(parse =>
        {
            context.Out.Write(parse.GetValue(shell) == "zsh" ? Zsh : Bash);
            return ExitCodes.Ok;
        });
        root.Subcommands.Add(cmd);
    }

    /// <summary>For <c>~/.bashrc</c>: <c>source &lt;(ballast completion bash)</c>.</summary>
    internal const string Bash = """
        # bash completion for ballast. Install: source <(ballast completion bash)   (e.g. in ~/.bashrc)
        # Candidates come from the binary: ballast [suggest:POSITION] LINE. Options are offered once a '-' is typed;
        # otherwise commands and option values, else file names.
        _ballast_complete() {
            local IFS=$'\n' cur="${COMP_WORDS[COMP_CWORD]}" line="${COMP_LINE:0:COMP_POINT}" c
            local -a suggested candidates=()
            read -d '' -ra suggested < <("$1" "[suggest:${#line}]" "$line" 2>/dev/null)
            for c in "${suggested[@]}"; do
                case "$c" in
                    /*) ;;
                    -*) [[ "$cur" == -* ]] && candidates+=("$c") ;;
                    *) candidates+=("$c") ;;
                esac
            done
            read -d '' -ra COMPREPLY < <(compgen -W "${candidates[*]:-}" -- "$cur")
        }
        complete -o default -o bashdefault -F _ballast_complete ballast

        """;

    /// <summary>For <c>~/.zshrc</c> (after <c>compinit</c>): <c>source &lt;(ballast completion zsh)</c>.</summary>
    internal const string Zsh = """
        #compdef ballast
        # zsh completion for ballast. Install: source <(ballast completion zsh)   (in ~/.zshrc, after compinit)
        # Candidates come from the binary: ballast [suggest:POSITION] LINE. Options are offered once a '-' is typed;
        # otherwise commands and option values, else file names.
        _ballast() {
            local line="${(j: :)words[1,CURRENT]}"
            local -a candidates
            candidates=("${(@f)$("${words[1]}" "[suggest:${#line}]" "$line" 2>/dev/null)}")
            candidates=(${candidates:#})
            candidates=(${candidates:#/*})
            [[ $PREFIX == -* ]] || candidates=(${candidates:#-*})
            if (( ${#candidates} )); then
                compadd -- "${candidates[@]}"
            else
                _files
            fi
        }
        compdef _ballast ballast

        """;
}
