"""Working days and publication deadlines (jcdraw.workdays).

Hand counts in comments list the working days strictly after the completion date, numbered 1..20.
"""

from __future__ import annotations

import doctest
import textwrap
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import jcdraw.plans.calendar
from jcdraw.errors import BadPlan, CalendarMissing
from jcdraw.plans.calendar import WorkdayCalendar, read_calendar_file

SHIPPED_PLANS = Path(__file__).resolve().parents[1] / "plans"

# A fictional 2027 (no notice exists yet): 01-01 (Fri) and 01-04 (Mon) off, Saturday 01-09 works.
CALENDAR_2027 = """\
years:
  2027:
    source: "测试用虚构安排"
    holidays: [2027-01-01, 2027-01-04]
    workdays: [2027-01-09]
"""
# A fictional 2028 alone, leaving 2027 unknown in between.
CALENDAR_2028 = """\
years:
  2028:
    holidays: [2028-01-03]
"""


@pytest.fixture(scope="module")
def cal() -> WorkdayCalendar:
    return WorkdayCalendar.load(search_dirs=[])


def write(folder: Path, text: str, name: str = "calendar.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def count_by_hand(done: date, n: int) -> date:
    """Reference: walk day by day with chinese_calendar.is_workday."""
    day = done
    while n:
        day += timedelta(days=1)
        n -= chinese_calendar.is_workday(day)
    return day


# --- the rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        # 09-23..27 (1-5), Sun 09-29 调休 (6), 09-30 (7), 10-01..07 off, 10-08..11 (8-11),
        # Sat 10-12 调休 (12), 10-14..18 (13-17), 10-21..23 (18-20).
        (date(2024, 9, 20), date(2024, 10, 23)),
        # 01-26 (1), 01-29..02-02 (2-6), Sun 02-04 调休 (7), 02-05..09 (8-12; 除夕 02-09 is a workday),
        # 02-10..17 off, Sun 02-18 调休 (13), 02-19..23 (14-18), 02-26..27 (19-20).
        (date(2024, 1, 25), date(2024, 2, 27)),
        # Sun 04-27 调休 (1), 04-28..30 (2-4), 05-01..05 off, 05-06..09 (5-8), 05-12..16 (9-13),
        # 05-19..23 (14-18), 05-26..27 (19-20).
        (date(2025, 4, 25), date(2025, 5, 27)),
        # 国庆, done Friday 09-27: Sun 09-29 (1), 09-30 (2), 10-08..11 (3-6), Sat 10-12 (7),
        # 10-14..18 (8-12), 10-21..25 (13-17), 10-28..30 (18-20).
        (date(2024, 9, 27), date(2024, 10, 30)),
        # Done Saturday 09-28: the next day is the 调休 Sunday, so day 1 is 09-29 as above.
        (date(2024, 9, 28), date(2024, 10, 30)),
        # Done on the 调休 Sunday 09-29 itself: it does not count; 09-30 (1), 10-08..11 (2-5),
        # Sat 10-12 (6), 10-14..18 (7-11), 10-21..25 (12-16), 10-28..31 (17-20).
        (date(2024, 9, 29), date(2024, 10, 31)),
        # Done on a holiday (10-03): 10-08..11 (1-4), Sat 10-12 (5), 10-14..18 (6-10),
        # 10-21..25 (11-15), 10-28..11-01 (16-20).
        (date(2024, 10, 3), date(2024, 11, 1)),
        # 春节, done Thursday 02-08: 02-09 (1), 02-10..17 off, Sun 02-18 (2), 02-19..23 (3-7),
        # 02-26..03-01 (8-12), 03-04..08 (13-17), 03-11..13 (18-20).
        (date(2024, 2, 8), date(2024, 3, 13)),
        # Done on 春节 holiday 02-12: Sun 02-18 (1), 02-19..23 (2-6), 02-26..03-01 (7-11),
        # 03-04..08 (12-16), 03-11..14 (17-20).
        (date(2024, 2, 12), date(2024, 3, 14)),
    ],
)
def test_deadline_hand_counted(cal: WorkdayCalendar, done: date, expected: date) -> None:
    assert cal.deadline(done) == expected
    assert cal.deadlines([done]) == [expected]


def test_first_working_day_after_saturday_is_the_adjusted_sunday(cal: WorkdayCalendar) -> None:
    # chinese_calendar.find_workday(1, 2024-09-28) gives 09-30; our rule gives the 调休 Sunday.
    assert cal.deadline(date(2024, 9, 28), 1) == date(2024, 9, 29)
    assert cal.deadline(date(2024, 9, 30), 1) == date(2024, 10, 8)


def test_deadline_rejects_nonpositive_count(cal: WorkdayCalendar) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        cal.deadline(date(2024, 1, 1), 0)


