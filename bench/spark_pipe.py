#!/usr/bin/env python3
"""Spark (local mode) through opstance, checked against a single run.

    python3 bench/spark_pipe.py [--claims N] [--shards K]

Installs pyspark from PyPI when missing (Java 17 must be on the machine),
then:

1. `rdd.pipe` through `opstance tag`: the UNGDC speeches of 2022, split into
   claims by `opstance claims`, are spread over K partitions; every partition
   streams its lines through one `opstance tag` process. The collected lines
   must equal `opstance tag` over the whole file, line for line.
2. `rdd.pipe` through `opstance run --partial`: the speech files are spread
   over K partitions; each partition runs `opstance run --partial` on its
   files; `opstance merge` combines the partials. Every output CSV must be
   byte-identical to a single `opstance run` over all the files.

Not part of CI (it downloads ~450 MB); see docs/scale.md.
"""
import argparse
import filecmp
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared", "corpus-real", "ungdc")
BIN = os.path.join(ROOT, "target", "release", "opstance")
UNGDC_OPTS = ["--metadata", os.path.join(SHARED, "speakers.csv"),
              "--name-pattern", "{ISO Code}_{Session}_{Year}",
              "--author-field", "Name of Person Speaking", "--date-field", "Year"]


def ensure_pyspark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "pyspark"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--session", default="Session 77 - 2022")
    args = ap.parse_args()
    subprocess.check_call(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
    ensure_pyspark()
    from pyspark import SparkConf, SparkContext

    tmp = tempfile.mkdtemp(prefix="opstance-spark-")
    folder = os.path.join(SHARED, "TXT", args.session)
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder))
    claims = os.path.join(tmp, "claims.jsonl")
    subprocess.run([BIN, "-q", "claims", folder, *UNGDC_OPTS, "--out", claims], check=False)

    conf = SparkConf().setMaster("local[2]").setAppName("opstance")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("ERROR")
    try:
        # 1. tag through rdd.pipe
        piped = sc.textFile(claims, minPartitions=args.shards).pipe(f"{BIN} -q tag -").collect()
        single = subprocess.run([BIN, "-q", "tag", claims], check=True,
                                capture_output=True, text=True).stdout.splitlines()
        assert piped == single, "rdd.pipe through `opstance tag` differs from a single run"
        print(f"tag via rdd.pipe: {len(piped)} claims over {args.shards} partitions == single run")

        # 2. run --partial through rdd.pipe, then merge
        script = os.path.join(tmp, "partial.sh")
        with open(script, "w") as f:
            f.write(f"""#!/bin/sh
# stdin: one file path per line (one partition); stdout: the partial's folder
out=$(mktemp -d {tmp}/part-XXXXXX)
tr '\\n' '\\0' | xargs -0 {BIN} -q run --partial {' '.join(repr(o) for o in UNGDC_OPTS)} --out "$out" >&2
echo "$out"
""")
        os.chmod(script, 0o755)
        parts = sc.parallelize(files, args.shards).pipe(script).collect()
    finally:
        sc.stop()
    merged = os.path.join(tmp, "merged")
    single_run = os.path.join(tmp, "single")
    subprocess.run([BIN, "-q", "merge", *parts, "--out", merged], check=True)
    subprocess.run([BIN, "-q", "run", *files, *UNGDC_OPTS, "--out", single_run], check=False)
    csvs = sorted(f for f in os.listdir(single_run) if f.endswith(".csv") or f.endswith(".svg"))
    match, mismatch, errors = filecmp.cmpfiles(single_run, merged, csvs, shallow=False)
    print(f"run --partial x{len(parts)} via rdd.pipe + merge: identical {match}")
    if mismatch or errors:
        sys.exit(f"differs from a single run: {mismatch + errors}")


if __name__ == "__main__":
    main()
