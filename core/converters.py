"""URL converter for a month written as 2025-12."""
import datetime


class MonthConverter:
    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> datetime.date:
        try:
            return datetime.date(int(value[:4]), int(value[5:7]), 1)
        except ValueError as exc:  # 2025-13 is not a month: answer 404
            raise ValueError(value) from exc

    def to_url(self, value: datetime.date) -> str:
        return f"{value.year:04d}-{value.month:02d}"
