#!/usr/bin/env bash
# Fetches and unpacks a Debian source package through apt, with a private apt configuration
# whose deb-src entries are derived from this machine's own apt sources. The machine's apt
# setup is never changed, and no archive is named here: whatever mirror the machine uses
# (its sources.list or deb822 .sources files) serves the sources too.
#
#   cmake/apt-source.sh PACKAGE[=VERSION] DESTDIR
#
# Unpacks into DESTDIR/PACKAGE-VERSION (dpkg-source checks every file against the .dsc's
# checksums) and prints that directory. A second call with the same version does nothing.
# apt's private state lives in ${RETRACE_CACHE_DIR:-~/.cache/retrace}/apt.
set -euo pipefail
spec=$1
dest=$(realpath -m "$2")
package=${spec%%=*}

cache=${RETRACE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/retrace}
aptdir=$cache/apt
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/sources.list.d"

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || { echo "apt-source: /etc/os-release names no VERSION_CODENAME" >&2; exit 1; }

# deb-src twins of the machine's enabled deb entries for this release (its suites, -updates,
# -security), in both of apt's formats. Other repositories (vendors' tools) carry no sources.
python3 - "$codename" "$aptdir/sources.list.d/retrace-src.sources" <<'PY'
import glob, os, re, sys
codename, out = sys.argv[1], sys.argv[2]
entries = []
def ours(suites):
    return [s for s in suites if s == codename or s.startswith(codename + "-") or s.startswith(codename + "/")]
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    text = open(path).read()
    for block in re.split(r"\n\s*\n", text):
        fields, key = {}, None
        for line in block.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if line[0] in " \t" and key:
                fields[key] += " " + line.strip()
                continue
            key, _, value = line.partition(":")
            key = key.strip().lower()
            fields[key] = value.strip()
        if "deb" not in fields.get("types", "").split() or fields.get("enabled", "yes").lower() == "no":
            continue
        suites = ours(fields.get("suites", "").split())
        if suites:
            entries.append((fields["uris"].split(), suites, fields.get("components", "main").split(),
                            fields.get("signed-by", "")))
lists = ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list"))
for path in lists:
    if not os.path.exists(path):
        continue
    for line in open(path):
        line = line.split("#", 1)[0].strip()
        m = re.match(r"^deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$", line)
        if not m:
            continue
        opts, uri, suite, comps = m.group(1) or "", m.group(2), m.group(3), m.group(4).split()
        signed = re.search(r"signed-by=(\S+?)[\] ]", opts + " ")
        if ours([suite]):
            entries.append(([uri], [suite], comps, signed.group(1) if signed else ""))
if not entries:
    sys.exit(f"apt-source: none of this machine's apt sources is for {codename}")
with open(out, "w") as f:
    for uris, suites, comps, signed in entries:
        f.write(f"Types: deb-src\nURIs: {' '.join(uris)}\nSuites: {' '.join(suites)}\n"
                f"Components: {' '.join(comps)}\n")
        if signed:
            f.write(f"Signed-By: {signed}\n")
        f.write("\n")
PY

apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$aptdir/sources.list.d"
          -o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir/cache"
          -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
# Refresh the private source index at most once a day (a new point release changes versions).
stamp=$aptdir/updated
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440)" ] ||
   [ "$aptdir/sources.list.d/retrace-src.sources" -nt "$stamp" ]; then
  apt-get "${apt_opts[@]}" -qq update >&2 || { echo "apt-source: apt-get update of the deb-src entries failed" >&2; exit 1; }
  touch "$stamp"
fi

if [ "$spec" = "$package" ]; then
  version=$(apt-cache "${apt_opts[@]}" showsrc "$package" 2>/dev/null |
            awk '/^Version:/ {print $2}' | sort -V | tail -1)
else
  version=${spec#*=}
fi
[ -n "$version" ] || { echo "apt-source: no source package $package in this machine's archive" >&2; exit 1; }
upstream=${version#*:}
out=$dest/$package-$upstream
if [ -d "$out" ]; then echo "$out"; exit 0; fi

work=$dest/.fetch-$package-$upstream
rm -rf "$work" "$out.tmp" && mkdir -p "$work"
(cd "$work" && apt-get "${apt_opts[@]}" -qq source --download-only "$package=$version" >&2) ||
  { echo "apt-source: downloading the source of $package $version failed" >&2; exit 1; }
dsc=$(ls "$work"/*.dsc)
dpkg-source --no-copy -x "$dsc" "$out.tmp" >"$work/dpkg-source.log" 2>&1 ||
  { cat "$work/dpkg-source.log" >&2; echo "apt-source: unpacking $dsc failed" >&2; exit 1; }
mv "$out.tmp" "$out"
rm -rf "$work"
echo "$out"