def test_is_workday(cal: WorkdayCalendar) -> None:
    assert cal.is_workday(date(2024, 9, 29))  # 调休 Sunday
    assert not cal.is_workday(date(2024, 10, 1))
    assert not cal.is_workday(date(2024, 9, 28))  # plain Saturday
    assert cal.is_workday(date(2024, 9, 27))


def test_is_workday_agrees_with_chinese_calendar_everywhere(cal: WorkdayCalendar) -> None:
    day, ours, theirs = date(2004, 1, 1), [], []
    while day.year <= 2026:
        ours.append(cal.is_workday(day))
        theirs.append(chinese_calendar.is_workday(day))
        day += timedelta(days=1)
    assert ours == theirs
    assert len(cal.days) == sum(theirs)


def test_workdays_between(cal: WorkdayCalendar) -> None:
    assert cal.workdays_between(date(2024, 9, 27), date(2024, 10, 8)) == 3  # 09-29, 09-30, 10-08
    assert cal.workdays_between(date(2024, 10, 8), date(2024, 9, 27)) == -3
    assert cal.workdays_between(date(2024, 10, 1), date(2024, 10, 7)) == 0
    assert cal.workdays_between(date(2024, 9, 29), date(2024, 9, 29)) == 0
    assert cal.workdays_between(date(2024, 9, 28), date(2024, 9, 29)) == 1  # end counts, start does not
    assert cal.workdays_between(date(2024, 9, 20), date(2024, 10, 23)) == 20


def test_doctest_examples() -> None:
    assert doctest.testmod(jcdraw.plans.calendar).failed == 0


# --- years nobody knows -------------------------------------------------------------------------


def test_uncovered_year_raises_naming_it(cal: WorkdayCalendar) -> None:
    with pytest.raises(CalendarMissing) as caught:
        cal.deadline(date(2026, 12, 10))  # 12-11..12-31 gives only 15 working days
    err = caught.value
    assert err.year == 2027
    assert err.exit_code == 2
    for part in (
        "缺少 2027 年",
        "2026-12-10",
        "pip install -U chinesecalendar",
        "plans/calendar.yaml",
        "--calendar",
    ):
        assert part in err.message
    assert "2004–2026" in err.message
    assert cal.deadline(date(2026, 12, 1)) == date(2026, 12, 29)  # stays inside 2026: fine


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.is_workday(date(2027, 1, 4)),
        lambda c: c.workdays_between(date(2026, 12, 1), date(2027, 1, 1)),
        lambda c: c.deadline(date(2026, 12, 31), 1),
        lambda c: c.deadlines(np.array(["2024-01-01", "2026-12-31"], dtype="datetime64[D]")),
    ],
)
def test_every_query_refuses_2027(cal: WorkdayCalendar, call: Callable[[WorkdayCalendar], object]) -> None:
    with pytest.raises(CalendarMissing, match="2027") as caught:
        call(cal)
    assert caught.value.year == 2027


def test_completion_date_year_itself_is_not_needed(cal: WorkdayCalendar) -> None:
    # Counting starts on 2004-01-01, so 2003 is never consulted: 01-02 (1) … 2004-02-03 (20).
    assert cal.deadline(date(2003, 12, 31)) == count_by_hand(date(2003, 12, 31), 20) == date(2004, 2, 3)
    with pytest.raises(CalendarMissing) as caught:
        cal.deadline(date(2003, 12, 30))
    assert caught.value.year == 2003


def test_calendar_file_adds_2027_and_deadline_crosses_the_year(tmp_path: Path) -> None:
    cal = WorkdayCalendar.load([write(tmp_path, CALENDAR_2027, "mine.yaml")], search_dirs=[])
    assert 2027 in cal.years
    assert "测试用虚构安排" in cal.sources[2027]
    # Done Tue 2026-12-15: 12-16..18 (1-3), 12-21..25 (4-8), 12-28..31 (9-12), 01-01 and 01-04 off,
    # 01-05..08 (13-16), Sat 01-09 调休 (17), 01-11..13 (18-20). Plain weekdays would give 01-12.
    assert cal.deadline(date(2026, 12, 15)) == date(2027, 1, 13)
    assert cal.deadlines([date(2026, 12, 15)]) == [date(2027, 1, 13)]
    assert cal.is_workday(date(2027, 1, 9))
    assert not cal.is_workday(date(2027, 1, 4))
    assert cal.is_workday(date(2027, 1, 5))
    assert cal.workdays_between(date(2026, 12, 31), date(2027, 1, 11)) == 6  # 01-05..09, 01-11
    with pytest.raises(CalendarMissing) as caught:
        cal.deadline(date(2027, 12, 20))
    assert caught.value.year == 2028


