#!/usr/bin/env bash
# Create contrib/spark/.venv with the pinned pyspark, pyarrow, pandas<3 and
# pytest of requirements.txt, and check that Java 17 (or 21) is there for
# Spark. Idempotent: a second run with the same requirements does nothing.
# Prints what it did. Environment: PYTHON (default python3), JAVA_HOME.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
req="$here/requirements.txt"
stamp="$venv/.lifted-requirements"

# Java first: without it there is no point in a 430 MB download.
if [ -n "${JAVA_HOME:-}" ]; then
  java="$JAVA_HOME/bin/java"
  if [ ! -x "$java" ]; then
    echo "setup.sh: error: JAVA_HOME=$JAVA_HOME has no bin/java; point JAVA_HOME at a Java 17 installation (Debian: apt-get install openjdk-17-jre-headless)" >&2
    exit 2
  fi
elif command -v java >/dev/null 2>&1; then
  java="$(command -v java)"
else
  echo "setup.sh: error: Java 17 is needed by Spark and no java was found (neither JAVA_HOME nor java on PATH); install it (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME" >&2
  exit 2
fi
version_line="$("$java" -version 2>&1 | head -n 1)"
major="$(printf '%s\n' "$version_line" | sed -E 's/.*version "([0-9]+)(\.[0-9]+)?.*/\1/')"
if [ "$major" != 17 ] && [ "$major" != 21 ]; then
  echo "setup.sh: error: $java is Java $major ($version_line); Spark 4.0 needs Java 17 or 21: set JAVA_HOME to one (Debian: /usr/lib/jvm/java-17-openjdk-amd64)" >&2
  exit 2
fi
echo "setup.sh: java: $java ($version_line)"

python="${PYTHON:-python3}"
if ! "$python" -m venv --help >/dev/null 2>&1; then
  echo "setup.sh: error: $python has no venv module (Debian: apt-get install python3-venv)" >&2
  exit 2
fi
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && cmp -s "$stamp" "$req" &&
   "$venv/bin/python" -c 'import pyspark, pyarrow, pandas, pytest' 2>/dev/null; then
  echo "setup.sh: $venv is up to date ($(tr '\n' ' ' <"$stamp" | grep -oE '[A-Za-z0-9_.-]+==[^ ]+' | tr '\n' ' '))"
  exit 0
fi
if [ ! -x "$venv/bin/python" ]; then
  echo "setup.sh: creating $venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv"
else
  echo "setup.sh: updating $venv to requirements.txt"
fi
started=$(date +%s)
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
cp "$req" "$stamp"
echo "setup.sh: installed $(grep -oE '^[A-Za-z0-9_.-]+==[^ ]+' "$req" | tr '\n' ' ')in $(( $(date +%s) - started )) s"
