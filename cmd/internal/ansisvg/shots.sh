#!/bin/sh
# Screenshots of the console for the README, from the real binary: a paper
# session on the simulator in a detached tmux of 160x48, captured with its
# styles after it has run a while, rendered to SVG on a dark and a light
# background (each in its own theme). Run by `make screenshots`.
set -eu
BIN=${BIN:-bin/neo}
OUT=${OUT:-assets}
COLS=${COLS:-160}
ROWS=${ROWS:-48}
WAIT=${WAIT:-25}
tmp=$(mktemp -d)
sock="neoshots$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT
for theme in dark light; do
	printf '[console]\ntheme = "%s"\n' "$theme" >"$tmp/$theme.toml"
	tmux -L "$sock" new-session -d -s "$theme" -x "$COLS" -y "$ROWS" \
		"TERM=xterm-256color COLORTERM= NEO_CONFIG=$tmp/$theme.toml $BIN run --speed 20 --db $tmp/$theme.db"
done
sleep "$WAIT"
for theme in dark light; do
	tmux -L "$sock" capture-pane -e -p -t "$theme" >"$tmp/$theme.ans"
	go run ./cmd/internal/ansisvg -bg "$theme" -cols "$COLS" -title "neo console, $theme theme, ${COLS}x${ROWS}" \
		<"$tmp/$theme.ans" >"$OUT/console-$theme.svg"
	echo "wrote $OUT/console-$theme.svg ($(wc -c <"$OUT/console-$theme.svg") bytes)"
done
# The text screenshot for the README: the dark capture without its styles.
echo "--- text screenshot (for the README) ---"
sed 's/\x1b\[[0-9;:]*m//g; s/ *$//' "$tmp/dark.ans"
