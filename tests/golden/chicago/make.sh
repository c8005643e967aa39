#!/bin/sh
# Remake the Chicago golden files from records.json with Pandoc's citeproc.
# Usage: sh tests/golden/chicago/make.sh /path/to/chicago-notes-bibliography-17th-edition.csl
set -eu
cd "$(dirname "$0")"
csl=$1
pandoc doc.md --citeproc --bibliography=records.json --csl="$csl" -t plain --wrap=none -o pandoc.txt
pandoc doc.md --citeproc --bibliography=records.json --csl="$csl" -t html --wrap=none -o pandoc.html
# Notes 1-6 are first citations, 7-12 repeat citations, in the order of ids.txt.
ids=$(cat ids.txt)
n=0
: > full.txt; : > short.txt
for id in $ids $ids; do
  n=$((n + 1))
  text=$(grep "^\[$n\] " pandoc.txt | sed "s/^\[$n\] //")
  if [ $n -le 6 ]; then echo "$id	$text" >> full.txt; else echo "$id	$text" >> short.txt; fi
done
# The bibliography: the paragraphs between the body and the notes, in citeproc's order.
awk '/^\[1\] /{exit} found && NF {print} /^Book again\./{found=1}' pandoc.txt > bibliography.txt
