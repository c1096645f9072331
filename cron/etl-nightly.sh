#!/usr/bin/env bash
# The nightly wrapper cron calls: sets the environment, runs `etl run` on the newest drop of
# the inbox, appends JSON logs to a rotated log file, and turns the exit status into what an
# operator needs. Success prints nothing (cron mails only what a job prints, so no mail),
# unless records were rejected (one line; ETL_QUIET_REJECTS=1: nothing);
# a failure prints what happened, what to do and the end of the log, which cron mails to
# MAILTO. Either way one syslog line (logger -t etl).
#
#   etl-nightly.sh PIPELINE INBOX
#
# Environment (all optional): ETL_BIN (default: etl on PATH, else bin/etl beside this script's
# folder as installed, else .build/release/etl of its checkout), ETL_STATE_DIR (default /var/lib/etl), ETL_LOG_DIR (default
# $ETL_STATE_DIR/logs), ETL_KEEP_LOGS (default 14), ETL_ENV_FILE (default /etc/etl/etl.env: sets
# ETL_PSEUDONYM_KEY and DATABASE_URL), ETL_TIME_LIMIT (default 6h, as timeout(1) reads it; 0:
# none): a night still running then is stopped (SIGTERM, and SIGKILL a minute later), so that a
# run hung on a server that keeps its connection but never answers does not hold the lock
# against every later night.
set -uo pipefail
# What the wrapper and etl write (logs, stage files) is readable by their owner only.
umask 077

pipeline=${1:?usage: etl-nightly.sh PIPELINE INBOX}
inbox=${2:?usage: etl-nightly.sh PIPELINE INBOX}
here=$(cd "$(dirname "$0")/.." && pwd)

