"""File names made from firm names: valid on every Windows PC, Chinese kept (``jcdraw.io.filenames``)."""

from __future__ import annotations

import pytest

from jcdraw.io.filenames import safe_filename

RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def assert_windows_safe(name: str, limit: int = 120) -> None:
    assert not set('<>:"/\\|?*') & set(name)
    assert all(ord(ch) >= 32 and ch not in "\u202e\u202d\u200b\x7f" for ch in name)
    assert not name.endswith((".", " "))
    assert name.split(".")[0].rstrip(" ").upper() not in RESERVED
    assert len(name.encode("utf-16-le")) // 2 <= limit


@pytest.mark.parametrize(
    "firm",
    ['晋城市<测试>&"甲乙"{{ 7*7 }}有限公司', 'a<b>c:d"e/f\\g|h?i*j', "名称以点结尾...", "  空格  ",
     "\u202excod.exe", "零宽\u200b字符\x7f", "", "...", "CON", "😀" * 200, "某" * 300],
)  # fmt: skip
def test_file_names_are_windows_safe(firm: str) -> None:
    for kind in ("检查通知书", ""):
        name = safe_filename("2024-91140502MA05X9G83F-1", firm, kind)
        assert_windows_safe(name)
        assert name.startswith("2024-91140502MA05X9G83F-1") and name.endswith(".docx")
        if kind:
            assert name.endswith("_检查通知书.docx")
        name.encode("utf-16-le")  # no lone surrogate


def test_file_names_exact() -> None:
    assert safe_filename("2024-X-1", 'a<b>c"d', "检查记录表") == "2024-X-1_a_b_c_d_检查记录表.docx"
    assert safe_filename("2024-X-1", "\u202excod.exe", "检查记录表") == "2024-X-1_xcod.exe_检查记录表.docx"
    assert safe_filename("nul", "", "") == "_nul.docx"
    long = safe_filename("2024-X-1", "😀" * 100, "检查记录表", max_units=60)
    assert long == "2024-X-1_" + "😀" * 20 + "_检查记录表.docx"
