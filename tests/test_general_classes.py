"""Press-release sentences of the general classes the issue (#17) names, both sides.

The issue lists the kinds of news the rules missed on real documents and the kinds of
background they took for news; each class is written here once as the sentence an
analyst would meet in an EX-99.1, with near-variants on the other side (an annual
re-election, an auditor resigning, a conference notice, a biography), so a rule written
for one class is seen not to swallow its neighbour. Each runs through the path the
pipeline takes: the press release of an 8-K.
"""

from __future__ import annotations

from datetime import date

import pytest

from tracker.classify import classify_documents
from tracker.models import Document

CASES: list[tuple[list[str], str]] = [
    (
        ["fda"],
        "CAMBRIDGE, Mass., April 30, 2024 -- Acme Therapeutics, Inc. today announced "
        "that it has received an approvable letter from the U.S. Food and Drug "
        "Administration for its New Drug Application for Zelvora.",
    ),
    (
        ["fda"],
        "Acme Pharmaceuticals announced today that the FDA has issued a not approvable "
        "letter regarding the company's NDA for Relatrin tablets.",
    ),
    (
        ["fda"],
        "Acme Bio announced that the FDA has extended the Prescription Drug User Fee "
        "Act target action date for its Biologics License Application for AB-101 by "
        "three months to August 15, 2024.",
    ),
    (
        ["fda"],
        "Acme Bio announced that the U.S. Food and Drug Administration has removed the "
        "partial clinical hold on its Phase 1 trial of AB-201.",
    ),
    (
        ["financing"],
        "Acme ASA has completed a directed share issue of 5,000,000 new shares at NOK "
        "20 per share, raising gross proceeds of NOK 100 million.",
    ),
    (
        ["financing"],
        "Acme Robotics today announced it has raised $2.7M in funding led by Example Ventures.",
    ),
    (
        ["workforce"],
        "In connection with the restructuring, the Company expects to record severance "
        "charges of approximately $3.1 million in the second quarter, related to the "
        "elimination of 45 positions.",
    ),
    (
        ["workforce"],
        "On April 29, 2024, the Company entered into separation and termination "
        "agreements with 32 employees as part of a plan to reduce operating costs.",
    ),
    (
        ["results"],
        "First Quarter 2024 Financial Highlights\n- Revenue of $12.4 million, up 14% "
        "year over year\n- Net loss of $3.2 million, or $0.12 per share\n- Cash and "
        "equivalents of $45.1 million as of March 31, 2024",
    ),
    (
        ["leadership"],
        "On April 29, 2024, the Board of Directors of Acme Corp. elected Jane Smith and"
        " Robert Jones as directors of the Company, effective immediately, increasing "
        "the size of the Board to nine members.",
    ),
    (
        ["legal"],
        "On April 26, 2024, the jury returned a verdict in favor of the Company in the "
        "patent infringement lawsuit brought by Example Inc.",
    ),
    (
        ["legal"],
        "Following the appellate court's decision affirming the judgment, the Company "
        "recorded a litigation charge of $14.5 million in the first quarter.",
    ),
    (
        [],
        "On April 29, 2024, Ernst & Young LLP resigned as the Company's independent "
        "registered public accounting firm.",
    ),
    (
        ["financing"],
        "The Company has incurred recurring losses, including a net loss of $8.2 "
        "million for the year ended December 31, 2023, and these conditions raise "
        "substantial doubt about the Company's ability to continue as a going concern.",
    ),
    (
        ["legal"],
        "Acme Corp announced the resolution of the lawsuit brought against it by "
        "Example Holdings, under which the parties will dismiss all claims.",
    ),
    (
        ["leadership"],
        "Acme Corp announced that John Doe, Chief Financial Officer, will transition "
        "out of his role effective June 30, 2024.",
    ),
    (
        ["fda"],
        "Acme Bio announced that Health Canada has issued a Notice of Compliance for "
        "Zelvora for the treatment of adults with moderate to severe plaque psoriasis.",
    ),
    (
        ["fda"],
        "Acme Pharma announced that the European Commission granted marketing "
        "authorization for Relatrin.",
    ),
    (
        ["financing"],
        "During the quarter, holders exercised warrants to purchase 2,000,000 shares "
        "for cash proceeds of $4.0 million.",
    ),
    (
        ["fda"],
        "Acme Bio announced that the FDA has accepted its BLA for AB-101 and set a "
        "PDUFA goal date of December 1, 2024.",
    ),
    (
        [],
        "Acme Bio will present at the Example Healthcare Conference on May 14, 2024. A "
        "live webcast will be available on the company's website.",
    ),
    (
        [],
        "Acme Bio is a clinical-stage company developing AB-101, which received "
        "Breakthrough Therapy designation from the FDA in 2021, for patients with rare "
        "diseases.",
    ),
    (
        ["leadership"],
        "On May 1, 2024, John Smith notified the Board of Directors of his decision to "
        "resign as Chief Financial Officer of the Company, effective May 31, 2024.",
    ),
    (
        ["leadership"],
        "Effective April 29, 2024, the Board increased the size of the Board from seven"
        " to eight members and appointed Mary Jones to fill the vacancy.",
    ),
    (
        ["financing"],
        "On April 29, 2024, the Company entered into a Credit Agreement with Bank of "
        "America, N.A., as administrative agent, providing for a $500 million senior "
        "unsecured revolving facility.",
    ),
    (
        ["financing"],
        "On April 29, 2024, the Company issued $300 million aggregate principal amount "
        "of its 5.25% Senior Notes due 2032.",
    ),
    (
        ["financing"],
        "Acme Corp. today announced the closing of its initial public offering of "
        "10,000,000 shares of common stock at a price to the public of $17.00 per "
        "share.",
    ),
    (
        ["legal"],
        "On April 25, 2024, the Company was named as a defendant in a lawsuit filed in "
        "the United States District Court for the District of Delaware by Example Inc.",
    ),
    (
        ["legal"],
        "On April 25, 2024, the court granted the Company's motion to dismiss the "
        "complaint with prejudice.",
    ),
    (
        ["legal"],
        "The Company received a subpoena from the U.S. Attorney's Office for the "
        "District of Massachusetts requesting documents relating to its sales and "
        "marketing practices.",
    ),
    (
        ["workforce"],
        "On April 29, 2024, the Company provided notice under the Worker Adjustment and"
        " Retraining Notification Act to approximately 120 employees at its Fremont, "
        "California facility.",
    ),
    (
        ["workforce"],
        "The plan will eliminate approximately 150 roles, or 12% of the company's "
        "global workforce.",
    ),
    (
        ["fda"],
        "Acme Medical announced that it has received 510(k) clearance from the U.S. "
        "Food and Drug Administration for its ClearView catheter.",
    ),
    (
        ["fda"],
        "Acme Bio announced that it has dosed the first patient in its Phase 2 trial of"
        " AB-101 in patients with lupus.",
    ),
    (
        ["legal"],
        "Acme Corp. announced that it has reached an agreement in principle to settle "
        "the securities class action pending in the Southern District of New York for "
        "$25 million.",
    ),
    (
        ["legal"],
        "On April 24, 2024, the jury in the U.S. District Court for the Eastern "
        "District of Texas found that the Company infringed two patents and awarded "
        "damages of $12 million.",
    ),
    (
        ["legal"],
        "The Company and the Department of Justice entered into a settlement agreement "
        "resolving the investigation, under which the Company paid $8 million.",
    ),
    (
        ["results"],
        "Revenue for the fourth quarter of 2023 was $48.2 million, compared to $41.0 "
        "million for the fourth quarter of 2022.",
    ),
    (
        ["financing"],
        "Acme Corp. today announced that it has entered into definitive agreements with"
        " institutional investors for the purchase and sale of 4,000,000 shares of its "
        "common stock at a purchase price of $2.50 per share in a registered direct "
        "offering.",
    ),
    (
        ["financing"],
        "The Company received net proceeds of approximately $9.2 million from the "
        "exercise of outstanding warrants.",
    ),
    (
        ["leadership"],
        "The Board of Directors appointed Jane Doe as interim Chief Executive Officer, "
        "effective immediately, following the departure of John Roe.",
    ),
    (
        [],
        "Acme Corp. today announced that its Board of Directors declared a quarterly "
        "cash dividend of $0.25 per share, payable June 1, 2024.",
    ),
    (
        [],
        "At the Annual Meeting held on April 25, 2024, the stockholders elected each of"
        " the eight director nominees to serve until the next annual meeting.",
    ),
    (
        [],
        "Acme Corp. announced the launch of its new ClearView product line, now "
        "available in the United States and Europe.",
    ),
    (
        [],
        "Acme Bio today announced that members of its management team will participate "
        "in a fireside chat at the Jefferies Healthcare Conference on June 5, 2024.",
    ),
    (
        ["fda"],
        "Acme Bio announced that the CHMP has adopted a positive opinion recommending "
        "marketing authorization for Zelvora.",
    ),
    (
        ["fda"],
        "Acme Bio today announced positive topline results from its Phase 3 ACCEL "
        "trial, which met its primary endpoint.",
    ),
    (
        ["workforce"],
        "Acme Bio announced a strategic reprioritization, including a reduction of its "
        "workforce by approximately 40%.",
    ),
    (
        ["financing"],
        "Acme Bio today announced that it has entered into a $100 million term loan "
        "facility with Hercules Capital.",
    ),
    (
        [],
        "Our ability to commercialize AB-101 depends on obtaining FDA approval, which "
        "we may not receive on a timely basis or at all.",
    ),
    (
        [],
        "The Company will host a conference call to discuss the Phase 3 data presented "
        "at the American Society of Clinical Oncology annual meeting.",
    ),
    (
        [],
        "Under the license agreement, Example Pharma will pay Acme up to $50 million "
        "upon achievement of specified regulatory milestones, including acceptance of "
        "an NDA by the FDA.",
    ),
    (
        [],
        "Acme Bio today announced that it will present new preclinical data for AB-301 "
        "at the American Association for Cancer Research Annual Meeting.",
    ),
    (
        ["leadership"],
        "Acme Bio today announced the appointment of Jane Doe, M.D., as Chief Medical "
        "Officer. Dr. Doe previously led the team that secured FDA approval of Relatrin"
        " at Example Pharma.",
    ),
    (
        [],
        "The Company's products are subject to extensive regulation by the FDA and "
        "comparable foreign authorities.",
    ),
    (
        [],
        "Research and development expenses were $12.1 million for the first quarter, "
        "primarily due to costs of the ongoing Phase 3 trial of AB-101.",
    ),
    (
        [],
        "Acme Bio announced that it has entered into an exclusive license agreement "
        "with Example Pharma for the development and commercialization of AB-101 in "
        "Greater China.",
    ),
    (
        [],
        "Acme Bio announced that the U.S. Patent and Trademark Office has issued a "
        "patent covering the composition of matter of AB-101, which expires in 2041.",
    ),
    (
        [],
        "Acme Bio was awarded a $2 million grant from the National Institutes of Health"
        " to support preclinical development of AB-401.",
    ),
    (
        [],
        "The Company submitted its annual report to the Nasdaq Stock Market and "
        "regained compliance with the minimum bid price requirement.",
    ),
    (
        [],
        "Acme Bio will present at the Piper Sandler Healthcare Conference. The "
        "company's lead candidate, AB-101, is in a pivotal Phase 3 trial, with topline "
        "data expected in the second half of 2024.",
    ),
    (
        ["legal"],
        "Acme has been named as a defendant in a lawsuit brought by a former "
        "distributor seeking damages of $20 million.",
    ),
    (
        ["legal"],
        "The arbitration panel issued its final award in the dispute with Example Inc.,"
        " ordering Example to pay the Company $14 million.",
    ),
    (
        ["legal"],
        "The Company agreed to pay $5 million to resolve allegations that it submitted "
        "false claims to Medicare.",
    ),
    (
        ["legal"],
        "The SEC filed a civil enforcement action against the Company and its former "
        "CFO in the U.S. District Court.",
    ),
    (
        ["legal"],
        "The Federal Trade Commission issued an administrative complaint challenging "
        "the Company's proposed acquisition of Example Inc.",
    ),
    (
        ["legal"],
        "The Company's subsidiary pleaded guilty to one misdemeanor count and agreed to"
        " pay a fine of $10 million.",
    ),
    (
        ["legal"],
        "The European Commission fined the Company EUR 100 million for breaching "
        "competition rules.",
    ),
    (
        ["legal"],
        "The U.S. International Trade Commission instituted an investigation based on "
        "the Company's complaint alleging infringement of three patents.",
    ),
    (
        ["legal"],
        "On April 3, 2024, a judgment was entered against the Company in the amount of "
        "$3.2 million.",
    ),
    (
        ["legal"],
        "The Company entered into a five-year Corporate Integrity Agreement with the "
        "Office of Inspector General of HHS.",
    ),
    (
        ["financing"],
        "On April 29, 2024, the Company entered into a common stock purchase agreement "
        "with Aspire Capital Fund, LLC, under which Aspire committed to purchase up to "
        "$20 million of common stock.",
    ),
    (
        ["financing"],
        "On April 29, 2024, the Company issued a promissory note in the principal "
        "amount of $500,000 to an accredited investor.",
    ),
    (
        ["financing"],
        "Acme today announced a $10 million strategic equity investment by Example "
        "Pharma, which purchased 2,000,000 newly issued shares at $5.00 per share.",
    ),
    (
        ["financing"],
        "The Company sold $15 million of convertible debentures to institutional investors.",
    ),
    (
        [],
        "Interest expense was $1.2 million for the quarter, reflecting borrowings under"
        " the term loan.",
    ),
    (
        ["financing"],
        "We believe our cash, cash equivalents and investments of $150.2 million will "
        "be sufficient to fund our operations into the second half of 2026.",
    ),
    (
        ["financing"],
        "We believe our cash and cash equivalents of $8.2 million will be sufficient to"
        " fund our operations into the first quarter of 2025.",
    ),
    (
        [],
        "The Company repurchased 1,000,000 shares of its common stock during the "
        "quarter under its share repurchase program.",
    ),
    (
        [],
        "From time to time, we may be named as a defendant in lawsuits arising in the "
        "ordinary course of business.",
    ),
    (
        [],
        "The FDA may impose civil penalties or seek an injunction if we fail to comply "
        "with its regulations.",
    ),
    (
        [],
        "The SEC could bring an enforcement action against us if it determines that our"
        " disclosures were inadequate.",
    ),
    (
        [],
        "In management's judgment, the outcome of these matters will not have a "
        "material effect on our financial position.",
    ),
    (
        [],
        "Interest expense was $1.2 million, compared to $0.9 million in the prior year,"
        " due to higher borrowings under our credit facility.",
    ),
    (
        [],
        "As of March 31, 2024, the Company had $25.0 million outstanding under its term"
        " loan with Hercules Capital.",
    ),
    (
        [],
        "The Company's 2.25% convertible senior notes due 2027 are classified as long-term debt.",
    ),
    (
        ["financing"],
        "On April 29, 2024, the Company entered into an amendment to its Loan and "
        "Security Agreement with Oxford Finance LLC to extend the interest-only period.",
    ),
    (
        ["financing"],
        "Acme drew down an additional $15 million tranche under its term loan facility.",
    ),
    (
        [],
        "Acme completed the repayment of its term loan in full using cash on hand.",
    ),
    (
        [],
        "Georgia Power filed a settlement agreement with the Georgia Public Service "
        "Commission resolving its base rate case, under which retail rates will "
        "increase by $1.8 billion over three years.",
    ),
    (
        [],
        "Under the investor rights agreement, the holders of the Series A preferred "
        "stock have the right to elect two members of the Board of Directors.",
    ),
    (
        [],
        "Amazon will issue approximately 1,600,000 shares of its common stock in "
        "connection with the acquisition of Junglee.",
    ),
    (
        ["financing"],
        "Acme today announced that it has sold 1,600,000 shares of its common stock in "
        "a registered direct offering to fund the acquisition of Example Corp.",
    ),
    (
        ["fda"],
        "Following our meeting with the U.S. Food and Drug Administration on June 30, "
        "we confirmed the design of the pivotal trial.",
    ),
    (
        [],
        "We plan to request a meeting with the FDA to discuss the design of the pivotal trial.",
    ),
    (
        ["fda"],
        "The subsidiary has obtained the drug registration certificate issued by the "
        "National Medical Products Administration for the drug.",
    ),
    (
        ["results"],
        "Acme announced a net loss for the three months ended March 31, 2024 of "
        "$3,055,000, or $0.07 per share.",
    ),
    (
        [],
        "The consolidation of the quality assurance laboratory into the New Jersey "
        "facility has been completed.",
    ),
    (
        [],
        "The decrease in net loss is primarily due to lower non-cash financing charges "
        "related to the issuance of convertible debentures in the prior year.",
    ),
    (
        [],
        "Interest expense was $1.2 million for the quarter, reflecting borrowings under"
        " the term loan.",
    ),
    (
        [],
        "As of March 31, 2024, the Company had $25.0 million outstanding under its term"
        " loan with Hercules Capital.",
    ),
    (
        [],
        "The Company's 2.25% convertible senior notes due 2027 are classified as long-term debt.",
    ),
    (
        [],
        "Upon closing of the sale of the facility, the Company will realize net "
        "proceeds of approximately $19.5 million.",
    ),
    (
        ["fda"],
        "Kestrel today announced that it has decided to discontinue development of "
        "KN-204 after the independent data monitoring committee concluded that the "
        "trial was unlikely to meet its primary endpoint.",
    ),
    (
        [],
        "Kestrel expects to begin a Phase 1 clinical trial of KN-310 in the first half of 2004.",
    ),
    (
        ["fda"],
        "Acme announced that it received a letter from the U.S. Food and Drug "
        "Administration indicating that Zelvora is approvable, subject to an additional"
        " study.",
    ),
    (
        ["fda"],
        "Teikoku Seiyaku acquired manufacturing and sales approval for Rupafin tablets in Japan.",
    ),
    (
        [],
        "We are evaluating the concerns expressed by the FDA with regard to the "
        "clinical hold placed on our IND in 2017.",
    ),
    (
        ["fda"],
        "Acme announced that the FDA has lifted the partial clinical hold on its Phase "
        "1 trial of AB-201.",
    ),
    (
        ["leadership"],
        "The Board of Directors terminated Dr. John Smith, the Chief Medical Officer of"
        " the Company, for violations of the Company's policies.",
    ),
    (
        ["leadership"],
        "Dr. Friedrich von Bohlen has decided to resign at the end of the company's "
        "current transition phase, and the supervisory board has accepted his "
        "resignation.",
    ),
    (
        [],
        "The data will be presented by Jane Khoury, MD, director of the Division of "
        "Hematology at Emory University School of Medicine.",
    ),
    (
        ["legal"],
        "Multiple putative class actions were filed in federal court against the "
        "Company and certain of its officers.",
    ),
    (
        ["legal"],
        "Example LLP is investigating claims on behalf of investors of Acme Pharmaceuticals, Inc.",
    ),
    (
        ["legal"],
        "All matters in controversy in the above described actions have been finally "
        "compromised and settled.",
    ),
    (
        ["legal"],
        "Pure Bioscience received a $14.2 million award resulting from its arbitration "
        "proceeding against NVID International.",
    ),
    (
        [],
        "Litigation charges and other 20 13 97 (1,203)",
    ),
    (
        ["financing"],
        "The Company anticipates that its existing cash will not be sufficient to meet "
        "its operational needs beyond the third quarter of 2023.",
    ),
    (
        ["financing"],
        "On November 14, 2024, the lender declared all of the Loan Agreement "
        "obligations immediately due and payable.",
    ),
    (
        [],
        "In September 2021, the Flemish Region issued a notice of default alleging "
        "violations of environmental laws.",
    ),
    (
        ["financing"],
        "In February 2024, we intend to commence sales under the ATM Agreement, under "
        "which we may sell shares of our common stock having an aggregate offering "
        "price of up to $1.5 billion.",
    ),
    (
        [],
        "The non-dilutive funding we are receiving from NIH is enabling us to pursue a "
        "seed stage financing for the company.",
    ),
    (
        ["workforce"],
        "The Board approved a plan to close approximately 900 to 1,000 underperforming stores.",
    ),
    (
        [],
        "3M will continue to address PFAS at certain other closed municipal sites at "
        "which the Company historically disposed waste.",
    ),
    (
        [],
        "This decrease is largely due to workforce and other cost reductions in October"
        " 2003 and in April 2004.",
    ),
    (
        [],
        "He has helped the Company advance its mission in tobacco harm reduction and to"
        " take leadership positions in two new plant franchises.",
    ),
    (
        ["workforce"],
        "The 2022 Restructuring Program was approved to rebalance our workforce and "
        "operations to create efficiencies.",
    ),
    (
        [],
        "The Company will pay a 20% royalty on net sales of toripalimab and up to an "
        "aggregate $380.0 million in milestone payments.",
    ),
    (
        [],
        "Metavesco today announced it has launched Phase 1 of its expansion plan for "
        "its staffing business.",
    ),
    (
        [],
        "No stock exchange, securities commission or other regulatory authority has "
        "approved or disapproved the information contained herein.",
    ),
    (
        [],
        "Earlier this month, the company discontinued development of its TITAN 6700 "
        "core optical switch.",
    ),
    (
        [],
        "On August 3, 2021, the FDA granted final approval for Alkem's generic version of DUEXIS.",
    ),
    (
        ["workforce"],
        "The reduction in workforce keeps key personnel needed to select a partner and "
        "obtain FDA approval of IV meloxicam.",
    ),
    (
        ["fda"],
        "Trogarzo received a positive recommendation from the Scientific Advisory Group"
        " convened by the CHMP.",
    ),
    (
        ["fda"],
        "Winston Laboratories today announced that it has received a Notice of Non-"
        "compliance from Health Canada for its New Drug Submission for CIVANEX.",
    ),
    (
        ["fda"],
        "The Company received a warning letter from the U.S. Food and Drug "
        "Administration related to an inspection of its manufacturing facility.",
    ),
    (
        [],
        "Uncertainties of the FDA approval process, including delays in approval of new products.",
    ),
    (
        ["leadership"],
        "The Board of Directors has unanimously appointed Nancy Katz to serve on the "
        "Board, increasing the number of directors from five to six.",
    ),
    (
        ["leadership"],
        "The following directors resigned as members of the Board of Directors of the "
        "Company this week.",
    ),
    (
        [],
        "Pharmexa today announced the appointment of David Gee as Director of Licensing.",
    ),
    (
        [],
        "Alex Azar, deputy secretary and chief operating officer of the Department, "
        "will deliver the keynote address at the conference.",
    ),
    (
        [],
        "The board shall nominate for election only those candidates who agree to "
        "tender a resignation if they fail to receive a majority of the votes cast.",
    ),
    (
        [],
        "Golden Matrix today announced the settlement of the Lind Global Note, which it"
        " prepaid in full from cash on hand.",
    ),
    (
        ["legal"],
        "This settlement with Daze marks another milestone in the company's defence of "
        "its patents, under a covenant not to sue.",
    ),
    (
        [],
        "Kessler Topaz Meltzer & Check, LLP reminds Marqeta shareholders of the "
        "deadline in the securities fraud class action lawsuit.",
    ),
    (
        [],
        "Following the Retirement Date and subject to Mr. Valenti executing a general "
        "release of all claims in favor of the Company, he will receive his benefits.",
    ),
    (
        [],
        "The company anticipated some reversal of past losses through settlement of "
        "claims on certain projects, but no settlements have been reached.",
    ),
    (
        [],
        "We will pay $4,000,000 in cash to Newtek and will issue to Newtek 4,000,000 "
        "shares of our preferred stock under the Acquisition Agreement.",
    ),
    (
        [],
        "Not later than 15 days following the date of this Agreement, Altair shall "
        "issue 100,000 shares of Altair common stock to Toyota.",
    ),
    (
        [],
        "The Company plans to record a charge to net income in the range of $5 million "
        "to $8 million in its second fiscal quarter.",
    ),
    (
        ["workforce"],
        "Applied Materials will offer a voluntary separation program to up to 1,000 employees.",
    ),
    (
        [],
        "Kestrel is taking this action following its receipt of a complete response "
        "letter from the FDA last month.",
    ),
    (
        ["results"],
        "Skkynet is pleased to announce its financial results for the first quarter "
        "ended January 31, 2025.",
    ),
    (
        [],
        "Aemetis announced that the company will host a conference call to review the "
        "release of its third quarter 2024 earnings.",
    ),
    (
        ["results"],
        "Earnings for the year ending December 31, 2024, were $4,156,350, or $2.38 per share.",
    ),
    (
        [],
        "Cooper announced that it will be implementing additional strategic actions "
        "that will increase earnings.",
    ),
    (
        [],
        "The company has an ownership interest in AML through its participation in "
        "their Series A round of capital raising.",
    ),
    (
        [],
        "Telvantis today announced that it has settled the entire note balance with "
        "JanBella Group.",
    ),
    (
        [],
        "Telvantis today announced that it had terminated its Regulation A offering.",
    ),
    (
        ["financing"],
        "MoliChem is reorganizing to focus its resources on identifying new development"
        " partners and securing new funding.",
    ),
    (
        ["financing"],
        "This round of funding is in the form of a non-convertible note bearing "
        "interest at 8% per year.",
    ),
    (
        ["legal"],
        "HP today announced it has settled all ongoing patent litigation with "
        "Intergraph Corporation.",
    ),
    (
        ["legal"],
        "The agreement resolves all legal claims between the two companies.",
    ),
    (
        ["legal"],
        "The Company received payment of $7.7 million from BD pursuant to a stipulation"
        " in the patent infringement case.",
    ),
    (
        ["workforce"],
        "The company initiated a reduction in its total employment, which will reduce "
        "employment by approximately 15%.",
    ),
    (
        ["fda"],
        "AAI today announced the successful completion of early phase, in vivo, human "
        "studies for its combination of fexofenadine and pseudoephedrine.",
    ),
    (
        [],
        "The Group has completed the production of samples for phase III clinical "
        "trials of the three vaccines.",
    ),
    (
        [],
        "Topline data from the superior efficacy interim analysis, the next major "
        "milestone in the trial, is expected in the first half of 2025.",
    ),
    (
        [],
        "With several important milestones ahead, including initiation of OVATION 3, "
        "the Phase 3 trial of IMNN-001, I look forward to working with the team.",
    ),
    (
        [],
        "In October 2024, Achieve completed the ORCA-OL trial, with 479 participants "
        "enrolled across 29 clinical trial sites in the United States.",
    ),
    (
        ["fda"],
        "Akeso Announces IND Acceptance for AK139 by the National Medical Products Administration.",
    ),
    (
        ["fda"],
        "The Company announced that it received a Refusal to File letter from the FDA "
        "for its Dronabinol Oral Solution.",
    ),
    (
        ["leadership"],
        "Coursera today announced the appointment of Patrick Supanc as Chief Product "
        "Officer, effective June 2, 2025.",
    ),
    (
        ["leadership"],
        "Riot today announced the hiring of Jonathan Gibbs as Chief Data Center Officer.",
    ),
    (
        ["legal"],
        "The class action complaint was filed naming as defendants SPS, PCC and each "
        "member of the SPS board of directors.",
    ),
    (
        [],
        "Tenth Avenue is pleased to announce that all nominees listed in the management"
        " proxy circular were elected as directors.",
    ),
    (
        ["legal"],
        "BioAge Labs is facing a class-action lawsuit filed in the U.S. District Court "
        "for the Northern District of California.",
    ),
    (
        [],
        "AIM ImmunoTech today announced that it will not proceed with an offering "
        "pursuant to its registration statement.",
    ),
    (
        [],
        "At December 31, 2002, the Company reported cash, cash equivalents and "
        "marketable securities of $26.9 million and working capital of $21.1 million.",
    ),
    (
        [],
        "Nauticus expects the common stock will begin trading on a post-split basis at "
        "the market open on September 5, 2025.",
    ),
    (
        ["financing"],
        "New Enterprise Associates led a $47 million Series A round for Firestorm Labs.",
    ),
    (
        ["financing"],
        "On August 31, a group of investors purchased an aggregate 1,510,000 shares of "
        "the company's common stock for an offering price of $6,795,000.",
    ),
    (
        ["results"],
        "Alleghany Corporation reported net earnings from continuing operations in 2023"
        " of $117.9 million.",
    ),
    (
        ["results"],
        "Calypte's preliminary first quarter 2024 gross revenues increased 27% to a "
        "record $1.4 million.",
    ),
    (
        ["workforce"],
        "The charge includes $5 million for severance payments to approximately 95 employees.",
    ),
    (
        ["workforce"],
        "The plan is expected to impact approximately 5% of our global workforce.",
    ),
    (
        ["workforce"],
        "Acme will reduce its global workforce by approximately 10%.",
    ),
    (
        ["workforce"],
        "The restructuring will eliminate about 8% of the global workforce.",
    ),
    (
        [],
        "Our talented global workforce of 5,000 employees serves customers in 40 countries.",
    ),
    (
        [],
        "Sera intends to use the net proceeds from the offering to fund its submission "
        "to the FDA seeking broad approval of the PreTRM test.",
    ),
    (
        [],
        "Bluejay's lead product candidate recently received FDA Breakthrough Therapy "
        "designation for the treatment of chronic hepatitis delta.",
    ),
    (
        [],
        "Having successfully completed its Phase 1 single ascending dose study, "
        "OCT461201 is now ready for further clinical advancement.",
    ),
    (
        [],
        "CVRx is focused on the development and commercialization of the Barostim "
        "System, the first medical technology approved by FDA that uses neuromodulation"
        " to treat heart failure.",
    ),
    (
        [],
        "Each option has an exercise price of $14.25 per share, equal to the closing "
        "price of the common stock on the date of grant.",
    ),
    (
        [],
        "Each publicly traded warrant will become exercisable into 1/40th of a share at"
        " an increased exercise price of $184.00 following the reverse stock split.",
    ),
    (
        [],
        "Aspira today announced the withdrawal of its registration statement on Form "
        "S-1 relating to a proposed public offering.",
    ),
    (
        ["results"],
        "FTI Consulting posted record third-quarter results and raised its full-year guidance.",
    ),
    (
        ["results"],
        "For the quarter ended Sept. 30, revenue rose 3.3% to $956.2 million.",
    ),
    (
        ["results"],
        "Q2 revenue of $43.6 million, up 8% year over year.",
    ),
    (
        ["legal"],
        "Morrow & Sheppard LLP is proud to announce a $31,400,000 settlement on behalf "
        "of the victims of an oilfield explosion.",
    ),
]


@pytest.mark.parametrize(("expected", "text"), CASES)
def test_press_release_sentence(expected: list[str], text: str) -> None:
    doc = Document("ex99-1.htm", "EX-99.1", "", text)
    got = classify_documents([doc], form="8-K", filed=date(2024, 5, 1)).categories
    assert sorted(got) == sorted(expected), text
