/// Every phrase of the report. Each language's catalog (`Catalog+Danish.swift`,
/// `Catalog+English.swift`) has a text for each; `{name}` marks a placeholder.
package enum Phrase: String, CaseIterable, Sendable {
    // The page
    case title, kicker, socialCommittee, asOfLine, publishedLine, notPublished, laterRunFailed, laterRunStopped, laterRunNotPublished, laterRunsMore, institutionOne, institutionMany, footer
    // 1. The answer
    case answerHeading, noTreatmentChildren, noControlChildren, noTreatmentShort, noControlShort, causalLead, causalUp, causalDown, causalNone, causalNoInterval, causalOthersClear, causalMissing, causalNotEstimated, causalLeadNotEstimated, causalOtherTooFew, causalTooFew
    case whyTooFewPeriods, whyNoInstitutions, whyNoTreatedGroup, whyCoveredLeftOut, whyNoComparison, whyNeverCoveredLeftOut, whyTooFewNeverTreated, whyMalformedPanel, whyUnknown
    case rejectsLead, answerRejects, rejectedShare, rejectedFew
    case naiveLead, naive, naiveNone, naiveSuppressed, naiveMissing, naiveZero, answerExplain
    case sureLead, sureBasis, sureBasisNotYet, sureBasisLast, sureFew, sureTrendNone, sureTrend, sureTrendOne, sureTrendOff, trendCaution, trendHidden, trendAllHidden
    case trendSingleIn, trendSingleOut, trendHiddenOne, trendAllHiddenOne
    // 2. The figures
    case figuresHeading
    case effectsTitle, effectsOtherNotEstimated, effectsReading, effectsReadingFor, effectsReadingNotFor, effectsReadingAll, effectsReadingNone, effectsReadingNoInterval, effectsNotEstimated, effectsLeadNotEstimated, effectsTooFew, effectsNote
    case againstNeverTreated, againstNotYetTreated, againstCoveredLast, comparisonWithout, comparisonNotYet, comparisonLast, effectAxis
    case comparisonsTitle, comparisonsReading, comparisonsNoIntervals, comparisonsHidden, comparisonsUnits, comparisonsNote, rateRatioPanel, rateRatioAxis, ageDifferencePanel, monthsAxis
    case eventTitle, eventReading, eventAfter, eventNotEstimated, eventNote, before, after
    case quartersColumn, quartersAxis, quartersPlural, quarterSingular, halfYearsColumn, halfYearsAxis, halfYearsPlural, halfYearSingular
    case yearsColumn, yearsAxis, yearsPlural, yearSingular, lastPeriod, lastPeriods
    case yearTitle, yearReading, yearReadingOne, districtTitle, districtReading, districtReadingOne, yearNotCompared, yearsNotCompared, districtNotCompared, districtsNotCompared, yearsHidden, districtsHidden, noDistrict, rateAxis, rateNote
    case agesTitle, agesReading, agesReadingHidden, agesNote, monthsAgeAxis
    case sharesTitle, sharesReading, sharesOfChildren, sharesInAll, sharesNotifications, sharesNotificationRate, sharesClosedCases, sharesClosed, sharesResolved, sharesNote
    case treatmentCohort, controlCohort, detectionShort, investigationShort, measureShort
    case outcomeColumn, effectColumn, intervalColumn, levelBeforeColumn, comparisonColumn, treatmentColumn, controlColumn
    case estimateColumn, yearColumn, districtColumn, cohortColumn, meanColumn, medianColumn, childrenColumn
    // 3. How sure we are
    case certaintyHeading, certaintyIntro, runLabel, publishedLabel, notPublishedShort, asOfLabel, windowLabel, dateRange
    case smallCellLabel, smallCellValue
    case filesHeading, fileColumn, readColumn, rejectedColumn
    case rejectsHeading, reasonColumn, recordsColumn, noRejects
    case unattributedHeading, unattributedIntro, noUnattributed, eventColumn
    case transformHeading, whatColumn, countColumn
    case panelHeading, panelText, panelNotEstimated, panelLeadNotEstimated, panelLastGroup, panelLeftOut, panelLeftOutOne, panelLeftOutOfPanel, panelNoneLeftOut, panelMissing, institutionsColumn, neverTreatedInstitutions, notYetTreatedInstitutions, coveredLastInstitutions
    case suppressionHeading, suppressionText, suppressionOne, suppressionNone
    // 4. Definitions
    case definitionsHeading, exactLink, exactHeading, exactIntro
    case termCohorts, plainCohorts, exactCohorts
    case termChildYears, plainChildYears, exactChildYears
    case termDetection, plainDetection, exactDetection
    case termInvestigation, plainInvestigation, exactInvestigation
    case termMeasure, plainMeasure, exactMeasure
    case termComparison, plainComparison, exactComparison
    case termDiD, plainDiD, exactDiD
    case termEventStudy, plainEventStudy, exactEventStudy
    case termInterval, plainInterval, exactInterval
    case termSuppressed, plainSuppressed, exactSuppressed
    case termUnattributed, plainUnattributed, exactUnattributed
    // Small words
    case fewerThan, hiddenFewerThan, suppressedTitle, notComputed, absentTitle, interval, and
}