env_file=${ETL_ENV_FILE:-/etc/etl/etl.env}
env_note=
# An environment file named, or there, that cannot be read whole would run the night
# without its key and database: stop, and say so (cron mails it).
refuse_env() {
    echo "etl nightly run not started: the environment file $env_file $1 (it sets the pseudonymisation key and the database)."
    logger -t etl -p user.err "not started: the environment file $env_file $1" 2>/dev/null || true
    exit 64
}
if [ -n "${ETL_ENV_FILE:-}" ] || [ -e "$env_file" ]; then
    # A pipe would hold the night until someone writes to it, and feed it their lines.
    [ ! -p "$env_file" ] || refuse_env "is a named pipe: name a file"
    { [ ! -d "$env_file" ] && [ -r "$env_file" ] && exec 9<"$env_file"; } 2>/dev/null \
        || refuse_env "cannot be read (missing, a folder, or not readable)"
    # Checked and read through the one descriptor, so that what is checked is what is read (a
    # re-test swapped the file between the two). Its lines run as this user, and it holds the
    # key: one another user owns could run commands as this user, and one others may read
    # gives the key away (an adversarial review).
    read -r owner mode kind < <(stat -L -c '%u %a %F' "/proc/$$/fd/9")
    [ "$kind" != "regular empty file" ] || kind="regular file"   # stat's word for an empty one: nothing to set, no error
    [ "$owner" = "$(id -u)" ] || [ "$owner" = 0 ] \
        || refuse_env "belongs to another user (uid $owner), whose lines would run as $(id -un): have it given to $(id -un) (chown), or name your own"
    [ "$kind" = "regular file" ] || [ "$env_file" = /dev/null ] || refuse_env "is not a regular file ($kind): name a file"
    [ "$kind" != "regular file" ] || [ $((8#$mode & 8#077)) -eq 0 ] \
        || refuse_env "is open to group or others (mode $mode): the key in it is no secret; chmod 600 it"
    env_text=$(tr -d '\r' <&9; printf x)   # the x keeps its last line breaks
    env_text=${env_text%x}
    exec 9<&-
    # Tried first in a subshell that stops at the first line that fails (set -e) and must
    # reach the file's end (a line added after it): a failing line (`KEY = value`,
    # `$(cat /missing)`), an `exit` or a `return` would otherwise run the night without the
    # key (a new warehouse then makes one nobody chose). Only the line number is shown: bash's
    # error would quote a stray line, perhaps the key. Carriage returns (a file saved on
    # Windows) are taken out first.
    errors=$(mktemp) || exit 70
    # shellcheck disable=SC1090
    whole=$( (set -e; set -a; . <(printf '%s' "$env_text"; printf '\n_etl_env_read=whole\n') >/dev/null
              echo "${_etl_env_read:-}") 2>"$errors" )
    line=$(sed -n 's/.*line \([0-9][0-9]*\).*/\1/p' "$errors" | head -n 1)
    rm -f "$errors"
    [ "$whole" = whole ] || refuse_env "could not be read as shell assignments: it stops${line:+ at line $line} (a command that failed, an assignment with spaces around =, an exit or a return)"
    set -a
    # shellcheck disable=SC1090
    . <(printf '%s' "$env_text")
    set +a
    unset env_text
    # What a command typed by hand needs besides its arguments: the same key and database.
    env_note=" (with the environment of $env_file)"
    export ETL_ENV_FILE=$env_file   # etl names it when the key it set is refused
fi
export ETL_STATE_DIR=${ETL_STATE_DIR:-/var/lib/etl}
log_dir=${ETL_LOG_DIR:-$ETL_STATE_DIR/logs}
keep=${ETL_KEEP_LOGS:-14}
# A number of days, else the default: "14 days" stopped the rotation with "unbound variable" (a review).
case $keep in ''|*[!0-9]*) echo "etl nightly: ETL_KEEP_LOGS='$keep' is no number of days; keeping 14" >&2; keep=14 ;; esac
# Installed (docs/operations.md): bin/etl beside cron/; in a checkout, its release build.
installed="$here/bin/etl"
[ -x "$installed" ] || installed="$here/.build/release/etl"
etl=${ETL_BIN:-$(command -v etl || echo "$installed")}
mkdir -p "$log_dir"

# One log file a day, the oldest beyond $keep removed.
log="$log_dir/etl-$(date -u +%Y-%m-%d).log"
# Appended to as this user: a log folder or file of another user's, or a link (one planted in
# a state directory left open), would have the night's log written wherever it points.
if [ -L "$log_dir" ] || [ ! -O "$log_dir" ] || [ -n "$(find "$log_dir" -maxdepth 0 -perm /022)" ] \
    || [ -L "$log" ] || { [ -e "$log" ] && [ ! -O "$log" ]; }; then
    echo "etl nightly run not started: the log $log, or its folder, is a link, is not this user's ($(id -un)) or may be written by others; another user may have put it there. Look at it, remove it (or chmod go-w the folder), and run again."
    logger -t etl -p user.err "not started: the log $log is a link or another user's" 2>/dev/null || true
    exit 1
fi
# Opened once, from inside the folder entered and checked there, then written and read through
# that descriptor only: by its path, the log was made in another user's folder swapped in
# meanwhile, and a log folder swapped while etl ran, for one whose log was a link to the
# environment file, had the key printed into cron's mail (reviews).
started_in=$PWD
if ! cd -P -- "$log_dir" || [ ! -O . ] || [ -n "$(find . -maxdepth 0 -perm /022)" ] || ! exec 3>>"./${log##*/}"; then
    echo "etl nightly run not started: the log $log cannot be opened for writing in a folder of this user's alone. Look at $log_dir (its owner, its mode, the disk), and run again."
    logger -t etl -p user.err "not started: the log $log cannot be opened" 2>/dev/null || true
    exit 1
fi
night_log=/proc/$$/fd/3
if [ "$(stat -L -c %d:%i "$night_log")" != "$(stat -c %d:%i -- "./${log##*/}" 2>/dev/null)" ] || [ ! -O "$night_log" ]; then
    echo "etl nightly run not started: the log $log changed while it was opened; another user may have put a link there. Look at $log_dir, and run again."
    logger -t etl -p user.err "not started: the log $log changed while it was opened" 2>/dev/null || true
    exit 1
fi
# Older logs removed here, inside the folder checked, by names of the wrapper's own form only:
# by path, in a folder swapped meanwhile, `rm` took names another user chose ("etl-0 -r dir
# .log"), a review. Tonight's log is kept whatever ETL_KEEP_LOGS says.
ls -1t 2>/dev/null | grep -E '^etl-[0-9]{4}-[0-9]{2}-[0-9]{2}\.log$' | grep -vxF -- "${log##*/}" \
    | tail -n +"$((keep > 1 ? keep : 1))" | while IFS= read -r old; do rm -f -- "./$old"; done
cd -- "$started_in" 2>/dev/null || true

# A stop (shutdown, a cron timeout, Ctrl-C on a night tried by hand) is said, not silent.
# timeout(1) puts itself and etl in a process group of their own, so a signal sent to the
# wrapper, or to its group from a terminal, would never reach etl, which went on and published
# (an adversarial review): the wrapper passes it on to timeout, which passes it to etl. etl
# runs in the background for that, as bash runs a trap only once a foreground job has ended.
logged=$(stat -L -c %s "$night_log" 2>/dev/null || echo 0)
# The summary line, likewise through a descriptor, of a file no name leads to.
summary_file=$(mktemp) || exit 70
exec 4<>"$summary_file" || exit 70
rm -f "$summary_file"
stopped= child=
for sig in TERM INT HUP QUIT; do trap "stopped=$sig; interrupted=yes; [ -z \"\$child\" ] || kill -s $sig \"\$child\" 2>/dev/null" "$sig"; done
timeout --kill-after=1m "${ETL_TIME_LIMIT:-6h}" "$etl" run --pipeline "$pipeline" --inbox "$inbox" --log-format json \
    >&4 2>&3 3>&- 4>&- &
child=$!
[ -z "$stopped" ] || kill -s "$stopped" "$child" 2>/dev/null   # one sent before etl started
# A trapped signal ends `wait` early (128 + its number): wait again for etl's own status.
# Once that was given, bash answers 127 (no such job) and the status before stands.
status=
while :; do
    interrupted=
    wait "$child"; waited=$?
    [ "$waited" -eq 127 ] && [ -n "$status" ] && break
    status=$waited
    [ -z "$interrupted" ] && break
done
summary=$(cat "/proc/$$/fd/4"); exec 4>&-
# timeout(1) says 124 for a stop it made (137 when it had to kill): as the signal it sent.
timed_out=
[ "$status" -eq 124 ] && { timed_out=yes; status=$((128 + 15)); }
[ -n "$summary" ] && echo "$summary" >&3

# The run this night's log lines name last (the JSON error line's "run"; none when etl
# stopped before it had one), for the commands below; earlier nights of the day do not count.
run=$(tail -c +"$((logged + 1))" "$night_log" | grep -o '"run":"\{0,1\}[0-9]*' | tail -n 1 | grep -o '[0-9]*$')

# etl's own last error (its JSON line's "event"), for a headline that says more than a status.
said=$(tail -c +"$((logged + 1))" "$night_log" | grep '"level":"error"' | tail -n 1 \
       | sed -n 's/.*"event":"\(\([^"\\]\|\\.\)*\)".*/\1/p' | sed 's/\\"/"/g; s/\\\\/\\/g')

case $status in
    0)  message="ok: ${summary:-nothing to do}" ; level=info ;;
    65) message="reject threshold exceeded in run ${run:-?}: a file had too many bad records; the warehouse is unchanged. See them: $etl rejects ${run:-RUN} --state-dir $ETL_STATE_DIR$env_note" ; level=err ;;
    66) message="drop incomplete (MANIFEST mismatch or missing files), a folder in the inbox that is no drop (not named by its day), or no inbox; an older complete drop, if any, was taken: ${summary:-none}. Check the export job, or move the folder the log names out of the inbox." ; level=err ;;
    69) message="database unreachable; the warehouse is unchanged, unless the log's last line says a publish's outcome is not known ($etl runs --state-dir $ETL_STATE_DIR then says which run is published). Check the server." ; level=err ;;
    73) message="published, but the committee's report was not written; see $log, then run: etl report" ; level=err ;;
    75) message="another run still holds the lock; this night's run was skipped." ; level=warning ;;
    64) message="refused (exit 64), the warehouse unchanged: the error in the log's last lines says why and what to do (the crontab line, the pipeline file, or a drop of an earlier day than the published run's)." ; level=err ;;
    *)  if [ "$status" -gt 128 ] && case $((status - 128)) in 4|5|6|7|8|11) true ;; *) false ;; esac; then
            message="etl crashed (SIG$(kill -l "$status" 2>/dev/null || echo "$((status - 128))"))${run:+ in run $run}: what it had not committed is rolled back, and a run is published whole or not at all; $etl runs${run:+ show $run} --state-dir $ETL_STATE_DIR says where it stopped. Run it again; if it crashes again, report it with etl --version"
        elif [ "$status" -gt 128 ]; then
            message="etl was stopped by SIG$(kill -l "$status" 2>/dev/null || echo "$((status - 128))")${run:+ in run $run}. A run is published whole or not at all, so analysts see either the last night's figures or this one's; $etl runs${run:+ show $run} --state-dir $ETL_STATE_DIR says which and the step left (a drop not loaded is taken again the next night)"
        elif [ "$status" -eq 127 ] || [ "$status" -eq 126 ]; then
            message="failed: $etl could not be run (exit $status: not found, or not executable). Install etl (docs/operations.md), or set ETL_BIN to its path in the crontab line"
        else
            message="failed (exit $status)${said:+: $said}; see $log"
        fi
        level=err ;;