def test_gap_year_is_reported_not_skipped(tmp_path: Path) -> None:
    cal = WorkdayCalendar.load([write(tmp_path, CALENDAR_2028)], search_dirs=[])
    assert cal.years == frozenset(range(2004, 2027)) | {2028}
    for call in (
        lambda: cal.deadline(date(2026, 12, 10)),
        lambda: cal.deadlines([date(2026, 1, 5), date(2026, 12, 10)]),
        lambda: cal.workdays_between(date(2026, 12, 1), date(2028, 3, 1)),
    ):
        with pytest.raises(CalendarMissing) as caught:
            call()
        assert caught.value.year == 2027
        assert "2004–2026、2028" in caught.value.message
    assert cal.deadline(date(2028, 1, 1), 1) == date(2028, 1, 4)


def test_deadlines_reports_earliest_missing_year(cal: WorkdayCalendar) -> None:
    dates = np.array(["2026-12-20", "2003-06-01", "2026-12-10", "2024-01-01"], dtype="datetime64[D]")
    with pytest.raises(CalendarMissing) as caught:
        cal.deadlines(dates)
    assert caught.value.year == 2003
    assert "涉及 1 条检查记录" in caught.value.message
    with pytest.raises(CalendarMissing) as caught:
        cal.deadlines(dates[[0, 2, 3]])
    assert caught.value.year == 2027
    assert "涉及 2 条检查记录，例如完成日期为 2026-12-10" in caught.value.message


def test_deadlines_types_and_missing_dates(cal: WorkdayCalendar) -> None:
    array = cal.deadlines(np.array(["2024-09-20", "NaT"], dtype="datetime64[D]"))
    assert array.dtype == np.dtype("datetime64[D]")
    assert array[0] == np.datetime64("2024-10-23")
    assert np.isnat(array[1])
    assert cal.deadlines([date(2024, 9, 20), None]) == [date(2024, 10, 23), None]
    nanoseconds = np.array(["2024-09-20T15:30"], dtype="datetime64[ns]")  # a pandas column's dtype
    assert cal.deadlines(nanoseconds)[0] == np.datetime64("2024-10-23")
    assert cal.deadlines([]) == []


# --- properties ---------------------------------------------------------------------------------

dates_2005_2026 = st.dates(min_value=date(2005, 1, 1), max_value=date(2026, 12, 31))


@settings(max_examples=150, deadline=None)
@given(done=dates_2005_2026, n=st.integers(min_value=1, max_value=40))
def test_deadline_matches_day_by_day_count(done: date, n: int) -> None:
    cal = WorkdayCalendar.load(search_dirs=[])
    try:
        result = cal.deadline(done, n)
    except CalendarMissing:
        assume(False)
        raise
    assert result == count_by_hand(done, n)
    assert cal.is_workday(result)
    assert cal.workdays_between(done, result) == n


@settings(max_examples=50, deadline=None)
@given(dates=st.lists(dates_2005_2026, max_size=200))
def test_vectorised_equals_scalar(dates: list[date]) -> None:
    cal = WorkdayCalendar.load(search_dirs=[])
    dates = [d for d in dates if d <= date(2026, 12, 1)]  # later ones would need 2027
    expected = [cal.deadline(d) for d in dates]
    assert cal.deadlines(dates) == expected
    as_array = cal.deadlines(np.array(dates, dtype="datetime64[D]"))
    assert as_array.tolist() == expected


# --- calendar files -----------------------------------------------------------------------------


def test_shipped_calendar_has_no_invented_years() -> None:
    assert read_calendar_file(SHIPPED_PLANS / "calendar.yaml") == {}
    cal = WorkdayCalendar.load(search_dirs=[SHIPPED_PLANS])
    assert cal.years == frozenset(range(2004, 2027))


