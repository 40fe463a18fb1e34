//! Report: the align stage's [`Results`] of every shard, mapped back onto the
//! id-sorted corpus, become the [`Findings`] `scan` would have returned; the
//! clustering and provenance that follow are `scan`'s own ([`trace`]), so the
//! report writers produce the same bytes.

use std::collections::HashMap;

use super::{Fault, Kind, Results, StageStats};
use crate::align::{AlignedPair, Span};
use crate::cluster::cluster;
use crate::provenance::{trace as trace_provenance, Chronology};
use crate::scan::{Findings, ScanOptions, SegmentPair, Stats};

/// Cluster the aligned pairs of `findings` into passages and trace their
/// provenance over documents of `lengths` bytes, counting boilerplate
/// passages in `stats`: the last step of `scan` and of the report stage.
pub fn trace(
    findings: &mut Findings,
    stats: &mut Stats,
    lengths: &[u32],
    chronology: &Chronology,
    options: &ScanOptions,
) {
    findings.passages = cluster(&findings.aligned);
    findings.provenance = trace_provenance(
        &findings.passages,
        &findings.aligned,
        chronology,
        lengths,
        options.boilerplate,
    );
    stats.boilerplate_passages = findings
        .provenance
        .boilerplate
        .iter()
        .filter(|&&b| b)
        .count() as u64;
}

/// The findings of a staged run: `keys` are the documents' keys in id order
/// (the corpus's order), `lengths` their sizes in bytes, `results` every
/// shard's rows, `counted` the stages' counters summed.
pub fn findings(
    keys: &[u64],
    lengths: &[u32],
    results: Results,
    counted: StageStats,
    chronology: &Chronology,
    options: &ScanOptions,
) -> Result<Findings, Fault> {
    let mut gathered = Gathering::new(keys);
    gathered.add(&results, lengths)?;
    drop(results);
    gathered.finish(lengths, counted, chronology, options)
}

/// [`findings`] from the results read a batch at a time ([`Gathering::add`]):
/// only the pairs and spans are kept, not the result rows (some 110 bytes
/// each, millions of them).
#[derive(Debug, Default)]
pub struct Gathering {
    index: HashMap<u64, u32>,
    /// Rows added so far (for messages).
    rows: usize,
    pairs: Vec<((u32, i32, u32, i32), SegmentPair)>,
    aligned: Vec<((u32, u32, i32), AlignedPair)>,
    document_pairs: Vec<(u32, u32)>,
}

impl Gathering {
    /// Nothing gathered yet, over the documents of `keys` (id order).
    pub fn new(keys: &[u64]) -> Gathering {
        let index: HashMap<u64, u32> = keys
            .iter()
            .enumerate()
            .map(|(i, &k)| (k, i as u32))
            .collect();
        Gathering {
            index,
            rows: 0,
            pairs: Vec::new(),
            aligned: Vec::new(),
            document_pairs: Vec::new(),
        }
    }

    /// Add the rows of `results`, over documents of `lengths` bytes.
    pub fn add(&mut self, results: &Results, lengths: &[u32]) -> Result<(), Fault> {
        let index = &self.index;
        let doc = |key: i64| {
            index.get(&(key as u64)).copied().ok_or_else(|| {
                Fault::Bad(format!(
                    "document key {key} is in no ingest table: the results come from another run; run every stage again with the same inputs"
                ))
            })
        };
        let span = |doc: u32, start: i64, end: i64| -> Result<Span, Fault> {
            let fits = 0 <= start && start <= end && end <= lengths[doc as usize] as i64;
            if !fits {
                return Err(Fault::Bad(format!(
                    "span {start}..{end} is outside its document of {} bytes: the results come from another run",
                    lengths[doc as usize]
                )));
            }
            Ok(Span {
                doc,
                start: start as u32,
                end: end as u32,
            })
        };
        for i in 0..results.len() {
            let row = self.rows + i + 1;
            let (a, b) = (doc(results.a[i])?, doc(results.b[i])?);
            if a > b {
                return Err(Fault::Bad(format!(
                    "row {row}: its documents are not in id order"
                )));
            }
            match results.kind[i] {
                k if k == Kind::DocumentPair as i32 => self.document_pairs.push((a, b)),
                k if k == Kind::SegmentPair as i32 => {
                    let pair = SegmentPair {
                        a: span(a, results.a_start[i], results.a_end[i])?,
                        b: span(b, results.b_start[i], results.b_end[i])?,
                        jaccard: results.jaccard[i],
                        containment: results.containment[i],
                    };
                    self.pairs
                        .push(((a, results.a_segment[i], b, results.b_segment[i]), pair));
                }
                k if k == Kind::Aligned as i32 => {
                    let count = |x: i64| {
                        u32::try_from(x)
                            .map_err(|_| Fault::Bad(format!("row {row}: count {x} out of range")))
                    };
                    let pair = AlignedPair {
                        a: span(a, results.a_start[i], results.a_end[i])?,
                        b: span(b, results.b_start[i], results.b_end[i])?,
                        words: count(results.words[i])?,
                        edits: count(results.edits[i])?,
                        a_words: count(results.a_words[i])?,
                        b_words: count(results.b_words[i])?,
                    };
                    self.aligned.push(((a, b, results.sequence[i]), pair));
                }
                other => {
                    return Err(Fault::Bad(format!(
                        "row {row}: kind {other} is not 0, 1 or 2"
                    )))
                }
            }
        }
        self.rows += results.len();
        Ok(())
    }

