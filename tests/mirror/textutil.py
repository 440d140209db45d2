"""Small text and date helpers shared by the mirror templates."""

from __future__ import annotations

import html
import unicodedata
from datetime import date, datetime

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


def esc(text: str) -> str:
    """HTML-escape text for element content and attribute values."""
    return html.escape(text, quote=True)


def slugify(text: str) -> str:
    """Vietnamese title -> ASCII slug, the way MasterCMS and pathauto build them."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out, dash = [], False
    for ch in ascii_text.lower():
        if ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def weekday(day: date) -> str:
    """Vietnamese weekday name ("Thứ Hai" ...)."""
    return WEEKDAYS[day.weekday()]


def dmy(moment: date) -> str:
    """dd/mm/yyyy."""
    return f"{moment:%d/%m/%Y}"


def hm(moment: datetime) -> str:
    """HH:MM."""
    return f"{moment:%H:%M}"


def iso_local(moment: datetime, seconds: int = 0) -> str:
    """ISO 8601 with the +07:00 offset (seconds forced, default 00)."""
    return f"{moment:%Y-%m-%dT%H:%M}:{seconds:02d}+07:00"


def rfc822(moment: datetime) -> str:
    """RSS pubDate in local time, e.g. "Mon, 23 Jan 2023 07:12:00 +0700"."""
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return (
        f"{days[moment.weekday()]}, {moment:%d} {months[moment.month - 1]} {moment:%Y} "
        f"{moment:%H:%M:%S} +0700"
    )


def vn_long_date(day: date) -> str:
    """ "ngày 5 tháng 3 năm 2024"."""
    return f"ngày {day.day} tháng {day.month} năm {day.year}"


def shorten(text: str, limit: int) -> str:
    """Cut text at a word boundary and add an ellipsis when longer than limit."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "..."
