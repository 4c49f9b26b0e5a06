"""Which form types are alerted when a company's config does not say (`forms`).

Forms that carry company events and financings (8-K, 10-Q, 10-K, 424B, S-1, S-3, 6-K,
20-F, DEF 14A, SC 13D...) are alerted. Routine ownership and plan forms are not: insider
reports (3, 4, 5), proposed sales (144), employee plan registrations and reports (S-8,
11-K), institutional holdings (13F) and passive 5% holders (13G), with their amendments.
`forms = ["*"]` in a company's config alerts every form; a list of prefixes alerts those.
"""

from __future__ import annotations

ROUTINE_FORMS = frozenset(
    {
        "3",
        "4",
        "5",
        "144",
        "S-8",
        "S-8 POS",
        "11-K",
        "13F-HR",
        "13F-NT",
        "SC 13G",
        "SCHEDULE 13G",
    }
)
EVERY_FORM = "*"


def base_form(form: str) -> str:
    """The form without its amendment suffix: "4/A" -> "4"."""
    form = " ".join(form.upper().split())
    return form[:-2] if form.endswith("/A") else form


def is_routine(form: str) -> bool:
    return base_form(form) in ROUTINE_FORMS


def form_skip_reason(form: str, wanted: tuple[str, ...] | None) -> str | None:
    """Why a form is not alerted for a company wanting `wanted` (None: the default set);
    None when it is alerted."""
    if wanted is None:
        if is_routine(form):
            return (
                f"form {form} is a routine ownership or plan form "
                '(not alerted by default; forms = ["*"] alerts every form)'
            )
        return None
    if EVERY_FORM in wanted or any(form.upper().startswith(f.upper()) for f in wanted):
        return None
    return f"form {form} not in [{', '.join(wanted)}]"
