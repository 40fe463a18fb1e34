//! Cluster: group aligned spans that are copies of one passage.
//!
//! Every aligned pair joins its two spans; two spans of one document that
//! overlap by at least half of the longer one are the same copy (measured on
//! the longer, so that a span covering two neighbouring passages does not glue
//! every copy of both into one cluster). Union-find
//! over these relations gives passages; inside a passage, the overlapping spans
//! of one document merge into one copy, while separate occurrences in one
//! document stay separate copies.

use crate::align::{AlignedPair, Span};
use crate::group::{counting_sort, par_counting_sort};
use rayon::prelude::*;

/// A passage and all its copies.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    /// Copies sorted by (document, start).
    pub copies: Vec<Span>,
    /// Indices of the aligned pairs inside this passage, ascending.
    pub pairs: Vec<usize>,
    /// Most words matched by one of its pairs.
    pub words: u32,
}

impl Passage {
    /// Index of the copy containing `span` (the copy of its document it
    /// overlaps most; copies are sorted, so this is a binary search).
    /// `span` must be an end of one of the passage's pairs: every such end
    /// lies in a copy of its document. Another span is a caller's bug, and
    /// fails loudly rather than being measured against the wrong copy.
    pub fn copy_of(&self, span: &Span) -> usize {
        let first = self.copies.partition_point(|c| c.doc < span.doc);
        // A document has few copies of one passage: walked, not searched.
        let last = first
            + self.copies[first..]
                .iter()
                .take_while(|c| c.doc == span.doc)
                .count();
        let best = (first..last)
            .max_by_key(|&i| (self.copies[i].overlap(span), std::cmp::Reverse(i)))
            .expect("a span of a passage's pair is in a copy of its document");
        debug_assert!(self.copies[best].overlap(span) > 0 || span.is_empty());
        best
    }
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    /// The root of `x`, the forest left as it is (for threads to share).
    fn root(&self, mut x: usize) -> usize {
        while self.0[x] != x {
            x = self.0[x];
        }
        x
    }

    fn union(&mut self, x: usize, y: usize) {
        let (x, y) = (self.find(x), self.find(y));
        if x != y {
            self.0[x.max(y)] = x.min(y);
        }
    }
}

/// Group aligned pairs into passages, sorted by their first copy.
pub fn cluster(pairs: &[AlignedPair]) -> Vec<Passage> {
    let ends: Vec<Span> = pairs.iter().flat_map(|p| [p.a, p.b]).collect();
    // Each pair's two ends joined: end 2k + 1 under end 2k, as the union of
    // the two would put it in a fresh forest.
    let mut sets = UnionFind((0..ends.len()).into_par_iter().map(|i| i & !1).collect());
    let order = sorted_ends(&ends);
    // Sweep each document's spans in start order; compare with the spans
    // still open. The documents are swept in parallel, each listing the
    // ends it joins; the joins are made after (the sets do not depend on
    // the order of the unions: a set's root is its smallest end).
    let joins: Vec<(u32, u32)> = order
        .par_chunk_by(|&x, &y| ends[x as usize].doc == ends[y as usize].doc)
        .flat_map_iter(|document| {
            let mut joins: Vec<(u32, u32)> = Vec::new();
            // The open spans with their ends' numbers (copied: no lookup
            // in `ends` per comparison).
            let mut open: Vec<(Span, u32)> = Vec::new();
            let mut previous: Option<(Span, u32)> = None;
            for &i in document {
                let span = ends[i as usize];
                // Identical spans (a copy aligned with many others) join at
                // once, so the open list stays short.
                if let Some((_, p)) = previous.filter(|&(p, _)| p == span) {
                    joins.push((i, p));
                    continue;
                }
                previous = Some((span, i));
                open.retain(|(other, _)| other.end > span.start);
                for &(other, j) in &open {
                    let longer = span.len().max(other.len()).max(1);
                    if 2 * span.overlap(&other) >= longer {
                        joins.push((i, j));
                    }
                }
                open.push((span, i));
            }
            joins
        })
        .collect();
    for (i, j) in joins {
        sets.union(i as usize, j as usize);
    }
    // The sets, each a run of ends (counting sorts by set, one pass each):
    // once in span order, for the copies, and once in index order, for the
    // pairs. A set's root is its smallest end.
    let roots: Vec<u32> = (0..ends.len())
        .into_par_iter()
        .map(|i| sets.root(i) as u32)
        .collect();
    let root = |i: &u32| roots[*i as usize] as usize;
    // The two at once, each on one thread. Keyed by set (as many keys as
    // ends), a sort cut in blocks counts each block's keys in arrays as
    // long as the ends: on 100 MB of generated versions (1.4 million
    // ends, --threads 2, load 6) the pair took 141 ms so against 57 ms.
    let ((by_span, starts), (by_index, _)) = rayon::join(
        || counting_sort(order.len(), ends.len(), |k| Some(order[k]), root),
        || counting_sort(ends.len(), ends.len(), |i| Some(i as u32), root),
    );
    let groups: Vec<(usize, usize)> = (0..ends.len())
        .filter(|&i| roots[i] as usize == i)
        .map(|root| (starts[root], starts[root + 1]))
        .collect();
    let passages: Vec<Passage> = groups
        .par_iter()
        .map(|&(from, to)| {
            let mut copies: Vec<Span> = Vec::new();
            for &i in &by_span[from..to] {
                let span = ends[i as usize];
                match copies.last_mut() {
                    Some(last) if last.doc == span.doc && span.start < last.end => {
                        last.end = last.end.max(span.end);
                    }
                    _ => copies.push(span),
                }
            }
            let mut members: Vec<usize> =
                by_index[from..to].iter().map(|&i| i as usize / 2).collect();
            members.dedup();
            let words = members.iter().map(|&k| pairs[k].words).max().unwrap_or(0);
            Passage {
                copies,
                pairs: members,
                words,
            }
        })
        .collect();
    // Each aligned pair is in one passage: the order is total. Sorted as
    // plain integers, the first copy and the passage's place, the copies
    // and pairs compared only when the first copies are the same (where
    // every comparison read two passages' lists).
    let mut keys: Vec<(u64, u32, u32)> = passages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let first = p.copies[0];
            (
                ((first.doc as u64) << 32) | first.start as u64,
                first.end,
                i as u32,
            )
        })
        .collect();
    keys.par_sort_unstable_by(|x, y| {
        (x.0, x.1).cmp(&(y.0, y.1)).then_with(|| {
            let (x, y) = (&passages[x.2 as usize], &passages[y.2 as usize]);
            x.copies.cmp(&y.copies).then_with(|| x.pairs.cmp(&y.pairs))
        })
    });
    let mut passages: Vec<Option<Passage>> = passages.into_iter().map(Some).collect();
    keys.iter()
        .map(|k| passages[k.2 as usize].take().expect("each passage once"))
        .collect()
}

