#!/usr/bin/env python3
"""Score a prediction file on the cross-validation pool (train + dev minus
the holdout), overall and per fold, with ../shared/eval/score.py's measures.

usage: python3 eval/pool.py PRED_TRAIN.jsonl PRED_DEV.jsonl [--holdout]

--holdout scores the untouched fifth of train instead: run it once, for the
final figure, never while tuning.
"""
import csv
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
shared = os.path.join(here, "..", "..", "shared", "eval")
sys.path.insert(0, shared)
import score  # noqa: E402

folds = {}
with open(os.path.join(here, "folds.csv"), encoding="utf-8") as f:
    for r in csv.DictReader(f):
        folds[(r["set"], r["doc"])] = r["fold"]

args = [a for a in sys.argv[1:] if not a.startswith("--")]
holdout = "--holdout" in sys.argv
gold, pred = {}, {}
for name, path in zip(("train", "dev"), args):
    g = score.load(os.path.join(shared, name, "gold.jsonl"))
    p = score.load(path)
    for i, r in g.items():
        fold = folds[(name, r["doc"])]
        if (fold == "holdout") != holdout:
            continue
        r = dict(r, doc=f"{name}:{r['doc']}", fold=fold)
        gold[i] = r
        if i in p:
            pred[i] = p[i]


def line(label, res):
    t = res["themes"]
    per = " ".join(f"{th[:4]} {t[th]['f_pm']:.3f}" for th in score.THEMES)
    return (f"{label:<8} n={res['n_claims']:>5}  F_pm {res['macro_f_pm']:.3f}  detF1 {res['macro_detect_f1']:.3f}  "
            f"r {res['pooled_cell_r']:.3f}  | {per}")


print(line("holdout" if holdout else "pool", score.score(gold, pred)))
if not holdout:
    for name in ("train", "dev"):
        g = {i: r for i, r in gold.items() if r["doc"].startswith(name + ":")}
        print(line(f"{name} part", score.score(g, pred)))
    vals = []
    for k in sorted({r["fold"] for r in gold.values()}):
        g = {i: r for i, r in gold.items() if r["fold"] == k}
        res = score.score(g, pred)
        vals.append(res["macro_f_pm"])
        print(line(f"fold {k}", res))
    m = sum(vals) / len(vals)
    sd = (sum((v - m) ** 2 for v in vals) / (len(vals) - 1)) ** 0.5
    print(f"mean of folds F_pm {m:.3f} (sd {sd:.3f})")
