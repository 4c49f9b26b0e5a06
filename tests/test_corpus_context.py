"""Context, not phrases: the sentences issue #17 quotes, and ticker look-alikes.

Each sentence below was once classified wrongly by a veto that looked at a phrase
anywhere in the sentence. A veto now applies only in the clause of the match it
would take away (and a condition only to what it governs), and boilerplate is told
by where a sentence stands: the section, the paragraph or the document.
"""

from __future__ import annotations

from datetime import date

import pytest

from tracker.classify import classify_text
from tracker.classify.dates import document_date, latest_date
from tracker.classify.rules import RulesError, parse_rules
from tracker.classify.sentences import item_numbers, sentences


def cats(text: str, form: str = "EX-99.1", filed: date | None = None) -> list[str]:
    return list(classify_text(text, form=form, filed=filed).categories)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Acme Bio, Inc. today announced that the FDA approved Zelvora for adults with "
            "moderate to severe plaque psoriasis, subject to a post-marketing study commitment.",
            ["fda"],
        ),
        (
            "\u201cI believe the FDA approval of Zelvora marks a new era for patients with "
            "psoriasis,\u201d said Jane Doe, Chief Executive Officer of Acme Bio.",
            ["fda"],
        ),
        (
            "Acme Bio announced that the FDA has placed a clinical hold on its Phase 2 trial "
            "of ABX-101, once the company reported a serious adverse event to the agency.",
            ["fda"],
        ),
        (
            "Acme Bio said that its Chief Financial Officer, John Roe, has resigned, "
            "effective March 31.",
            ["leadership"],
        ),
        (
            "\u201cWe are delighted to welcome John Smith as our new CFO,\u201d said Jane Doe, "
            "CEO of Acme Bio.",
            ["leadership"],
        ),
    ],
)
def test_sentences_quoted_in_the_issue_are_news(text: str, expected: list[str]) -> None:
    assert cats(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The second tranche of $20 million becomes available subject to FDA approval of "
        "Zelvora by June 30, 2026.",
        "Acme will receive a $15 million milestone payment once the FDA approves Zelvora.",
        "We believe the FDA will approve Zelvora on the basis of the data we submitted.",
        "The complaint alleges that the company misled investors about the FDA approval "
        "prospects of Zelvora.",
    ],
)
def test_conditions_allegations_and_expectations_still_do_not_count(text: str) -> None:
    assert "fda" not in cats(text)


def test_attribution_title_does_not_complete_a_phrase_inside_the_quote() -> None:
    # "joined" inside the quote and "President" in the attribution are two clauses.
    text = (
        "\u201cWe have joined forces with leading centers to run this study,\u201d said "
        "Jane Doe, President and Chief Executive Officer of Acme Bio."
    )
    assert "leadership" not in cats(text)


@pytest.mark.parametrize(
    "text",
    [
        "WILMINGTON, Mass., May 5, 2025 -- Charles River Laboratories International, Inc. "
        "(NYSE: CRL) today announced a new office in Cambridge.",
        "KING OF PRUSSIA, Pa., April 19, 2004 -- Corliss Pharmaceuticals, Inc. (NYSE:\n"
        "CRL-P) announced today the opening of a new office.",
        "Acme Bio today announced that it has engaged NDA Partners LLC as its strategic "
        "advisor for the Zelvora program.",
        "Acme Bio today announced that it has completed IND-enabling studies of ABX-202.",
        "Acme Bio (Nasdaq: PDUF) today announced a new office in Boston.",
    ],
)
def test_ticker_and_name_look_alikes_are_not_fda(text: str) -> None:
    assert "fda" not in cats(text)


def test_a_real_complete_response_letter_still_counts() -> None:
    text = (
        "Charles River Biologics (Nasdaq: CRBX) today announced that it received a CRL "
        "from the FDA for its BLA for Zelvora."
    )
    assert cats(text) == ["fda"]


def test_about_paragraph_without_a_heading_is_background() -> None:
    text = (
        "Acme Bio, Inc. today announced the appointment of Mary Major as Chief Medical "
        "Officer.\n\n"
        "Acme Bio is a clinical-stage biopharmaceutical company. Its lead product, "
        "Zelvora, received FDA approval for psoriasis, and the company completed a "
        "registered direct offering to fund its pipeline."
    )
    assert cats(text) == ["leadership"]


def test_forward_looking_paragraph_is_muted_to_its_end() -> None:
    text = (
        "Acme Bio today reported a net loss of $12.1 million for the first quarter of 2025.\n\n"
        "This press release contains forward-looking statements. These include the "
        "timing of our BLA submission for Zelvora and the topline data of our Phase 3 trial."
    )
    assert cats(text) == ["results"]


def test_certification_section_is_not_news() -> None:
    text = (
        "CERTIFICATION\n\n"
        "I, Jane Doe, certify that:\n\n"
        "1. I have reviewed this quarterly report on Form 10-Q of Acme Bio, Inc.\n\n"
        "2. Based on my knowledge, the financial statements fairly present the results of "
        "operations of the registrant; the registrant's other certifying officer and I "
        "have disclosed any fraud that involves management."
    )
    assert cats(text, form="EX-31.1") == []


