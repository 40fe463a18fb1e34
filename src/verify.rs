//! Verify: measure candidate pairs on their real shingle sets.
//!
//! LSH only proposes; every candidate is checked on the exact sets (sorted,
//! deduplicated shingle hashes, merged in one linear pass). A pair is kept when
//! its Jaccard similarity reaches the threshold; containment (intersection over
//! the smaller set) is reported beside it, since a short paragraph quoted inside
//! a longer one has a high containment but a modest Jaccard.

/// Exact similarity of two shingle sets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// |A ∩ B| / |A ∪ B|.
    pub jaccard: f64,
    /// |A ∩ B| / min(|A|, |B|).
    pub containment: f64,
}

/// Size of the intersection of two sorted, deduplicated sets (of two sorted
/// lists with repeats, their multiset intersection: each repeat paired once).
pub fn intersection(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common
}

/// Jaccard and containment of two sorted, deduplicated sets.
pub fn similarity(a: &[u64], b: &[u64]) -> Similarity {
    if a.is_empty() || b.is_empty() {
        return Similarity {
            jaccard: 0.0,
            containment: 0.0,
        };
    }
    let common = intersection(a, b) as f64;
    Similarity {
        jaccard: common / ((a.len() + b.len()) as f64 - common),
        containment: common / a.len().min(b.len()) as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases: &[(&[u64], &[u64], f64, f64)] = &[
            (&[1, 2, 3], &[1, 2, 3], 1.0, 1.0),
            (&[1, 2, 3, 4], &[3, 4, 5, 6], 2.0 / 6.0, 0.5),
            (&[1, 2], &[1, 2, 3, 4, 5, 6, 7, 8], 0.25, 1.0),
            (&[], &[1], 0.0, 0.0),
            (&[1], &[2], 0.0, 0.0),
        ];
        for &(a, b, jaccard, containment) in cases {
            let s = similarity(a, b);
            assert!((s.jaccard - jaccard).abs() < 1e-12, "{a:?} {b:?}");
            assert!((s.containment - containment).abs() < 1e-12, "{a:?} {b:?}");
        }
    }
}
