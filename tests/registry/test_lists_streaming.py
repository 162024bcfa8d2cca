"""A list far larger than memory can hold is streamed: rows come one by one, never all at once."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from dalil.registry.reading import read_list


def test_a_30_mb_list_is_read_with_a_small_fraction_of_its_size_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    line = "محمد أحمد الخطيب,أحمد,فاطمة,ذكر,16/04/2013,حمص,{n},ملاحظة طويلة عن الحادثة في الحي\n"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("الاسم,الأب,الأم,الجنس,التاريخ,المحافظة,الرقم,ملاحظات\n")
        for start in range(0, 200_000, 1000):
            out.write("".join(line.format(n=n) for n in range(start, start + 1000)))
    size = path.stat().st_size
    assert size > 25_000_000

    tracemalloc.start()
    try:
        listed = read_list(path)
        count = last = 0
        for row in listed.rows():
            count += 1
            last = row.number
            assert not row.problems
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (count, last) == (200_000, 200_001)
    assert listed.encoding == "utf-8"  # the whole file was checked, still in bounded memory
    assert peak < 20_000_000, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.0f} MB file"
