"""PartialDate: parsing what people type, keeping the precision given, and never guessing."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dalil.errors import InvalidInput
from dalil.values import DatePrecision, PartialDate, PartialDateError


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    day = draw(st.dates(datetime.date(1000, 1, 1), datetime.date(2999, 12, 31)))
    precision = draw(st.sampled_from(DatePrecision))
    estimated = draw(st.booleans())
    return PartialDate(
        day.year,
        None if precision is DatePrecision.YEAR else day.month,
        day.day if precision is DatePrecision.DAY else None,
        estimated,
    )


# --- accepted forms -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2013", PartialDate(2013)),
        ("2013-04", PartialDate(2013, 4)),
        ("2013-04-16", PartialDate(2013, 4, 16)),
        ("  2013-04-16\n", PartialDate(2013, 4, 16)),
        ("2013-4-6", PartialDate(2013, 4, 6)),
        ("2012-02-29", PartialDate(2012, 2, 29)),
        ("2000-02-29", PartialDate(2000, 2, 29)),
        ("1000", PartialDate(1000)),
        ("2999-12-31", PartialDate(2999, 12, 31)),
    ],
)
def test_parse_reads_year_month_and_day_precision(text: str, expected: PartialDate) -> None:
    assert PartialDate.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("٢٠١٣-٠٤-١٦", PartialDate(2013, 4, 16)),  # Arabic-Indic
        ("۲۰۱۳-۰۴", PartialDate(2013, 4)),  # Extended Arabic-Indic (Persian keyboards)
        ("٢٠١٣-04-1٦", PartialDate(2013, 4, 16)),  # mixed, as pasted from forms
    ],
)
def test_parse_converts_arabic_indic_digits(text: str, expected: PartialDate) -> None:
    assert PartialDate.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "~1975",
        "~ 1975",
        "circa 1975",
        "CIRCA 1975",
        "Circa 1975",
        "c. 1975",
        "C. 1975",
        "c.1975",
        "ca. 1975",
        "ca 1975",
        "c 1975",
        "about 1975",
        "About 1975",
        "approx. 1975",
        "approx 1975",
        "approximately 1975",
        "حوالي 1975",
        "حوالى 1975",
        "نحو 1975",
        "تقريبا 1975",
        "تقريباً 1975",
        "حوالي ١٩٧٥",
        "1975?",
        "1975 ?",
        "1975؟",
        "  ~1975  ",
    ],
)
def test_parse_reads_estimated_markers(text: str) -> None:
    assert PartialDate.parse(text) == PartialDate(1975, estimated=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("~2013-04", PartialDate(2013, 4, estimated=True)),
        ("circa 2013-04-16", PartialDate(2013, 4, 16, estimated=True)),
        ("2013-04?", PartialDate(2013, 4, estimated=True)),
        ("حوالي ٢٠١٣-٠٤", PartialDate(2013, 4, estimated=True)),
    ],
)
def test_estimated_marker_combines_with_month_and_day(text: str, expected: PartialDate) -> None:
    assert PartialDate.parse(text) == expected


def test_plain_date_is_not_estimated() -> None:
    assert PartialDate.parse("1975").estimated is False


# --- rejected forms -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2013-13", "month must be 1-12"),
        ("2013-00", "month must be 1-12"),
        ("2013-13-40", "month must be 1-12"),
        ("2013-04-40", "day must be 1-30 in 2013-04"),
        ("2013-04-00", "day must be 1-30 in 2013-04"),
        ("2013-02-30", "day must be 1-28 in 2013-02"),
        ("2013-02-29", "day must be 1-28 in 2013-02"),  # not a leap year
        ("1900-02-29", "day must be 1-28 in 1900-02"),  # century, not a leap year
        ("0999", "year must be 1000-2999"),
        ("3000", "year must be 1000-2999"),
        ("abc", "not in a recognised form"),
        ("20130416", "not in a recognised form"),
        ("13", "not in a recognised form"),
        ("16-04-2013", "not in a recognised form"),
        ("2013/04/16", "not in a recognised form"),
        ("2013-04-16T10:00", "not in a recognised form"),
        ("c1975", "not in a recognised form"),  # a bare "c" must be followed by a space or dot
        ("circa", "not in a recognised form"),
        ("~", "not in a recognised form"),
        ("?", "not in a recognised form"),
        ("1975 circa", "not in a recognised form"),
        ("", "it is empty"),
        ("   \t\n", "it is empty"),
    ],
)
def test_parse_rejects_invalid_text_and_says_why(text: str, reason: str) -> None:
    with pytest.raises(PartialDateError) as caught:
        PartialDate.parse(text)
    assert reason in str(caught.value)
    assert caught.value.text == text


def test_error_message_names_field_text_and_accepted_forms() -> None:
    with pytest.raises(PartialDateError) as caught:
        PartialDate.parse("2013-13-40", field="birth_date")
    assert str(caught.value) == (
        "birth_date: '2013-13-40' is not a valid date: month must be 1-12 "
        "(accepted forms: YYYY, YYYY-MM, YYYY-MM-DD, optionally prefixed 'circa'/'~')"
    )
    assert caught.value.field == "birth_date"


def test_error_without_field_starts_with_the_text() -> None:
    with pytest.raises(PartialDateError, match=r"^'abc' is not a valid date: "):
        PartialDate.parse("abc")


def test_error_is_a_value_error_and_a_user_facing_invalid_input() -> None:
    with pytest.raises(PartialDateError) as caught:
        PartialDate.parse("abc")
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, InvalidInput)


def test_error_message_truncates_very_long_text() -> None:
    with pytest.raises(PartialDateError) as caught:
        PartialDate.parse("x" * 500)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    ("year", "month", "day"),
    [(2013, 13, None), (2013, 2, 30), (999, None, None), (2013, None, 5)],
)
def test_constructor_refuses_impossible_parts(
    year: int, month: int | None, day: int | None
) -> None:
    with pytest.raises(PartialDateError):
        PartialDate(year, month, day)


@given(st.text())
def test_parse_raises_only_partial_date_error_on_any_text(text: str) -> None:
    try:
        parsed = PartialDate.parse(text)
    except PartialDateError:
        return
    assert isinstance(parsed, PartialDate)


# --- canonical form, precision, range -------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "text", "precision"),
    [
        (PartialDate(2013), "2013", DatePrecision.YEAR),
        (PartialDate(2013, 4), "2013-04", DatePrecision.MONTH),
        (PartialDate(2013, 4, 16), "2013-04-16", DatePrecision.DAY),
        (PartialDate(1975, estimated=True), "~1975", DatePrecision.YEAR),
        (PartialDate(2013, 4, estimated=True), "~2013-04", DatePrecision.MONTH),
    ],
)
def test_str_is_canonical_and_precision_matches_given_parts(
    date: PartialDate, text: str, precision: DatePrecision
) -> None:
    assert str(date) == text
    assert date.precision is precision


def test_parse_never_invents_a_month_or_day() -> None:
    parsed = PartialDate.parse("circa 1975")
    assert (parsed.month, parsed.day) == (None, None)


@given(partial_dates())
def test_parse_of_str_round_trips(date: PartialDate) -> None:
    assert PartialDate.parse(str(date)) == date


@given(partial_dates())
def test_earliest_and_latest_bound_the_date_and_are_contained(date: PartialDate) -> None:
    assert date.earliest() <= date.latest()
    assert date.contains(date.earliest())
    assert date.contains(date.latest())
    assert not date.contains(date.earliest() - datetime.timedelta(days=1))
    if date.latest() < datetime.date.max:
        assert not date.contains(date.latest() + datetime.timedelta(days=1))


@pytest.mark.parametrize(
    ("date", "earliest", "latest"),
    [
        (PartialDate(2013), datetime.date(2013, 1, 1), datetime.date(2013, 12, 31)),
        (PartialDate(2012, 2), datetime.date(2012, 2, 1), datetime.date(2012, 2, 29)),
        (PartialDate(2013, 2), datetime.date(2013, 2, 1), datetime.date(2013, 2, 28)),
        (PartialDate(2013, 4), datetime.date(2013, 4, 1), datetime.date(2013, 4, 30)),
        (PartialDate(2013, 4, 16), datetime.date(2013, 4, 16), datetime.date(2013, 4, 16)),
    ],
)
def test_earliest_and_latest_span_the_days_meant(
    date: PartialDate, earliest: datetime.date, latest: datetime.date
) -> None:
    assert (date.earliest(), date.latest()) == (earliest, latest)


def test_contains_checks_the_calendar_day() -> None:
    april = PartialDate(2013, 4)
    assert april.contains(datetime.date(2013, 4, 16))
    assert not april.contains(datetime.date(2013, 5, 1))
    assert april.contains(datetime.datetime(2013, 4, 30, 23, 59))


def test_sort_key_orders_chronologically_then_coarser_first() -> None:
    dates = [
        PartialDate(2013, 4, 16),
        PartialDate(2014),
        PartialDate(2013, 1, 1),
        PartialDate(2013),
        PartialDate(2013, 1),
        PartialDate(1975, estimated=True),
        PartialDate(2013, 3, 31),
    ]
    assert [str(d) for d in sorted(dates, key=PartialDate.sort_key)] == [
        "~1975",
        "2013",
        "2013-01",
        "2013-01-01",
        "2013-03-31",
        "2013-04-16",
        "2014",
    ]


@given(partial_dates(), partial_dates())
def test_sort_key_follows_earliest_day(a: PartialDate, b: PartialDate) -> None:
    if a.earliest() < b.earliest():
        assert a.sort_key() < b.sort_key()


def test_from_date_keeps_the_full_day() -> None:
    assert PartialDate.from_date(datetime.date(2013, 4, 16)) == PartialDate(2013, 4, 16)
    assert PartialDate.from_date(datetime.date(2013, 4, 16)).precision is DatePrecision.DAY


def test_to_dict_gives_canonical_value_precision_and_estimate() -> None:
    assert PartialDate(1975, estimated=True).to_dict() == {
        "value": "~1975",
        "precision": "year",
        "estimated": True,
    }
    assert PartialDate(2013, 4, 16).to_dict() == {
        "value": "2013-04-16",
        "precision": "day",
        "estimated": False,
    }


# --- formatting for humans ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "english", "arabic"),
    [
        (PartialDate(2013, 4, 16), "16 April 2013", "16 نيسان 2013"),
        (PartialDate(2013, 4), "April 2013", "نيسان 2013"),
        (PartialDate(2013), "2013", "2013"),
        (PartialDate(1975, estimated=True), "circa 1975", "حوالي 1975"),
        (PartialDate(2011, 3, 15, estimated=True), "circa 15 March 2011", "حوالي 15 آذار 2011"),
        (PartialDate(2012, 1, 5), "5 January 2012", "5 كانون الثاني 2012"),
        (PartialDate(2012, 11), "November 2012", "تشرين الثاني 2012"),
        (PartialDate(2012, 12), "December 2012", "كانون الأول 2012"),
    ],
)
def test_format_for_english_and_syrian_arabic_readers(
    date: PartialDate, english: str, arabic: str
) -> None:
    assert date.format() == english
    assert date.format("en") == english
    assert date.format("ar") == arabic


def test_format_uses_levantine_month_names_in_order() -> None:
    names = [PartialDate(2013, m).format("ar").removesuffix(" 2013") for m in range(1, 13)]
    assert names == [
        "كانون الثاني",
        "شباط",
        "آذار",
        "نيسان",
        "أيار",
        "حزيران",
        "تموز",
        "آب",
        "أيلول",
        "تشرين الأول",
        "تشرين الثاني",
        "كانون الأول",
    ]


def test_format_accepts_region_tags_and_refuses_unknown_languages() -> None:
    assert PartialDate(2013, 4).format("ar-SY") == "نيسان 2013"
    with pytest.raises(ValueError, match="'fr'"):
        PartialDate(2013).format("fr")
