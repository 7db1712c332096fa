#!/usr/bin/env python3
"""Write eval/folds.csv: the document-grouped folds every quality figure uses.

usage: python3 eval/make_folds.py [SHARED_EVAL_DIR] > eval/folds.csv

The rule (deterministic, documented in docs/eval.md):
- train's documents sorted by SHA-256 of the doc id; every fifth from the
  first (ranks 0, 5, 10, ...) is `holdout`: never used to tune or train,
  scored once for the final figure;
- the other train documents and all dev documents form the pool, sorted by
  SHA-256 of "set:doc"; a document's fold is its rank in the pool mod 5.
"""
import hashlib
import json
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "../shared/eval"


def sha(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


docs = {}
for name in ("train", "dev"):
    seen = []
    with open(f"{root}/{name}/claims.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)["doc"]
            if d not in seen:
                seen.append(d)
    docs[name] = seen

rows = []
for rank, d in enumerate(sorted(docs["train"], key=sha)):
    if rank % 5 == 0:
        rows.append(("train", d, "holdout"))
pool = [("train", d) for d in docs["train"] if ("train", d, "holdout") not in rows]
pool += [("dev", d) for d in docs["dev"]]
pool.sort(key=lambda x: sha(f"{x[0]}:{x[1]}"))
rows += [(s, d, str(rank % 5)) for rank, (s, d) in enumerate(pool)]
rows.sort()
print("set,doc,fold")
for r in rows:
    print(",".join(r))
