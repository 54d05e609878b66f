# Reference values for rfm.csv (tests/fit.rs, `rfm_csv_matches_lifetimes`):
# the Python lifetimes package's own summary of the CDNOW sample, for a few
# customers chosen by hand to cover the cases: no repeat purchase (0003),
# purchases after the calibration end (0001), several transactions on one day
# (0026, 0046, 0061), the most repeat purchases (0157), a short recency (0002),
# a late first purchase (2357, 1516).
#
# Made with lifetimes 0.11.3, pandas 1.5.3, numpy 1.24.4 (pip install
# lifetimes "pandas<2" "numpy<1.25" "scipy<1.12", Python 3.11):
#
#   python3 tests/reference/rfm_lifetimes.py > tests/reference/rfm_cdnow.csv
#
# `freq="D", freq_multiplier=7` makes lifetimes count in days and divide by 7:
# exact weeks, as loyalsim's `--time-unit week` (lifetimes' `freq="W"` would
# round every date to its calendar week instead).
#
# With an argument (the rfm.csv of `loyalsim fit tests/data/cdnow_sample.csv
# --calibration-end 1997-09-30 --out DIR`), it instead fits lifetimes' models
# to that file and prints their estimates: the round trip of docs/fitting.md.
import sys

import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
from lifetimes.utils import summary_data_from_transaction_data

if len(sys.argv) > 1:
    rfm = pd.read_csv(sys.argv[1], dtype={"customer_id": str})
    bg = BetaGeoFitter().fit(rfm["frequency"], rfm["recency"], rfm["T"])
    print("BG/NBD", bg.params_.round(4).to_dict(), "LL", round(-bg._negative_log_likelihood_ * len(rfm), 2))
    pn = ParetoNBDFitter().fit(rfm["frequency"], rfm["recency"], rfm["T"])
    print("Pareto/NBD", pn.params_.round(4).to_dict())
    rep = rfm[rfm["frequency"] > 0]
    gg = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
    print("Gamma-Gamma", gg.params_.round(4).to_dict())
    sys.exit(0)

CUSTOMERS = ["0001", "0002", "0003", "0026", "0046", "0061", "0157", "1516", "2357"]
df = pd.read_csv("tests/data/cdnow_sample.csv", dtype={"customer": str})
s = summary_data_from_transaction_data(
    df, "customer", "date", monetary_value_col="amount",
    observation_period_end="1997-09-30", freq="D", freq_multiplier=7,
)
out = s.loc[CUSTOMERS].reset_index().rename(columns={"customer": "customer_id"})
out["frequency"] = out["frequency"].astype(int)
print(out.to_csv(index=False, float_format="%.10f"), end="")
