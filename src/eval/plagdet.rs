//! PAN's plagdet measure (Potthast et al., "An Evaluation Framework for
//! Plagiarism Detection", COLING 2010), written from its definition.
//!
//! Cases (the truth) and detections (what a tool reports) are pairs of
//! character ranges: one in the suspicious document, one in the source. A
//! detection *detects* a case when both of its ranges overlap the case's.
//! - recall: the mean over cases of the share of the case's characters, on
//!   both sides, covered by the detections that detect it;
//! - precision: the same with cases and detections swapped;
//! - granularity: the mean number of detections per detected case (1 when
//!   none is detected);
//! - plagdet = F1(precision, recall) / log2(1 + granularity).
//!
//! As in PAN's scorer, cases and detections of every document pair are pooled
//! (a detection in a pair without cases counts as one of precision 0), and
//! with no cases and no detections at all both precision and recall are 1,
//! with only one of them missing both are 0.

/// A half-open range of characters (Unicode code points) of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Range {
    /// First character.
    pub start: u64,
    /// One past the last character.
    pub end: u64,
}

impl Range {
    /// The range `start..end`.
    pub fn new(start: u64, end: u64) -> Range {
        Range { start, end }
    }

    /// Characters in the range.
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// True for an empty range.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn overlaps(&self, other: &Range) -> bool {
        self.start < other.end && other.start < self.end
    }

    fn clip(&self, other: &Range) -> Range {
        Range::new(self.start.max(other.start), self.end.min(other.end))
    }
}

/// A case or a detection: a suspicious range and the source range it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Reuse {
    /// Range in the suspicious document.
    pub susp: Range,
    /// Range in the source document.
    pub src: Range,
}

impl Reuse {
    /// The reuse of `src` (source characters) at `susp` (suspicious characters).
    pub fn new(susp: (u64, u64), src: (u64, u64)) -> Reuse {
        Reuse {
            susp: Range::new(susp.0, susp.1),
            src: Range::new(src.0, src.1),
        }
    }

    /// Characters on both sides.
    pub fn len(&self) -> u64 {
        self.susp.len() + self.src.len()
    }

    /// True when both sides are empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `other` detects `self` (or the reverse): both sides overlap.
    pub fn detects(&self, other: &Reuse) -> bool {
        self.susp.overlaps(&other.susp) && self.src.overlaps(&other.src)
    }
}

/// The cases and detections of one document pair.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// The truth.
    pub cases: Vec<Reuse>,
    /// What was reported.
    pub detections: Vec<Reuse>,
}

/// Scores of a set of document pairs.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Scores {
    /// Cases in the truth.
    pub cases: usize,
    /// Detections reported.
    pub detections: usize,
    /// Cases detected by at least one detection.
    pub detected_cases: usize,
    /// Macro-averaged character recall, in [0, 1].
    pub recall: f64,
    /// Macro-averaged character precision, in [0, 1].
    pub precision: f64,
    /// Detections per detected case, at least 1.
    pub granularity: f64,
    /// F1 / log2(1 + granularity), in [0, 1].
    pub plagdet: f64,
}

/// Characters of the union of `ranges`.
fn union_len(ranges: &mut [Range]) -> u64 {
    ranges.sort_unstable();
    let mut total = 0;
    let mut current: Option<Range> = None;
    for &range in ranges.iter().filter(|r| !r.is_empty()) {
        match &mut current {
            Some(c) if range.start <= c.end => c.end = c.end.max(range.end),
            _ => {
                total += current.map_or(0, |c| c.len());
                current = Some(range);
            }
        }
    }
    total + current.map_or(0, |c| c.len())
}

/// The share of `x`'s characters (both sides) covered by those of `others`
/// that detect it, and how many of them do.
fn coverage(x: &Reuse, others: &[Reuse]) -> (f64, usize) {
    let hits: Vec<&Reuse> = others.iter().filter(|y| x.detects(y)).collect();
    if x.is_empty() {
        return (0.0, hits.len());
    }
    let mut susp: Vec<Range> = hits.iter().map(|y| x.susp.clip(&y.susp)).collect();
    let mut src: Vec<Range> = hits.iter().map(|y| x.src.clip(&y.src)).collect();
    let covered = union_len(&mut susp) + union_len(&mut src);
    (covered as f64 / x.len() as f64, hits.len())
}

