#!/usr/bin/env bash
# Runs two builds of `etl` on the same drops, with the same pseudonymisation key, and
# compares every warehouse.*, metrics.* and national_feed.* view of the published run (EXCEPT ALL both
# ways) and every extract stage file byte for byte. Issue 17's "no figure of any view changes".
#
#   [OLD_SQL_DIR=DIR] scripts/compare-views.sh OLD_ETL NEW_ETL WORK_DIR PIPELINE:DROP...
#
# OLD_SQL_DIR: the sql/ folder of the old build (e.g. `git archive main sql | tar -x -C DIR`),
# when it is not where that binary finds its own.
# Columns that name the run or the moment (run_id, load_id, published_at, …) differ between
# any two runs and are left out; floating-point columns are compared rounded to 12
# significant digits (a sum in another order may differ in the last bit); every other
# value exactly. Set COMPARE_TRANSFORM=1 to compare transform's fact files too (only
# meaningful when their format is unchanged). Exit status 1 when anything differs.
set -euo pipefail
old=$1 new=$2 work=$3; shift 3
rm -rf "$work"; mkdir -p "$work"
export ETL_PSEUDONYM_KEY=${ETL_PSEUDONYM_KEY:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
differences=0
n=0
for spec in "$@"; do
    pipeline=${spec%%:*} drop=${spec#*:}
    n=$((n + 1))
    for tag in old new; do
        etl=${!tag}
        state=$work/$tag-$n
        sqldir=${ETL_SQL_DIR:-}
        [ $tag = old ] && [ -n "${OLD_SQL_DIR:-}" ] && sqldir=$OLD_SQL_DIR
        ETL_SQL_DIR=$sqldir "$etl" run --pipeline "$pipeline" --drop "$drop" --state-dir "$state" --log-format json > "$state.log" 2>&1 \
            || { echo "$tag: etl run failed on $drop (see $state.log)"; exit 2; }
        url=$(ETL_SQL_DIR=$sqldir "$etl" warehouse psql-url --state-dir "$state")
        eval "url_$tag=\$url"
    done
    # The views, their columns less the run-specific ones, each as a typed table.
    views=$(psql -X -At "$url_new" -c "SELECT table_schema || '.' || table_name FROM information_schema.views
        WHERE table_schema IN ('warehouse', 'metrics', 'national_feed') ORDER BY 1")
    psql -X -q "$url_new" -c "DROP SCHEMA IF EXISTS compare_old CASCADE; CREATE SCHEMA compare_old"
    for view in $views; do
        schema=${view%.*} name=${view#*.}
        select=$(psql -X -At "$url_new" -c "SELECT string_agg(CASE WHEN data_type IN ('double precision', 'real', 'numeric')
                THEN format('round(%I::numeric, (11 - floor(log(greatest(abs(%I::numeric), 1e-30))))::int) AS %I', column_name, column_name, column_name)
                ELSE quote_ident(column_name) END, ', ' ORDER BY ordinal_position)
            FROM information_schema.columns WHERE table_schema = '$schema' AND table_name = '$name'
              AND column_name NOT IN ('run_id', 'load_id', 'published_at', 'loaded_at', 'finished_at', 'started_at', 'as_of_run')")
        [ -n "$select" ] || continue
        query="SELECT $select FROM $view"
        psql -X -q "$url_old" -c "\\copy ($query) TO '$work/old-$n-$view.tsv'"
        psql -X -q "$url_new" -c "CREATE TABLE compare_old.\"$view\" AS $query WITH NO DATA" \
            -c "\\copy compare_old.\"$view\" FROM '$work/old-$n-$view.tsv'"
        result=$(psql -X -At "$url_new" -c "SELECT (SELECT count(*) FROM (TABLE compare_old.\"$view\" EXCEPT ALL $query) a),
                                                  (SELECT count(*) FROM ($query EXCEPT ALL TABLE compare_old.\"$view\") b),
                                                  (SELECT count(*) FROM compare_old.\"$view\")")
        IFS='|' read -r gone added rows <<< "$result"
        if [ "$gone" != 0 ] || [ "$added" != 0 ]; then
            echo "DIFFERENT $drop $view: $gone rows only before, $added only after (of $rows)"; differences=1
        else
            echo "same      $drop $view ($rows rows)"
        fi
    done
    # Stage files, byte for byte (the manifests hold times and are left out).
    stages=extract; [ "${COMPARE_TRANSFORM:-0}" = 1 ] && stages="extract transform"
    for stage in $stages; do
        for f in "$work"/old-$n/runs/*/$stage/*; do
            base=$(basename "$f"); [ "$base" = manifest.json ] && continue
            other=$(ls "$work"/new-$n/runs/*/$stage/"$base")
            if cmp -s "$f" "$other"; then echo "same      $drop $stage/$base"; else echo "DIFFERENT $drop $stage/$base"; differences=1; fi
        done
    done
    for tag in old new; do etl=${!tag}; ETL_SQL_DIR=$([ $tag = old ] && echo "${OLD_SQL_DIR:-}") "$etl" warehouse stop --state-dir "$work/$tag-$n" > /dev/null; done
done
[ $differences = 0 ] && echo "no difference" || { echo "differences found"; exit 1; }