esac
[ -n "$stopped" ] && message="$message (the wrapper itself was sent SIG$stopped)"
[ -n "$timed_out" ] && message="$message (it ran longer than ETL_TIME_LIMIT=${ETL_TIME_LIMIT:-6h}: check the database server, which may hold the connection without answering, and the log)"

logger -t etl -p "user.$level" "$message" 2>/dev/null || true
# A night with rejects under the threshold succeeded, but a steward should see them: one
# line, which cron mails (ETL_QUIET_REJECTS=1 keeps such nights silent).
night=$(printf '%s\n' "$summary" | awk '/^run / { print $2 }' | tail -n 1)
rejected=$(printf '%s\n' "$summary" | grep -o ' rejected=[0-9]*' | tail -n 1 | cut -d= -f2)
if [ "$status" -eq 0 ] && [ "${rejected:-0}" -gt 0 ] && [ "${ETL_QUIET_REJECTS:-0}" != 1 ]; then
    echo "etl nightly run $night ok, with $rejected rejected records: see them with $etl rejects $night --state-dir $ETL_STATE_DIR$env_note"
fi
# An export with no records is taken (a MANIFEST may say 0 rows), but its figures go with it:
# said on a night that succeeded, so that a failed export job is not published in silence.
empty=$(tail -c +"$((logged + 1))" "$night_log" | grep -o '"event":"[^"]* has no records' | sed 's/^"event":"//; s/ has no records$//' | sort -u | tr '\n' ' ')
if [ "$status" -eq 0 ] && [ -n "$empty" ]; then
    echo "etl nightly: ${empty% } had no records in this night's drop, so run ${night:-${run:-?}} has none of their rows${night:+ (published)}. If the export job failed: rerun it; to put an earlier run's figures back meanwhile, $etl runs --state-dir $ETL_STATE_DIR, then $etl publish RUN --force --state-dir $ETL_STATE_DIR$env_note"
fi
# A new key is news on a good night too: on the first, it must be backed up; on any other,
# the state directory was not there (a disk not mounted?) and every pseudonym is new.
# (grep reads it all: with -q it would stop early, and pipefail would take tail's SIGPIPE for a no.)
if tail -c +"$((logged + 1))" "$night_log" | grep -F 'created a new pseudonymisation key' >/dev/null; then
    echo "etl nightly: this night made a new pseudonymisation key in $ETL_STATE_DIR: back it up. If this is not the first night, the state directory was not there (a disk not mounted?), so the warehouse and every child's pseudonym are new"
fi
if [ "$status" -ne 0 ]; then
    # Printed only now: cron mails it.
    echo "etl nightly run failed: $message"
    echo "log: $log; this night's last lines:"
    tail -c +"$((logged + 1))" "$night_log" | tail -n 20
fi
exit "$status"