    /// The findings of every row added; `counted` the stages' counters summed.
    pub fn finish(
        self,
        lengths: &[u32],
        counted: StageStats,
        chronology: &Chronology,
        options: &ScanOptions,
    ) -> Result<Findings, Fault> {
        let Gathering {
            index,
            mut pairs,
            mut aligned,
            mut document_pairs,
            ..
        } = self;
        // Not needed any more: given back before clustering and tracing.
        drop(index);
        // `scan`'s orders: segment pairs by their segments' numbers (document,
        // then index in it), document pairs by documents, aligned spans by
        // document pair and then in the aligner's order.
        pairs.sort_unstable_by_key(|p| p.0);
        aligned.sort_unstable_by_key(|p| p.0);
        document_pairs.sort_unstable();
        let repeated = pairs.windows(2).any(|w| w[0].0 == w[1].0)
            || aligned.windows(2).any(|w| w[0].0 == w[1].0)
            || document_pairs.windows(2).any(|w| w[0] == w[1]);
        if repeated {
            return Err(Fault::Bad(
                "a pair is in two results files: each document pair belongs to one shard; remove results of earlier runs".into(),
            ));
        }
        let mut stats = Stats {
            segments: counted.segments,
            candidate_pairs: counted.candidate_pairs,
            oversized_buckets: counted.oversized_buckets,
            ..Stats::default()
        };
        let mut findings = Findings {
            pairs: pairs.into_iter().map(|p| p.1).collect(),
            ..Findings::default()
        };
        if options.align {
            stats.common_fingerprints = counted.common_fingerprints;
            stats.aligned_document_pairs = document_pairs.len() as u64;
            findings.aligned = aligned.into_iter().map(|p| p.1).collect();
            findings.document_pairs = document_pairs;
            trace(&mut findings, &mut stats, lengths, chronology, options);
        }
        findings.stats = stats;
        Ok(findings)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::ingest::{Corpus, Document};
    use crate::scan::{scan, NoProgress, Params};
    use crate::stage::{align::align_edges, candidates::Buckets, document_key, sign};

    /// Documents sharing paragraphs and a quotation with their neighbours.
    fn corpus() -> Corpus {
        let mut state = 11u64;
        let mut word = || format!("w{}", crate::minhash::splitmix64(&mut state) % 400);
        let passages: Vec<String> = (0..8)
            .map(|_| (0..25).map(|_| word()).collect::<Vec<_>>().join(" "))
            .collect();
        let documents = (0..20)
            .map(|d| {
                let own: String = (0..30).map(|_| word()).collect::<Vec<_>>().join(" ");
                let quote = &passages[(d + 3) % 8][..60];
                let text = format!(
                    "{own} {quote}\n\n{}\n\n{}",
                    passages[d % 8],
                    passages[(d * 3) % 8]
                );
                Document {
                    id: format!("doc{d:02}"),
                    origin: format!("doc{d:02}"),
                    order: d as u32,
                    text: text.into_bytes(),
                    date: None,
                }
            })
            .collect();
        Corpus {
            documents,
            warnings: Vec::new(),
        }
    }

    /// The stage functions run in one process, one shard, give `scan`'s findings.
    #[test]
    fn the_stages_in_process_find_what_scan_finds() {
        let corpus = corpus();
        let chronology = Chronology::Given((0..20).collect());
        let cancel = AtomicBool::new(false);
        for within_doc in [false, true] {
            let params = Params::new(ScanOptions {
                within_doc,
                max_bucket: 3,
                ..ScanOptions::default()
            })
            .unwrap();
            let expected = scan(&corpus, &params, &chronology, &NoProgress, &cancel).unwrap();
            let keys: Vec<u64> = corpus
                .documents
                .iter()
                .map(|d| document_key(&d.id))
                .collect();
            let texts: Vec<(u64, &[u8])> = corpus
                .documents
                .iter()
                .zip(&keys)
                .map(|(d, &k)| (k, d.text.as_slice()))
                .collect();
            let rows = sign::sign_documents(&texts, &params);
            let mut buckets = Buckets::new(&keys, params.lsh.bands);
            buckets.add(&rows).unwrap();
            let (edges, mut counted) = buckets.finish(&params);
            let within: Vec<u32> = if within_doc {
                (0..20).collect()
            } else {
                Vec::new()
            };
            let (results, candidates) = align_edges(
                &corpus,
                &keys,
                &edges,
                &within,
                &params,
                &NoProgress,
                &cancel,
            )
            .unwrap();
            counted.candidate_pairs = candidates;
            let lengths: Vec<u32> = corpus
                .documents
                .iter()
                .map(|d| d.text.len() as u32)
                .collect();
            let found = findings(
                &keys,
                &lengths,
                results,
                counted,
                &chronology,
                &params.options,
            )
            .unwrap();
            assert!(!expected.aligned.is_empty() && expected.stats.oversized_buckets > 0);
            assert_eq!(found.pairs, expected.pairs);
            assert_eq!(found.aligned, expected.aligned);
            assert_eq!(found.document_pairs, expected.document_pairs);
            assert_eq!(found.passages, expected.passages);
            assert_eq!(found.stats, expected.stats);
        }
    }
}
