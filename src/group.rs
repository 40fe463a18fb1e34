//! Grouping by a small integer key in linear time: the counting sort that
//! clustering, attribution and the aligner's bucket sort share.

/// Stable counting sort: the items `item(0..len)` that are `Some`, placed
/// by `key` (below `keys`) in key order, in their order within a key; with
/// each key's start, so that key `k` holds `out[starts[k]..starts[k + 1]]`.
pub(crate) fn counting_sort<T: Copy>(
    len: usize,
    keys: usize,
    item: impl Fn(usize) -> Option<T>,
    key: impl Fn(&T) -> usize,
) -> (Vec<T>, Vec<usize>) {
    let mut starts = vec![0usize; keys + 1];
    let mut first = None;
    for i in 0..len {
        if let Some(x) = item(i) {
            starts[key(&x) + 1] += 1;
            first.get_or_insert(x);
        }
    }
    for k in 0..keys {
        starts[k + 1] += starts[k];
    }
    let Some(first) = first else {
        return (Vec::new(), starts);
    };
    let mut out = vec![first; starts[keys]];
    let mut next = starts.clone();
    for i in 0..len {
        if let Some(x) = item(i) {
            let at = &mut next[key(&x)];
            out[*at] = x;
            *at += 1;
        }
    }
    (out, starts)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The same as a stable sort by key of the items kept, with the
        /// keys' starts.
        #[test]
        fn counting_sort_is_a_stable_sort_by_key(
            items in proptest::collection::vec((0usize..7, proptest::prelude::any::<u16>(), proptest::prelude::any::<bool>()), 0..200),
        ) {
            let (out, starts) = counting_sort(items.len(), 7, |i| items[i].2.then_some((items[i].0, items[i].1, i)), |x| x.0);
            let mut expected: Vec<(usize, u16, usize)> = items
                .iter()
                .enumerate()
                .filter(|(_, x)| x.2)
                .map(|(i, x)| (x.0, x.1, i))
                .collect();
            expected.sort_by_key(|x| x.0);
            proptest::prop_assert_eq!(&out, &expected);
            for k in 0..7 {
                proptest::prop_assert!(out[starts[k]..starts[k + 1]].iter().all(|x| x.0 == k));
            }
            proptest::prop_assert_eq!(starts[7], out.len());
        }
    }
}
