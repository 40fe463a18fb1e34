//! Evaluation: score the scan against annotated benchmarks.
//!
//! [`plagdet`] is PAN's measure, [`pan`] reads a PAN text alignment corpus,
//! scans its pairs and scores them (`lifted eval pan PATH`).

pub mod pan;
pub mod plagdet;