def test_award_terms_are_not_financing_but_the_appointment_is_leadership() -> None:
    text = (
        "On March 3, 2025, the Board appointed John Smith as Chief Financial Officer. "
        "Mr. Smith will receive an option to purchase 300,000 shares of common stock at an "
        "exercise price of $4.10 per share, vesting over four years, and severance equal to "
        "twelve months of base salary."
    )
    assert cats(text, form="8-K") == ["leadership"]


def test_bylaw_provision_is_not_a_leadership_change() -> None:
    text = (
        "The Amended and Restated Bylaws provide that a director may be removed and that "
        "the Board may appoint a director to fill any vacancy."
    )
    assert cats(text, form="8-K") == []


def test_law_firm_notice_reports_only_the_lawsuit() -> None:
    text = (
        "NEW YORK, Jan. 8, 2025 -- Pomerantz-like Law Firm LLP announces that a class action "
        "lawsuit has been filed against Acme Bio, Inc. on behalf of investors who purchased "
        "its securities. The lead plaintiff deadline is March 10, 2025.\n\n"
        "On November 5, 2024, Acme Bio announced that the FDA had issued a complete response "
        "letter for Zelvora and reported third quarter revenue of $3.2 million, and the "
        "company completed a public offering of 10,000,000 shares."
    )
    assert cats(text) == ["legal"]


def test_history_long_before_the_document_is_not_news() -> None:
    text = (
        "Acme Bio today announced the appointment of Mary Major as Chief Medical Officer. "
        "Acme Bio completed its initial public offering in 2015 and received FDA approval "
        "of Zelvora in March 2019."
    )
    assert cats(text, filed=date(2025, 3, 3)) == ["leadership"]
    # The same sentence in a 2019 filing is the news itself.
    assert "fda" in cats(text, filed=date(2019, 4, 2))


def test_routine_annual_election_is_not_leadership_but_a_board_appointment_is() -> None:
    vote = (
        "Item 5.07 Submission of Matters to a Vote of Security Holders\n\n"
        "At the annual meeting, the stockholders elected the three Class I directors "
        "nominated by the Board, each to serve until the 2028 annual meeting."
    )
    assert cats(vote, form="8-K") == []
    appointment = (
        "Item 5.02 Departure of Directors or Certain Officers\n\n"
        "On July 14, 2025, the Board of Directors elected Mary Major as a director, "
        "effective immediately, to fill a vacancy."
    )
    assert cats(appointment, form="8-K", filed=date(2025, 7, 15)) == ["leadership"]


def test_dates_are_read_as_the_end_of_what_they_name() -> None:
    assert latest_date("in march 2019 and on june 3, 2021") == date(2021, 6, 3)
    assert latest_date("the 2019 notes") is None
    assert latest_date("fiscal 2022 and mid-2021") == date(2022, 12, 31)
    assert document_date("BOSTON, March 3, 2004 -- Acme Bio today") == date(2004, 3, 3)


def test_a_bad_context_or_veto_is_reported_with_its_place() -> None:
    with pytest.raises(RulesError, match=r"context\[0\].*on must be"):
        parse_rules("[[context]]\nname = 'x'\non = 'nowhere'\npattern = 'a'\n")
    with pytest.raises(RulesError, match=r"categories.fda.vetoes\[0\]: scope"):
        parse_rules("[categories.fda]\nvetoes = [{ scope = 'near', pattern = 'x' }]\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Acme Bio today announced that it received an approvable letter from the FDA for "
            "Zelvora.",
            ["fda"],
        ),
        (
            "Acme Bio today announced that the FDA issued a not approvable letter for Zelvora.",
            ["fda"],
        ),
        (
            "Acme Bio today announced that Health Canada has issued a Notice of Compliance "
            "granting market authorization for Zelvora.",
            ["fda"],
        ),
        ("Acme Bio today announced that Swissmedic has approved Zelvora for adults.", ["fda"]),
        (
            "Acme Bio today announced that the FDA has extended the review period of its "
            "application for Zelvora by three months.",
            ["fda"],
        ),
        (
            "Acme Bio today announced that the FDA has removed the partial hold on the trial.",
            ["fda"],
        ),
        ("Acme Bio AB has resolved on a directed share issue of SEK 50 million.", ["financing"]),
        (
            "Acme Bio today announced that it has raised $2.7 million in funding from "
            "existing investors.",
            ["financing"],
        ),
        (
            "Acme Bio received $8.1 million from the exercise of outstanding warrants.",
            ["financing"],
        ),
        (
            "The company recorded severance charges of $1.2 million for the restructuring "
            "announced in March.",
            ["workforce"],
        ),
        (
            "Acme Bio announced the resolution of the lawsuit brought by its former distributor.",
            ["legal"],
        ),
        (
            "Jane Doe transitioned out of her role as Chief Operating Officer on June 1.",
            ["leadership"],
        ),
        (
            "The Court of Appeals affirmed the judgment against the company, and Acme recorded "
            "a litigation charge of $4 million.",
            ["legal"],
        ),
    ],
)
def test_events_in_unusual_words(text: str, expected: list[str]) -> None:
    assert cats(text, filed=date(2025, 6, 2)) == expected


