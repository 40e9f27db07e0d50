#!/usr/bin/env bash
# Runs one loyaltyctl command and checks its exit status, stdout and stderr.
#
#   run_cli_case.sh --exit N [checks...] -- COMMAND [ARGS...]
#
# Checks (each stream at most once):
#   --stdout TEXT         stdout is exactly TEXT plus one newline
#   --stdout-empty        stdout is empty
#   --stdout-regex RE     stdout matches the bash extended regex RE (use ^...$ to anchor)
#   --stdout-file FILE    stdout is byte-identical to FILE
#   --stderr TEXT | --stderr-empty | --stderr-regex RE | --stderr-file FILE   the same for stderr
# A stream without a check is not looked at. On failure the script prints what differed and
# exits 1; on success it exits 0.
set -euo pipefail

expected_exit=
stdout_mode= stdout_value=
stderr_mode= stderr_value=

die_usage() {
  echo "run_cli_case.sh: $*" >&2
  exit 1
}

set_check() {  # stream mode value
  local stream=$1 mode=$2 value=$3
  local current_mode_var=${stream}_mode
  [[ -z ${!current_mode_var} ]] || die_usage "more than one check for $stream"
  printf -v "${stream}_mode" '%s' "$mode"
  printf -v "${stream}_value" '%s' "$value"
}

while (($# > 0)); do
  case $1 in
    --exit) (($# >= 2)) || die_usage "--exit needs a value"; expected_exit=$2; shift 2 ;;
    --stdout | --stdout-regex | --stdout-file | --stderr | --stderr-regex | --stderr-file)
      (($# >= 2)) || die_usage "$1 needs a value"
      stream=${1#--}; stream=${stream%%-*}
      mode=${1#--"$stream"}; mode=${mode#-}; mode=${mode:-exact}
      set_check "$stream" "$mode" "$2"
      shift 2
      ;;
    --stdout-empty | --stderr-empty)
      stream=${1#--}; stream=${stream%%-*}
      set_check "$stream" exact ""
      shift
      ;;
    --) shift; break ;;
    *) die_usage "unknown option $1" ;;
  esac
done
[[ -n $expected_exit ]] || die_usage "--exit is required"
(($# > 0)) || die_usage "no command after --"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

set +e
"$@" >"$work/stdout" 2>"$work/stderr"
actual_exit=$?
set -e

failed=0
report() {
  echo "FAILED: $*"
  failed=1
}

# check_stream NAME MODE VALUE
check_stream() {
  local name=$1 mode=$2 value=$3 file=$work/$1
  local content
  content=$(cat "$file"; printf x)
  content=${content%x}
  case $mode in
    "") return 0 ;;
    exact)
      local want=$value
      [[ -z $want ]] || want+=$'\n'
      if [[ $content != "$want" ]]; then
        report "$name differs"
        diff -u <(printf '%s' "$want") "$file" | sed 's/^/  /' || true
      fi
      ;;
    regex)
      if ! [[ $content =~ $value ]]; then
        report "$name does not match the regex: $value"
        sed 's/^/  | /' "$file"
      fi
      ;;
    file)
      [[ -f $value ]] || { report "expected $name file $value does not exist"; return 0; }
      if ! cmp -s "$value" "$file"; then
        report "$name differs from $value"
        diff -u "$value" "$file" | sed 's/^/  /' || true
      fi
      ;;
  esac
}

if [[ $actual_exit != "$expected_exit" ]]; then
  report "exit status $actual_exit, expected $expected_exit"
fi
check_stream stdout "$stdout_mode" "$stdout_value"
check_stream stderr "$stderr_mode" "$stderr_value"

if ((failed)); then
  echo "command: $*"
  if [[ $actual_exit != "$expected_exit" ]]; then
    echo "stdout:"; sed 's/^/  | /' "$work/stdout"
    echo "stderr:"; sed 's/^/  | /' "$work/stderr"
  fi
  exit 1
fi
