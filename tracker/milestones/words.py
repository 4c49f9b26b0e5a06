"""Words the date and the product readers both need: month names, US application types.

They live here so that dates and products, the two leaves of the package, share them
without importing each other.
"""

from __future__ import annotations

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
US_APPLICATION = (
    r"BLA|NDA|sNDA|sBLA|PMA|510\(k\)|De Novo|biologics? license application|"
    r"new drug application|premarket approval application"
)
