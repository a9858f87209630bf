"""File names made from user text (firm names, visit ids) that every Windows folder accepts.

``safe_filename(*parts, ext=".docx")`` joins the parts with ``_`` after making each one safe:

* the characters Windows forbids (``<>:"/\\|?*``), control characters and invisible format characters
  become ``_`` (a right-to-left override could make ``…exe.docx`` look like another file type);
* no part, and so no name, ends in a dot or a space (Windows silently drops them);
* a name whose stem is a reserved device name (CON, NUL, COM1, LPT¹, CONIN$ …) gets a ``_`` prefix;
* the *last part that may shrink* (the firm name) is cut so the whole name stays within
  ``MAX_NAME_UNITS`` UTF-16 code units (Windows counts path lengths in those), never between the two
  halves of a character outside the BMP. The other parts are kept whole when they fit.

Chinese stays as it is: these names are read by people.
"""

from __future__ import annotations

import re
import unicodedata

FORBIDDEN = frozenset('<>:"/\\|?*')
RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{kind}{n}" for kind in ("COM", "LPT") for n in "0123456789¹²³"}
)
# Leaves 259 − 120 = 139 units of MAX_PATH for the folder the files are written to.
MAX_NAME_UNITS = 120
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def utf16_units(text: str) -> int:
    """Length as Windows counts it.

    Example:
        >>> utf16_units("检查"), utf16_units("😀")
        (2, 2)
    """
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clean_part(text: str) -> str:
    """One part of a name with unsafe characters replaced, runs squeezed, no dot/space/_ at the ends.

    Example:
        >>> clean_part(' a<b>c:"d"/e\\\\f|g?h*  ')
        'a_b_c_d_e_f_g_h'
        >>> clean_part("晋城\\u202e市\\x00某 某 公司.")
        '晋城_市_某 某 公司'
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        category = unicodedata.category(ch)
        if ch in FORBIDDEN or category in _UNSAFE_CATEGORIES:
            out.append("_")
        elif category == "Zs":
            out.append(" ")
        else:
            out.append(ch)
    joined = re.sub(r" {2,}", " ", re.sub(r"_{2,}", "_", "".join(out)))
    return joined.strip(" ._")


def cut_to_units(text: str, units: int) -> str:
    """At most ``units`` UTF-16 units of ``text``, whole characters only, no trailing dot or space.

    Example:
        >>> cut_to_units("晋城市某某有限公司", 4), cut_to_units("a😀b", 2)
        ('晋城市某', 'a')
    """
    out: list[str] = []
    used = 0
    for ch in text:
        size = utf16_units(ch)
        if used + size > units:
            break
        out.append(ch)
        used += size
    return "".join(out).rstrip(" .")


def safe_filename(
    first: str, shrinkable: str, last: str = "", *, ext: str = ".docx", max_units: int = MAX_NAME_UNITS
) -> str:
    """``{first}_{shrinkable}_{last}{ext}``, each part made safe; ``shrinkable`` is cut to fit.

    Example:
        >>> safe_filename("2024-91140522MA0ERKDE9N-1", "晋城市益祥汽车销售有限公司", "检查通知书")
        '2024-91140522MA0ERKDE9N-1_晋城市益祥汽车销售有限公司_检查通知书.docx'
        >>> safe_filename("CON", "", "")
        '_CON.docx'
        >>> len(safe_filename("2024-X-1", "某" * 300, "检查记录表"))
        120
    """
    head = clean_part(first) or "_"
    tail = clean_part(last)
    suffix = "." + clean_part(ext.lstrip(".")) if ext.strip(". ") else ""
    fixed = head + (f"_{tail}" if tail else "") + suffix
    room = max_units - utf16_units(fixed) - 1  # the "_" before the shrinkable part
    middle = cut_to_units(clean_part(shrinkable), room).strip(" ._") if room > 0 else ""
    name = "_".join(part for part in (head, middle, tail) if part) + suffix
    if utf16_units(name) > max_units:  # the fixed parts alone are too long: cut them too
        stem = name[: -len(suffix)] if suffix else name
        name = cut_to_units(stem, max_units - utf16_units(suffix) - 1) + suffix
    if name.split(".")[0].rstrip(" ").upper() in RESERVED:
        name = "_" + name
    return name