/// The indices of `ends` in order of (span, index): a counting sort by
/// document, then each document's spans sorted on their own (in parallel)
/// as plain integers, where sorting indices by the spans they point to
/// jumped about memory.
fn sorted_ends(ends: &[Span]) -> Vec<u32> {
    let documents = ends.iter().map(|s| s.doc as usize + 1).max().unwrap_or(0);
    // (start, end) and index: the document is the bucket's.
    let (mut keyed, at) = par_counting_sort(
        ends.len(),
        documents,
        |i| {
            let span = ends[i];
            Some((((span.start as u64) << 32) | span.end as u64, i as u32))
        },
        |&(_, i)| ends[i as usize].doc as usize,
    );
    let mut buckets: Vec<&mut [(u64, u32)]> = Vec::with_capacity(documents);
    let mut rest = keyed.as_mut_slice();
    for d in 0..documents {
        let (bucket, after) = rest.split_at_mut(at[d + 1] - at[d]);
        buckets.push(bucket);
        rest = after;
    }
    buckets
        .par_iter_mut()
        .for_each(|bucket| bucket.sort_unstable());
    keyed.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(a: (u32, u32, u32), b: (u32, u32, u32)) -> AlignedPair {
        AlignedPair {
            a: Span {
                doc: a.0,
                start: a.1,
                end: a.2,
            },
            b: Span {
                doc: b.0,
                start: b.1,
                end: b.2,
            },
            words: 10,
            edits: 0,
            a_words: 10,
            b_words: 10,
        }
    }

    #[test]
    fn copies_of_one_passage_join_and_others_stay_apart() {
        let pairs = [
            pair((0, 100, 200), (1, 10, 110)),
            pair((0, 105, 200), (2, 0, 95)),
            pair((1, 12, 110), (2, 0, 98)),
            pair((0, 500, 600), (1, 700, 800)),
        ];
        let passages = cluster(&pairs);
        assert_eq!(passages.len(), 2);
        assert_eq!(passages[0].copies.len(), 3);
        assert_eq!(
            passages[0].copies[0],
            Span {
                doc: 0,
                start: 100,
                end: 200
            }
        );
        assert_eq!(passages[0].pairs, [0, 1, 2]);
        assert_eq!(passages[1].pairs, [3]);
    }

    #[test]
    fn a_span_over_two_passages_does_not_merge_them() {
        // Doc 0 holds passage P (0..300) then footer B (301..400) on the next
        // line; doc 1 has P and B together; docs 2 and 3 have only P or only B.
        let pairs = [
            pair((0, 0, 400), (1, 0, 400)),
            pair((0, 0, 300), (2, 0, 300)),
            pair((0, 301, 400), (3, 0, 99)),
        ];
        let passages = cluster(&pairs);
        assert_eq!(passages.len(), 2, "{passages:?}");
    }

    #[test]
    fn two_occurrences_in_one_document_are_two_copies() {
        let pairs = [
            pair((0, 0, 50), (1, 0, 50)),
            pair((0, 0, 50), (1, 300, 350)),
        ];
        let passages = cluster(&pairs);
        assert_eq!(passages.len(), 1);
        assert_eq!(passages[0].copies.len(), 3);
    }
}
