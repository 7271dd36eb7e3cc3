#!/usr/bin/env bash
# Regenerates the "gettext" package list in corpora/sources.json from Debian's Contents index.
# Run once by hand when moving to a new Debian release; the committed JSON is what builds use.
#   apt-get update && apt-get install -y apt-file && apt-file update
#   bash corpora/generate-sources.sh
set -euo pipefail
cd "$(dirname "$0")"
LANGS='sw|ha|yo|am|so|zu|xh|ig|rw|qu|uz|mn|ky|mg|lo|wo|ti|om|st|bo'
apt-file search -x "^/usr/share/locale/(${LANGS})([_@][^/]*)?/LC_MESSAGES/.*\.mo\$" \
  | sed -E 's#^([^:]+): /usr/share/locale/([^/]+)/.*#\1 \2#' | sort -u > /tmp/tafuta-gettext.txt
node --input-type=module -e '
import { readFileSync, writeFileSync } from "node:fs";
const sources = JSON.parse(readFileSync("sources.json", "utf8"));
const packages = {};
for (const line of readFileSync("/tmp/tafuta-gettext.txt", "utf8").split("\n")) {
  const [pkg, locale] = line.split(" ");
  if (!pkg || !locale) continue;
  (packages[pkg] ??= []).push(locale);
}
sources.gettext = { generatedBy: "corpora/generate-sources.sh", packages };
// arrays of strings on one line keep the file diff-friendly
const text = JSON.stringify(sources, null, 1).replace(/\[[^\[\]{}]*\]/g, (m) => m.replace(/\s+/g, " "));
writeFileSync("sources.json", text + "\n");
console.log(Object.keys(packages).length + " packages");
'
