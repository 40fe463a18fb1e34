//! `lifted` finds text lifted from one document into others, at span level,
//! and says where it came from.
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`ingest`] -> [`normalize`] -> [`segment`] -> [`shingle`] -> [`minhash`] ->
//! [`lsh`] -> [`verify`] (near-duplicate segments), and in parallel
//! [`fingerprint`] (document pairs sharing any run of `min_words` words) ->
//! [`align`] (exact reused spans) -> [`cluster`] (copies of one passage) ->
//! [`provenance`] (who lifted from whom, with dates from a [`manifest`]) ->
//! [`report`] (JSON, text, CSV, HTML) and [`check`] (compare with a golden
//! map). [`scan`] runs them in order; [`gen`] makes synthetic corpora with
//! planted reuse for benchmarks.
//!
//! ```
//! use std::sync::atomic::AtomicBool;
//! use lifted::ingest::{Corpus, Document};
//! use lifted::provenance::Chronology;
//! use lifted::scan::{scan, NoProgress, Params, ScanOptions};
//!
//! let passage = "Les origines de Kiwi Farms remontent à 2007 sur 4Chan, rappelait le magazine.";
//! let corpus = Corpus {
//!     documents: vec![
//!         Document { id: "a".into(), origin: "a".into(), order: 0, text: format!("Début. {passage}").into_bytes(), date: None },
//!         Document { id: "b".into(), origin: "b".into(), order: 1, text: format!("{passage} Fin.").into_bytes(), date: None },
//!     ],
//!     warnings: vec![],
//! };
//! let params = Params::new(ScanOptions::default()).unwrap();
//! let findings = scan(&corpus, &params, &Chronology::Given(vec![0, 1]), &NoProgress, &AtomicBool::new(false)).unwrap();
//! let link = &findings.provenance.links[0];
//! assert_eq!((link.source.doc, link.target.doc), (0, 1));
//! assert_eq!(&corpus.documents[1].text[link.target.start as usize..link.target.end as usize],
//!            "Les origines de Kiwi Farms remontent à 2007 sur 4Chan, rappelait le magazine".as_bytes());
//! ```

#![warn(missing_docs)]

pub mod align;
pub mod check;
pub mod cluster;
pub mod dedup;
pub mod error;
pub mod eval;
pub mod fingerprint;
pub mod gen;
mod group;
pub mod ingest;
pub mod lsh;
pub mod manifest;
pub mod minhash;
pub mod normalize;
pub mod provenance;
pub mod report;
pub mod scan;
pub mod segment;
pub mod shingle;
pub mod stage;
pub mod thorough;
pub mod verify;

pub use error::{Error, Result, Warning};
