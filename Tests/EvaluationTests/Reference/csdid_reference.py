"""The reference figures for EvaluationTests: csdid on a panel the Swift tests wrote.

    python3 csdid_reference.py PANEL.csv OUT.json

PANEL.csv has the columns id,period,group,y (one row per institution and period, the
panel already balanced and without institutions covered from period 1). OUT.json holds,
for each control group, every ATT(g,t) with its standard error and the simple, dynamic
and group aggregations, as csdid computes them with est_method="reg",
base_period="varying", bstrap=False, cband=False (R did's analytic standard errors).
A standard error csdid reports as NaN is written as null.
"""
import contextlib
import io
import json
import math
import sys
import warnings

import pandas as pd
from csdid.att_gt import ATTgt

CONTROL_GROUPS = {"never_treated": "nevertreated", "not_yet_treated": "notyettreated"}


def number(x):
    x = float(x)
    return None if math.isnan(x) else x


def estimate(data, control_group):
    # aggte prints its summary; the JSON is the only output.
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("always")
        fit = ATTgt(yname="y", tname="period", idname="id", gname="group", data=data,
                    control_group=control_group, cband=False).fit(
            est_method="reg", base_period="varying", bstrap=False)
        r = fit.results
        out = {
            "group_time": [
                {"group": int(g), "period": int(t), "att": number(a), "se": number(s)}
                for g, t, a, s in zip(r["group"], r["year"], r["att"], r["se"])
            ]
        }
        for kind in ("simple", "dynamic", "group"):
            agg = fit.aggte(typec=kind, bstrap=False, cband=False).atte
            entry = {"att": number(agg["overall_att"]), "se": number(agg["overall_se"])}
            if kind != "simple":
                entry["by"] = [
                    {"key": int(k), "att": number(a), "se": number(s)}
                    for k, a, s in zip(agg["egt"], agg["att_egt"], list(agg["se_egt"]))
                ]
            out[kind] = entry
    out["warnings"] = sorted({str(w.message) for w in caught})
    return out


def main():
    panel_path, out_path = sys.argv[1], sys.argv[2]
    data = pd.read_csv(panel_path, dtype={"id": "int64", "period": "int64", "group": "int64", "y": "float64"})
    result = {}
    for ours, theirs in CONTROL_GROUPS.items():
        try:
            result[ours] = estimate(data.copy(), theirs)
        except ValueError as error:
            result[ours] = {"error": str(error)}
    with open(out_path, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
