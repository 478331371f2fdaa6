#!/usr/bin/env bash
# Make what a call of the lent GPU machine sends fit its 64 MiB, and put the checkout back after.
#
#   bash training/gpu_tree.sh hide      # models/ (75 MB, tracked) leaves the index and is ignored
#   bash training/gpu_tree.sh size      # bytes that travel: tracked + untracked-not-ignored + .gpu
#   bash training/gpu_tree.sh restore   # models/ back in the index, the ignore line gone
#
# The files under models/ never move: `git rm --cached` drops them from the index only, and one line
# in .git/info/exclude ignores them, so the tool neither counts nor sends them (the GPU run reads
# .gpu/ alone). `restore` runs `git reset -- models`, which puts the index entries back from HEAD.
# Never commit between hide and restore: the commit would delete models/ from the repository.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
HIDDEN=models
MARK="# edunlp training/gpu_tree.sh: hidden for a GPU call, restore with: bash training/gpu_tree.sh restore"
EXCLUDE="$(git rev-parse --git-path info/exclude)"
CREATED="# edunlp training/gpu_tree.sh made this file: restore removes it"

hidden() { grep -qxF "$MARK" "$EXCLUDE" 2>/dev/null; }

case "${1:-}" in
hide)
    if hidden; then echo "gpu_tree: already hidden" >&2; exit 1; fi
    if [ -n "$(git status --porcelain -- "$HIDDEN")" ]; then
        echo "gpu_tree: $HIDDEN/ has changes; commit or stash them first" >&2; exit 1
    fi
    git rm -r -q --cached -- "$HIDDEN"
    mkdir -p "$(dirname "$EXCLUDE")"
    [ -e "$EXCLUDE" ] || echo "$CREATED" >"$EXCLUDE"
    printf '%s\n/%s/\n' "$MARK" "$HIDDEN" >>"$EXCLUDE"
    echo "gpu_tree: $HIDDEN/ hidden from the index (files untouched); run 'restore' right after the call" >&2
    ;;
restore)
    if ! hidden; then echo "gpu_tree: nothing hidden" >&2; exit 0; fi
    git reset -q -- "$HIDDEN"
    if grep -qxF "$CREATED" "$EXCLUDE"; then
        rm "$EXCLUDE"  # there was none before hide
    else
        grep -vxF -e "$MARK" -e "/$HIDDEN/" "$EXCLUDE" >"$EXCLUDE.tmp" || true
        mv "$EXCLUDE.tmp" "$EXCLUDE"
    fi
    if [ -n "$(git status --porcelain -- "$HIDDEN")" ]; then
        echo "gpu_tree: $HIDDEN/ differs from HEAD after restore:" >&2; git status --short -- "$HIDDEN" >&2; exit 1
    fi
    echo "gpu_tree: $HIDDEN/ restored" >&2
    ;;
size)
    sum() { tr '\0' '\n' | while IFS= read -r f; do [ -f "$f" ] && stat -c %s "$f"; done | awk '{s+=$1} END {print s+0}'; }
    tracked=$(git ls-files -z | sum)
    untracked=$(git ls-files -z --others --exclude-standard | sum)
    carried=$( [ -d .gpu ] && find .gpu -type f -print0 | sum || echo 0)
    total=$((tracked + untracked + carried))
    awk -v t="$tracked" -v u="$untracked" -v c="$carried" 'BEGIN {printf "tracked %d  untracked-not-ignored %d  .gpu (carried) %d  total %d bytes = %.1f MiB (limit 64 MiB)\n", t, u, c, t + u + c, (t + u + c) / 1048576}'
    [ "$total" -le $((64 * 1048576)) ]
    ;;
*)
    echo "usage: bash training/gpu_tree.sh hide|size|restore" >&2; exit 2
    ;;
esac
