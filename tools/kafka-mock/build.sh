#!/usr/bin/env sh
# Builds the librdkafka mock-cluster launcher when the binary is missing or older
# than its source, then prints the binary's path (the only line on stdout).
set -eu

dir=$(cd "$(dirname "$0")" && pwd)
src="$dir/kafka-mock.c"
bin="$dir/bin/kafka-mock"

if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
  if [ ! -f /usr/include/librdkafka/rdkafka_mock.h ]; then
    echo "kafka-mock: librdkafka headers not found (/usr/include/librdkafka/rdkafka_mock.h)." >&2
    echo "kafka-mock: install them with: sudo apt-get install librdkafka-dev" >&2
    exit 1
  fi
  mkdir -p "$dir/bin"
  # Build to a temporary name so a concurrent run never executes a half-written binary.
  tmp="$bin.tmp.$$"
  cc -O2 -Wall -Wextra -o "$tmp" "$src" -lrdkafka >&2 || { rm -f "$tmp"; echo "kafka-mock: compilation failed" >&2; exit 1; }
  mv -f "$tmp" "$bin"
fi

echo "$bin"
