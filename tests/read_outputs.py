#!/usr/bin/env python3
"""Read every CSV of an `opstance run` folder with pandas AND polars, using
the column types docs/schema.md promises, and check columns, types and value
ranges. Exits 1 on any mismatch.

    pip install pandas polars
    python tests/read_outputs.py RUN_DIR
"""

import json
import math
import sys
from pathlib import Path

import pandas as pd
import polars as pl

STR, INT, FLOAT, BOOL = "str", "int", "float", "bool"

PANDAS = {STR: "string", INT: "int64", FLOAT: "float64", BOOL: "boolean"}
POLARS = {STR: pl.Utf8, INT: pl.Int64, FLOAT: pl.Float64, BOOL: pl.Boolean}

errors = []


def expected(manifest):
    by = manifest["options"]["by"]
    themes = manifest["lexicon"]["themes"]
    matrix = [(by, STR), ("n_articles", INT), ("n_claims", INT)] + [
        (t, FLOAT) for t in themes
    ]
    long = [
        (by, STR),
        ("period", STR),
        ("theme", STR),
        ("n_articles", INT),
        ("n_claims", INT),
        ("n_theme_claims", INT),
        ("salience", FLOAT),
        ("n_pro", INT),
        ("n_con", INT),
        ("n_neutral", INT),
        ("stance", FLOAT),
        ("stance_logit", FLOAT),
        ("ci_low", FLOAT),
        ("ci_high", FLOAT),
    ]
    claims = [
        ("article_id", STR),
        ("commentator", STR),
        ("date", STR),
        ("claim_index", INT),
        ("start", INT),
        ("end", INT),
        ("theme", STR),
        ("stance", INT),
        ("score", FLOAT),
        ("cues", STR),
        ("text", STR),
    ]
    articles = [
        ("article_id", STR),
        ("commentator", STR),
        ("date", STR),
        ("outlet", STR),
        ("title", STR),
        ("source", STR),
        ("language", STR),
        ("n_claims", INT),
        ("n_words", INT),
    ]
    for t in themes:
        articles += [(f"{t}_stance", FLOAT), (f"{t}_salience", FLOAT)]
    similarity = [
        (f"{by}_a", STR),
        (f"{by}_b", STR),
        ("distance", FLOAT),
        ("n_themes", INT),
    ]
    return {
        "stance_matrix.csv": matrix,
        "salience_matrix.csv": matrix,
        "stance_long.csv": long,
        "claims.csv": claims,
        "articles.csv": articles,
        "similarity.csv": similarity,
    }


def check(name, cond, msg):
    if not cond:
        errors.append(f"{name}: {msg}")


def in_range(name, col, values, lo, hi):
    bad = [v for v in values if v is not None and not math.isnan(v) and not lo <= v <= hi]
    check(name, not bad, f"{col} outside [{lo}, {hi}]: {bad[:5]}")


def read(path, schema):
    cols = [c for c, _ in schema]
    # Empty cells are missing; nothing else is (a commentator called "NA" stays a name).
    pdf = pd.read_csv(
        path,
        dtype={c: PANDAS[t] for c, t in schema},
        keep_default_na=False,
        na_values=[""],
    )
    check(path.name, list(pdf.columns) == cols, f"pandas columns {list(pdf.columns)} != {cols}")
    for c, t in schema:
        if c in pdf.columns:
            check(path.name, str(pdf[c].dtype) == PANDAS[t], f"pandas {c}: {pdf[c].dtype} != {PANDAS[t]}")
            if t == INT:
                check(path.name, not pdf[c].isna().any(), f"{c} has missing integers")
    pldf = pl.read_csv(path, schema={c: POLARS[t] for c, t in schema})
    check(path.name, pldf.columns == cols, f"polars columns {pldf.columns} != {cols}")
    for c, t in schema:
        if c in pldf.columns:
            check(path.name, pldf[c].dtype == POLARS[t], f"polars {c}: {pldf[c].dtype} != {POLARS[t]}")
    check(path.name, len(pdf) == pldf.height, f"pandas {len(pdf)} rows, polars {pldf.height}")
    return pdf


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    run = Path(sys.argv[1])
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    check("manifest.json", manifest.get("schema_version") == "1.0", "schema_version is not 1.0")
    partial = manifest["options"].get("partial", False)
    frames = {}
    for name, schema in expected(manifest).items():
        path = run / name
        if not path.exists():
            check(name, partial and name not in ("claims.csv", "articles.csv"), "missing")
            continue
        try:
            frames[name] = read(path, schema)
        except Exception as e:  # a parse failure is a schema mismatch too
            errors.append(f"{name}: cannot read with the promised types: {e}")

    themes = manifest["lexicon"]["themes"]
    if "stance_matrix.csv" in frames:
        for t in themes:
            in_range("stance_matrix.csv", t, frames["stance_matrix.csv"][t], -1, 1)
            in_range("salience_matrix.csv", t, frames["salience_matrix.csv"][t], 0, 1)
    if "stance_long.csv" in frames:
        df = frames["stance_long.csv"]
        for c in ("stance", "ci_low", "ci_high"):
            in_range("stance_long.csv", c, df[c], -1, 1)
        in_range("stance_long.csv", "salience", df["salience"], 0, 1)
        check(
            "stance_long.csv",
            ((df["n_pro"] + df["n_con"] + df["n_neutral"]) == df["n_theme_claims"]).all(),
            "n_pro + n_con + n_neutral != n_theme_claims",
        )
        check("stance_long.csv", set(df["theme"].dropna()) <= set(themes), "unknown theme")
    if "claims.csv" in frames:
        df = frames["claims.csv"]
        check("claims.csv", df["stance"].isin([-1, 0, 1]).all(), "stance not in {-1, 0, 1}")
        check("claims.csv", (df["start"] <= df["end"]).all(), "start > end")
    if "articles.csv" in frames:
        check(
            "articles.csv",
            len(frames["articles.csv"]) == manifest["inputs"]["articles"],
            "row count != manifest inputs.articles",
        )
    if "similarity.csv" in frames:
        in_range("similarity.csv", "distance", frames["similarity.csv"]["distance"], 0, 2)

    svg = run / "heatmap.svg"
    if svg.exists():
        import xml.etree.ElementTree as ET

        try:
            root = ET.parse(svg).getroot()
            check("heatmap.svg", root.tag.endswith("svg"), f"root element is {root.tag}")
        except ET.ParseError as e:
            errors.append(f"heatmap.svg: not well-formed XML: {e}")

    if errors:
        for e in errors:
            print(f"read_outputs: {e}", file=sys.stderr)
        return 1
    print(f"read_outputs: {len(frames)} CSV files OK with pandas and polars")
    return 0


if __name__ == "__main__":
    sys.exit(main())
