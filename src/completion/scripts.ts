import type { Shell } from './candidates.js';

/**
 * Whose command line a script completes: trellis's own, or an app run as `node app.js …` (or by
 * its own name when the script is executable).
 */
export type CompletionTarget = { kind: 'trellis' } | { kind: 'app'; name: string; trellisBin: string };

/** A word for sh-like shells and fish: single quotes, with `'` spelled out. */
const quoted = (text: string, shell: Shell) => `'${text.replaceAll(shell === 'fish' ? /['\\]/g : /'/g, (c) => (shell === 'fish' ? `\\${c}` : `'\\''`))}'`;

/** How an app's script is recognised: the module calls defineApp (as Hydra greps for @hydra.main). */
const APP_MARK = 'defineApp';

/**
 * The completion script of a shell. Every TAB runs the command being completed with a query
 * (`trellis completion SHELL --query`, or the app with `--shell-completion query=SHELL`) and the
 * line before the cursor in COMP_LINE, as Hydra's scripts do. Pure.
 */
export function completionScript(shell: Shell, target: CompletionTarget): string {
  const fn = target.kind === 'trellis' ? '_trellis' : `_trellis_app_${target.name.replace(/\W/g, '_')}`;
  if (shell === 'bash') return bashScript(fn, target);
  if (shell === 'zsh') return zshScript(fn, target);
  return fishScript(fn, target);
}

function bashScript(fn: string, target: CompletionTarget): string {
  const query =
    target.kind === 'trellis'
      ? `  local -a cmd=("\${COMP_WORDS[0]}" completion bash --query)`
      : [
          `  local -a cmd=("\${COMP_WORDS[0]}")`,
          `  if [[ \${COMP_WORDS[0]##*/} == node* ]]; then`,
          `    # node SCRIPT …: only scripts that define a trellis app`,
          `    (( COMP_CWORD >= 2 )) && [[ -f \${COMP_WORDS[1]} ]] && grep -q ${APP_MARK} "\${COMP_WORDS[1]}" 2>/dev/null || return 0`,
          `    # trellis answers from what the app recorded at its last query, without importing it`,
          `    local bin=${quoted(target.trellisBin, 'bash')}`,
          `    [[ -f $bin ]] && cmd+=("$bin" completion bash --query --app "\${COMP_WORDS[1]}") || cmd+=("\${COMP_WORDS[1]}" --shell-completion query=bash)`,
          `  else`,
          `    cmd+=(--shell-completion query=bash)`,
          `  fi`,
        ].join('\n');
  const names = target.kind === 'trellis' ? 'trellis' : `node ${target.name}`;
  return `# trellis tab completion for bash
${fn}() {
${query}
  local IFS=$'\\n'
  local -a reply
  reply=($(COMP_LINE="\${COMP_LINE:0:COMP_POINT}" COMP_WORDBREAKS="$COMP_WORDBREAKS" "\${cmd[@]}" 2>/dev/null))
  (( \${#reply[@]} )) || return 0
  [[ \${reply[0]} == nospace ]] && compopt -o nospace
  COMPREPLY=("\${reply[@]:1}")
}
complete -o default -F ${fn} ${names}
`;
}

function zshScript(fn: string, target: CompletionTarget): string {
  const query =
    target.kind === 'trellis'
      ? `  local -a cmd=("\${words[1]}" completion zsh --query)`
      : [
          `  local -a cmd=("\${words[1]}")`,
          `  if [[ \${words[1]:t} == node* ]]; then`,
          `    # node SCRIPT …: only scripts that define a trellis app`,
          `    (( CURRENT >= 3 )) && [[ -f \${~words[2]} ]] && grep -q ${APP_MARK} \${~words[2]} 2>/dev/null || { _files; return }`,
          `    # trellis answers from what the app recorded at its last query, without importing it`,
          `    local bin=${quoted(target.trellisBin, 'zsh')}`,
          `    if [[ -f $bin ]]; then cmd+=("$bin" completion zsh --query --app "\${~words[2]}"); else cmd+=("\${~words[2]}" --shell-completion query=zsh); fi`,
          `  else`,
          `    cmd+=(--shell-completion query=zsh)`,
          `  fi`,
        ].join('\n');
  const names = target.kind === 'trellis' ? 'trellis' : `node ${target.name}`;
  return `#compdef ${names}
# trellis tab completion for zsh
${fn}() {
${query}
  local line="\${(j: :)\${(@)words[1,CURRENT-1]}} \${compstate[quote]}\${PREFIX}"
  local -a out go done
  local entry value desc
  out=("\${(@f)$(COMP_LINE="$line" "\${cmd[@]}" 2>/dev/null)}")
  for entry in "\${out[@]}"; do
    [[ -n $entry ]] || continue
    value=\${entry%%$'\\t'*}; entry=\${entry#*$'\\t'}
    desc=\${entry%$'\\t'*}
    value=\${value//:/\\\\:}
    if [[ \${entry##*$'\\t'} == 1 ]]; then go+=("$value\${desc:+:$desc}"); else done+=("$value\${desc:+:$desc}"); fi
  done
  (( \${#go} + \${#done} )) || { _files; return }
  (( \${#go} )) && _describe -t trellis-more 'candidates' go -S ''
  (( \${#done} )) && _describe -t trellis 'candidates' done
  return 0
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${names}
fi
`;
}

function fishScript(fn: string, target: CompletionTarget): string {
  const query =
    target.kind === 'trellis'
      ? `    set -l cmd $tokens[1] completion fish --query`
      : [
          `    set -l cmd $tokens[1]`,
          `    if string match -q 'node*' (basename -- $tokens[1])`,
          `        # node SCRIPT …: only scripts that define a trellis app`,
          `        if test (count $tokens) -lt 2; or not test -f $tokens[2]; or not grep -q ${APP_MARK} $tokens[2] 2>/dev/null`,
          `            __fish_complete_path (commandline -ct)`,
          `            return`,
          `        end`,
          `        # trellis answers from what the app recorded at its last query, without importing it`,
          `        set -l bin ${quoted(target.trellisBin, 'fish')}`,
          `        if test -f $bin`,
          `            set cmd $cmd $bin completion fish --query --app $tokens[2]`,
          `        else`,
          `            set cmd $cmd $tokens[2] --shell-completion query=fish`,
          `        end`,
          `    else`,
          `        set cmd $cmd --shell-completion query=fish`,
          `    end`,
        ].join('\n');
  const register =
    target.kind === 'trellis'
      ? `complete -c trellis -f -a '(${fn})'`
      : [`complete -c node -n 'test (count (commandline -opc)) -ge 2' -f -a '(${fn})'`, `complete -c ${target.name} -f -a '(${fn})'`].join('\n');
  return `# trellis tab completion for fish
function ${fn}
    set -l tokens (commandline -opc)
${query}
    set -l out (env COMP_LINE=(commandline -cp) $cmd 2>/dev/null)
    if test (count $out) -eq 0
        __fish_complete_path (commandline -ct)
    else
        printf '%s\\n' $out
    end
end
${register}
`;
}
