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

/// Fewest items per block of [`par_counting_sort`]: below two blocks' worth
/// it sorts on the calling thread.
const PAR_BLOCK: usize = 1 << 16;

/// [`counting_sort`] on the worker threads: the items cut into one block
/// per thread, each block's keys counted in parallel, the blocks' offsets
/// per key laid out in order (key by key, block by block: the same stable
/// order), then each block placed in parallel. For few keys (documents):
/// each block holds an array of counts as long as the keys.
pub(crate) fn par_counting_sort<T: Copy + Send + Sync>(
    len: usize,
    keys: usize,
    item: impl Fn(usize) -> Option<T> + Sync,
    key: impl Fn(&T) -> usize + Sync,
) -> (Vec<T>, Vec<usize>) {
    par_counting_sort_in(len, keys, item, key, PAR_BLOCK)
}

/// The output of [`par_counting_sort`], written by its blocks through a
/// pointer, each block at positions no other block has.
struct Slots<T>(*mut T);

// SAFETY: the blocks write disjoint positions (checked before each write),
// and the output is read only after every block is done.
unsafe impl<T: Send> Sync for Slots<T> {}

/// [`par_counting_sort`] with blocks of at least `block` items.
fn par_counting_sort_in<T: Copy + Send + Sync>(
    len: usize,
    keys: usize,
    item: impl Fn(usize) -> Option<T> + Sync,
    key: impl Fn(&T) -> usize + Sync,
    block: usize,
) -> (Vec<T>, Vec<usize>) {
    use rayon::prelude::*;
    let blocks = rayon::current_num_threads().min(len / block.max(1));
    if blocks < 2 {
        return counting_sort(len, keys, item, key);
    }
    let size = len.div_ceil(blocks);
    let ranges: Vec<std::ops::Range<usize>> = (0..blocks)
        .map(|b| (b * size).min(len)..((b + 1) * size).min(len))
        .collect();
    // Per block, its items per key and its first item.
    let counted: Vec<(Vec<usize>, Option<T>)> = ranges
        .par_iter()
        .map(|range| {
            let mut counts = vec![0usize; keys];
            let mut first = None;
            for i in range.clone() {
                if let Some(x) = item(i) {
                    counts[key(&x)] += 1;
                    first.get_or_insert(x);
                }
            }
            (counts, first)
        })
        .collect();
    let first = counted.iter().find_map(|c| c.1);
    // Each block's first position per key: key by key, block by block.
    let mut next: Vec<Vec<usize>> = counted.into_iter().map(|c| c.0).collect();
    let mut starts = vec![0usize; keys + 1];
    let mut total = 0;
    for k in 0..keys {
        starts[k] = total;
        for counts in next.iter_mut() {
            let n = counts[k];
            counts[k] = total;
            total += n;
        }
    }
    starts[keys] = total;
    let Some(first) = first else {
        return (Vec::new(), starts);
    };
    // Where each block's positions for a key end: the next block's start,
    // or for the last block the next key's.
    let ends: Vec<Vec<usize>> = (0..blocks)
        .map(|b| match next.get(b + 1) {
            Some(after) => after.clone(),
            None => starts[1..].to_vec(),
        })
        .collect();
    let mut out = vec![first; total];
    let slots = Slots(out.as_mut_ptr());
    next.par_iter_mut()
        .zip(ranges.par_iter())
        .zip(ends.par_iter())
        .for_each(|((next, range), ends)| {
            let slots = &slots;
            for i in range.clone() {
                if let Some(x) = item(i) {
                    let k = key(&x);
                    let at = next[k];
                    assert!(at < ends[k], "a key changed between two calls");
                    // SAFETY: `at` is in this block's positions for key
                    // `k` (`next[k]` up to `ends[k]`, which the offsets above
                    // give to this block alone), below `total`, the length
                    // of `out`, whose elements are all initialized.
                    unsafe { slots.0.add(at).write(x) };
                    next[k] = at + 1;
                }
            }
        });
    (out, starts)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The parallel sort gives the serial one's items and starts, with
        /// blocks of 1 to 5 items on 2 and 3 threads (so several blocks).
        #[test]
        fn par_counting_sort_is_the_counting_sort(
            items in proptest::collection::vec((0usize..7, proptest::prelude::any::<u16>(), proptest::prelude::any::<bool>()), 0..200),
            block in 1usize..6,
            threads in 2usize..4,
        ) {
            let item = |i: usize| items[i].2.then_some((items[i].0, items[i].1, i));
            let expected = counting_sort(items.len(), 7, item, |x| x.0);
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let got = pool.install(|| par_counting_sort_in(items.len(), 7, item, |x| x.0, block));
            proptest::prop_assert_eq!(got, expected);
        }
    }

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
