#!/usr/bin/env python3
"""Summarises a `make bench` run: per-size-class medians, throughput, peak RSS and ratios, all measured here."""
import json, os, statistics, sys

work, corpus, thumbgen_s, load_s, f3d_s = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:6])
entries = [line.rstrip("\n").split("\t") for line in open(os.path.join(work, "entries.tsv"))]
size_class = {os.path.realpath(os.path.join(corpus, main)): cls for _, main, cls in entries}
by_name = {main: os.path.realpath(os.path.join(corpus, main)) for _, main, _ in entries}

thumbgen = {}
for line in open(os.path.join(work, "thumbgen.jsonl")):
    if line.startswith("{"):
        record = json.loads(line)
        if "file" in record and "status" in record:
            # thumbgen names files relative to the folder they share (the corpus folder).
            thumbgen[by_name.get(record["file"], os.path.realpath(record["file"]))] = record

def rows(name):
    out = {}
    for line in open(os.path.join(work, name)):
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 3 and parts[0] != "total":
            out[os.path.realpath(parts[2])] = (float(parts[0]), parts[1])
    return out

f3d, load = rows("f3d.tsv"), rows("load.tsv")
n = len(size_class)
ok_thumbgen = sum(1 for r in thumbgen.values() if r["status"] == "ok")
ok_f3d = sum(1 for ms, status in f3d.values() if status == "ok")
rss_kib = int(open(os.path.join(work, "thumbgen.rss")).read().split()[-1])

print(f"\n{'size class':<22}{'files':>6}{'thumbgen median ms':>20}{'f3d median ms':>16}{'load-only ms':>14}")
for cls in sorted(set(size_class.values())):
    files = [f for f, c in size_class.items() if c == cls]
    med = lambda values: statistics.median(values) if values else float("nan")
    t = med([thumbgen[f]["ms"] for f in files if f in thumbgen and thumbgen[f]["status"] == "ok"])
    g = med([f3d[f][0] for f in files if f in f3d])
    l = med([load[f][0] for f in files if f in load])
    print(f"{cls:<22}{len(files):>6}{t:>20.1f}{g:>16.1f}{l:>14.1f}")

all_ms = [r["ms"] for r in thumbgen.values() if r["status"] == "ok"]
print(f"\nthumbgen render --jobs 2: {ok_thumbgen}/{n} rendered in {thumbgen_s:.1f} s = {n / thumbgen_s:.2f} files/s, "
      f"median {statistics.median(all_ms):.1f} ms per thumbnail, peak RSS {rss_kib / 1024:.0f} MiB (largest process)")
print(f"f3d (one process per file): {ok_f3d}/{n} produced an image in {f3d_s:.1f} s = {n / f3d_s:.2f} files/s")
print(f"throughput ratio thumbgen / f3d: {f3d_s / thumbgen_s:.1f}x (target >= 30x)")
print(f"load-only pass (parse + decode, 1 process): {load_s:.1f} s; "
      f"thumbgen's summed per-asset time {sum(all_ms) / 1000:.1f} s is "
      f"{100 * (sum(all_ms) / 1000 / max(load_s, 1e-9) - 1):.0f} % above it (target <= 50 %)")