def test_results_in_bullets_are_sentences_not_headings() -> None:
    text = (
        "Acme Bio Reports Second Quarter 2025 Financial Results\n\n"
        "\u2022 Revenue of $12.3 million, up 15% year over year\n\n"
        "\u2022 Net loss of $4.1 million\n\n"
    )
    assert cats(text, filed=date(2025, 8, 5)) == ["results"]


@pytest.mark.parametrize(
    ("text", "form", "absent"),
    [
        (
            "Item 4.01 Changes in Registrant's Certifying Accountant\n\n"
            "On May 2, 2025, Smith & Jones LLP resigned as the Company's independent "
            "registered public accounting firm, as notified to the Audit Committee of the "
            "Board of Directors.",
            "8-K",
            "leadership",
        ),
        (
            "The Company has incurred a net loss of $14.2 million and has an accumulated "
            "deficit, which raises substantial doubt about its ability to continue as a "
            "going concern.",
            "10-Q",
            "results_from_sentences",
        ),
        (
            "The Board is reviewing strategic alternatives, which may include a sale of the "
            "company, a merger, a public offering or a restructuring with layoffs.",
            "EX-99.1",
            "financing",
        ),
    ],
)
def test_background_that_is_not_news(text: str, form: str, absent: str) -> None:
    if absent == "results_from_sentences":
        # A 10-Q is results by its form; the note itself adds no results evidence.
        result = classify_text(text, form="EX-99.1", filed=date(2025, 5, 12))
        assert "results" not in result.categories
    else:
        assert absent not in cats(text, form=form, filed=date(2025, 5, 12))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Acme Bio today announced that it expects to report topline results of its "
            "pivotal Phase 3 trial in January 2026.",
            [],
        ),
        (
            "Acme Bio today announced its financial results for fiscal 2025, marking a "
            "pivotal year for the company.",
            ["results"],
        ),
        (
            "Headcount was 1,317 as of December 31, 2025, a decrease of 22% year over year.",
            ["workforce"],
        ),
        (
            "The court entered a stipulated judgment resolving the state's claims against Acme.",
            ["legal"],
        ),
        (
            "The reduction in force includes two corporate officers, the senior vice president "
            "of sales and the chief technology officer.",
            ["workforce", "leadership"],
        ),
    ],
)
def test_tuning_classes_in_general_words(text: str, expected: list[str]) -> None:
    assert cats(text, filed=date(2026, 1, 20)) == expected


# -- pages flattened to one line, and the date a document speaks from ----------------------


def test_an_item_heading_inside_a_flattened_cover_starts_its_own_text() -> None:
    """A cover page run into Item 8.01 must not mute the item's news as boilerplate."""
    text = (
        "Check the appropriate box below if the Form 8-K filing is intended to "
        "simultaneously satisfy the filing obligation (17 CFR 240.13e-4(c)) Item 8.01 Other "
        "Events On April 1, 2015, the Company received a warning letter from the U.S. Food "
        "and Drug Administration related to an inspection of its plant in Liscate, Italy."
    )
    assert item_numbers(text) == ("8.01",)
    assert [s.heading for s in sentences(text)][-1] == "Item 8.01 Other Events"
    assert cats(text, form="8-K", filed=date(2015, 4, 2)) == ["fda"]


def test_item_headings_are_found_inside_a_line_but_not_in_prose() -> None:
    text = (
        "ITEM 6. RESIGNATION OF REGISTRANT'S DIRECTORS Mr. Hodgson tendered his "
        "resignation. The information set forth under Item 1.01 of this report is "
        "incorporated herein. Item 5.02. | Departure of Directors or Certain Officers."
    )
    assert item_numbers(text) == ("6", "5.02")


def test_a_document_date_skips_maturities_and_table_cells() -> None:
    assert document_date(
        "Date of report (Date of earliest event reported): October 14, "
        "2004. The notes mature on May 1, 2009."
    ) == date(2004, 10, 14)
    assert document_date(
        "the maturity date of the facilities is May 1, 2005. On June 14, "
        "2002, the facilities were refinanced"
    ) == date(2002, 6, 14)
    assert document_date("Three Months Ended June 30, 2023\n\nMay 19, 2063  4,000") == date(
        2023, 6, 30
    )
    assert document_date(
        "SAN DIEGO, Nov. 30, 2004 (BUSINESS WIRE) -- the PDUFA date is March 5, 2005."
    ) == date(2004, 11, 30)


def test_the_period_a_filing_covers_does_not_make_an_older_event_new() -> None:
    """'3 Months Ended Mar. 31, 2023 | On April 20, 2016, ...' is dated by its event."""
    lower = "|3 months ended mar. 31, 2023 |on april 20, 2016, the company entered into"
    assert latest_date(lower, date(2022, 3, 31)) == date(2016, 4, 20)
    # with no other date, the period is the sentence's date
    assert latest_date("net loss for the year ended december 31, 2019 was", None) == date(
        2019, 12, 31
    )