def test_shipped_commented_example_is_valid(tmp_path: Path) -> None:
    lines = (SHIPPED_PLANS / "calendar.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("# years:")
    example = [line.removeprefix("# ") for line in lines[start:] if line.startswith("# ")]
    schedule = read_calendar_file(write(tmp_path, "\n".join(example)))[2027]
    assert date(2027, 2, 6) in schedule.workdays


def test_files_in_search_dirs_are_found(tmp_path: Path) -> None:
    write(tmp_path, CALENDAR_2027, "calendar-2027.yaml")
    write(tmp_path, CALENDAR_2028, "other.yaml")  # not a calendar*.yaml name: ignored
    assert WorkdayCalendar.load(search_dirs=[tmp_path]).years == frozenset(range(2004, 2028))


def test_file_cannot_override_chinese_calendar(tmp_path: Path) -> None:
    text = "years:\n  2024:\n    holidays: [2024-09-23, 2024-09-24]\n"
    cal = WorkdayCalendar.load([write(tmp_path, text)], search_dirs=[])
    assert cal.deadline(date(2024, 9, 20)) == date(2024, 10, 23)
    assert cal.sources[2024].startswith("chinesecalendar")


def test_two_files_agreeing_on_a_year_are_fine(tmp_path: Path) -> None:
    first = write(tmp_path, CALENDAR_2027, "a.yaml")
    # Same working days written differently: a weekend holiday added, no source.
    second = write(tmp_path, "years:\n  2027:\n    holidays: [2027-01-01, 2027-01-02, 2027-01-04]\n"
                   "    workdays: [2027-01-09]\n", "b.yaml")  # fmt: skip
    cal = WorkdayCalendar.load([first, second], search_dirs=[])
    assert cal.deadline(date(2026, 12, 15)) == date(2027, 1, 13)


def test_two_files_disagreeing_on_a_year_are_refused(tmp_path: Path) -> None:
    first = write(tmp_path, CALENDAR_2027, "a.yaml")
    second = write(tmp_path, "years:\n  2027:\n    holidays: [2027-01-01]\n", "b.yaml")
    with pytest.raises(BadPlan) as caught:
        WorkdayCalendar.load([first, second], search_dirs=[])
    assert caught.value.message == (
        f"日历文件“{first}”和“{second}”对 2027 年的安排不一致，无法确定以哪个为准。"
        "请删除其中一份，或把两份改为一致。"
    )


def test_missing_extra_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(BadPlan, match="找不到日历文件") as caught:
        WorkdayCalendar.load([missing], search_dirs=[])
    assert str(missing) in caught.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "years:\n  2027:\n    holidays: [2027-02-30]\n",
            "2027 年的“holidays”中的“2027-02-30”不是有效日期（应写成 2027-01-01 这样的形式）",
        ),
        ("years:\n  2027:\n    holidays: [明天]\n", "2027 年的“holidays”中的“明天”不是有效日期"),
        ("years:\n  2027:\n    holidays: [20270101]\n", "2027 年的“holidays”中的“20270101”不是有效日期"),
        (
            "years:\n  2027:\n    holidays: [2028-01-01]\n",
            "2027 年的“holidays”中的日期 2028-01-01 不在 2027 年内",
        ),
        (
            "years:\n  2027:\n    holidays: [2027-01-01, 2027-02-06]\n    workdays: [2027-02-06]\n",
            "2027 年的日期 2027-02-06 同时出现在 holidays（放假）和 workdays（调休上班）中",
        ),
        (
            "years:\n  2027:\n    holidays: [2027-01-01]\n    workdays: [2027-02-08]\n",
            "workdays（调休上班）中的 2027-02-08 是星期一，调休上班日应是周六或周日",
        ),
        ("years:\n  2027:\n    workdays: [2027-02-06]\n", "2027 年的holidays（放假日期）为空"),
        ("years:\n  2027:\n    holidays: 2027-01-01\n", "“holidays”应是日期列表"),
        (
            "years:\n  2027:\n    holiday: [2027-01-01]\n",
            "“holiday”无法识别（可用的项目：source、holidays、workdays）",
        ),
        ("years:\n  27:\n    holidays: [2027-01-01]\n", "年份“27”不是四位数的年份"),
        ("years:\n  2027: [2027-01-01]\n", "2027 年的安排应写成 holidays"),
        ("years:\n  2027:\n    source: 12\n    holidays: [2027-01-01]\n", "“source”应是文字"),
        ("2027:\n  holidays: [2027-01-01]\n", "文件应以“years:”开头"),
        ("years: [2027]\n", "文件应以“years:”开头"),
        (
            "years:\n  2027:\n    holidays: [2027-01-01]\n  2027:\n    holidays: [2027-01-04]\n",
            "“2027”出现了不止一次（第 4 行）",
        ),
        ("years:\n  2027:\n    holidays: [2027-01-01\n", "不是有效的 YAML"),
    ],
)
def test_malformed_calendar_files(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(BadPlan) as caught:
        WorkdayCalendar.load([path], search_dirs=[])
    assert expected in caught.value.message
    assert caught.value.message.startswith(f"日历文件“{path}”")


def test_python_yaml_tag_is_refused_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = write(tmp_path, f'years: !!python/object/apply:os.system ["touch {marker}"]\n')
    with pytest.raises(BadPlan, match="不允许的 YAML 标签") as caught:
        WorkdayCalendar.load([path], search_dirs=[])
    assert str(path) in caught.value.message
    assert not marker.exists()


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_bytes("years:\n  2027:\n    source: 国办发明电\n".encode("gbk"))
    with pytest.raises(BadPlan, match="不是 UTF-8 编码"):
        WorkdayCalendar.load([path], search_dirs=[])


def test_bom_and_quoted_dates_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text('years:\n  "2027":\n    holidays: ["2027-1-1", 2027-01-04]\n', encoding="utf-8-sig")
    assert read_calendar_file(path)[2027].holidays == {date(2027, 1, 1), date(2027, 1, 4)}
