#!/bin/sh
# Remake the Chicago golden files from records.json with Pandoc's citeproc.
# Usage: sh tests/golden/chicago/make.sh /path/to/chicago-notes-bibliography-17th-edition.csl
set -eu
cd "$(dirname "$0")"
csl=$1
pandoc doc.md --citeproc --bibliography=records.json --csl="$csl" -t plain --wrap=none -o pandoc.txt
pandoc doc.md --citeproc --bibliography=records.json --csl="$csl" -t html --wrap=none -o pandoc.html
# doc.md cites each record of ids.txt once (first citations), then each again in the same
# order (repeat citations): notes 1..count are full notes, the rest short ones.
ids=$(cat ids.txt)
count=$(wc -l < ids.txt)
n=0
: > full.txt; : > short.txt
for id in $ids $ids; do
  n=$((n + 1))
  text=$(grep "^\[$n\] " pandoc.txt | sed "s/^\[$n\] //")
  if [ $n -le "$count" ]; then echo "$id	$text" >> full.txt; else echo "$id	$text" >> short.txt; fi
done
# The bibliography: the paragraphs between the body (whose last lines cite "... again.")
# and the notes, in citeproc's order.
awk '/^\[1\] /{exit} found && NF && !/ again\.\[[0-9]+\]$/ {print} / again\.\[[0-9]+\]$/{found=1}' \
  pandoc.txt > bibliography.txt
# The realistic Zotero export of tests/fixtures/csl/, each item cited once (zotero.md):
# its full notes, one a line in export order, and its bibliography.
export=../../fixtures/csl/zotero-export.json
pandoc zotero.md --citeproc --bibliography="$export" --csl="$csl" -t plain --wrap=none -o zotero.txt
grep '^\[[0-9]*\] ' zotero.txt | sed 's/^\[[0-9]*\] //' > zotero-full.txt
awk '/^\[1\] /{exit} found && NF {print} /^Item [0-9]+\.\[[0-9]+\]$/{found=1}' zotero.txt |
  grep -v '^Item [0-9]*\.\[' > zotero-bibliography.txt
rm zotero.txt