/// Score document pairs, pooling their cases and detections.
pub fn score<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Scores {
    let (mut recall, mut precision) = (0.0, 0.0);
    let (mut cases, mut detections, mut detected, mut hits) = (0, 0, 0, 0);
    for outcome in outcomes {
        for case in &outcome.cases {
            let (covered, count) = coverage(case, &outcome.detections);
            recall += covered;
            cases += 1;
            if count > 0 {
                detected += 1;
                hits += count;
            }
        }
        for detection in &outcome.detections {
            precision += coverage(detection, &outcome.cases).0;
            detections += 1;
        }
    }
    let (recall, precision) = match (cases, detections) {
        (0, 0) => (1.0, 1.0),
        (0, _) | (_, 0) => (0.0, 0.0),
        _ => (recall / cases as f64, precision / detections as f64),
    };
    let granularity = if detected == 0 {
        1.0
    } else {
        hits as f64 / detected as f64
    };
    let f1 = if recall + precision > 0.0 {
        2.0 * recall * precision / (recall + precision)
    } else {
        0.0
    };
    Scores {
        cases,
        detections,
        detected_cases: detected,
        recall,
        precision,
        granularity,
        plagdet: f1 / (1.0 + granularity).log2(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(cases: Vec<Reuse>, detections: Vec<Reuse>) -> Scores {
        score(&[Outcome { cases, detections }])
    }

    fn close(x: f64, y: f64) -> bool {
        (x - y).abs() < 1e-9
    }

    #[test]
    fn perfect_detection_scores_one() {
        let case = Reuse::new((100, 300), (50, 250));
        let s = one(vec![case], vec![case]);
        assert_eq!(
            (s.recall, s.precision, s.granularity, s.plagdet),
            (1.0, 1.0, 1.0, 1.0)
        );
    }

    #[test]
    fn half_covered_case() {
        // The detection covers the first half of the case on both sides and
        // nothing else: recall 1/2, precision 1.
        let case = Reuse::new((0, 100), (1000, 1200));
        let s = one(vec![case], vec![Reuse::new((0, 50), (1000, 1100))]);
        assert!(close(s.recall, 0.5), "{s:?}");
        assert!(close(s.precision, 1.0), "{s:?}");
        assert!(close(s.plagdet, 2.0 / 3.0), "{s:?}");
        // Half of a detection outside the case costs precision instead.
        let s = one(vec![case], vec![Reuse::new((0, 200), (1000, 1400))]);
        assert!(close(s.recall, 1.0) && close(s.precision, 0.5), "{s:?}");
    }

    #[test]
    fn a_case_split_in_two_detections_has_granularity_two() {
        let case = Reuse::new((0, 100), (0, 100));
        let halves = vec![
            Reuse::new((0, 50), (0, 50)),
            Reuse::new((50, 100), (50, 100)),
        ];
        let s = one(vec![case], halves);
        assert!(close(s.recall, 1.0) && close(s.precision, 1.0), "{s:?}");
        assert_eq!(s.granularity, 2.0);
        assert!(close(s.plagdet, 1.0 / 3f64.log2()), "{s:?}");
    }

    #[test]
    fn no_detections_score_zero() {
        let s = one(vec![Reuse::new((0, 100), (0, 100))], vec![]);
        assert_eq!((s.recall, s.precision, s.plagdet), (0.0, 0.0, 0.0));
        assert_eq!(s.granularity, 1.0);
    }

    #[test]
    fn detections_in_negatives_are_false_positives() {
        let case = Reuse::new((0, 100), (0, 100));
        let positive = Outcome {
            cases: vec![case],
            detections: vec![case],
        };
        let negative = Outcome {
            cases: vec![],
            detections: vec![Reuse::new((0, 100), (0, 100))],
        };
        let s = score([&positive, &negative]);
        assert!(close(s.recall, 1.0), "{s:?}");
        assert!(close(s.precision, 0.5), "{s:?}");
        assert_eq!((s.cases, s.detections, s.detected_cases), (1, 2, 1));
        // A negative pair alone: no case, one detection.
        let alone = score([&negative]);
        assert_eq!((alone.precision, alone.plagdet), (0.0, 0.0));
        // Nothing to find and nothing found is perfect.
        assert_eq!(score([&Outcome::default()]).plagdet, 1.0);
    }

    #[test]
    fn a_detection_must_overlap_both_sides() {
        // Right suspicious range, wrong source range: detects nothing.
        let case = Reuse::new((0, 100), (0, 100));
        let s = one(vec![case], vec![Reuse::new((0, 100), (500, 600))]);
        assert_eq!((s.recall, s.precision, s.detected_cases), (0.0, 0.0, 0));
    }

    #[test]
    fn overlapping_detections_are_counted_once() {
        let case = Reuse::new((0, 100), (0, 100));
        let s = one(
            vec![case],
            vec![
                Reuse::new((0, 60), (0, 60)),
                Reuse::new((40, 100), (40, 100)),
            ],
        );
        assert!(close(s.recall, 1.0), "{s:?}");
        assert_eq!(s.granularity, 2.0);
    }
}
