//! MinHash: a fixed-size signature per shingle set whose per-position agreement
//! estimates Jaccard similarity.
//!
//! Permutation `i` maps a 64-bit shingle hash `x` to `(a_i * x + b_i) >> 32`
//! (multiply-shift, a 2-universal family) with odd `a_i` and `b_i` drawn from a
//! fixed seed, so signatures are identical on every machine and thread count.
//! The signature keeps the minimum per permutation; a minimum does not depend on
//! the order of the shingles. The inner loop is a straight multiply-add-min over
//! all permutations, which compilers vectorize; it is compiled three times
//! (AVX-512, AVX2, baseline) and the best one is picked at run time, so a plain
//! `cargo build --release` gets the wide version (issue 5).

/// Seeded MinHash permutations.
#[derive(Debug, Clone)]
pub struct MinHasher {
    a: Vec<u64>,
    b: Vec<u64>,
}

/// SplitMix64: a tiny, well-known generator for the fixed permutation constants.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl MinHasher {
    /// `permutations` hash functions drawn from `seed`.
    pub fn new(permutations: usize, seed: u64) -> MinHasher {
        let mut state = seed;
        let mut a = Vec::with_capacity(permutations);
        let mut b = Vec::with_capacity(permutations);
        for _ in 0..permutations {
            a.push(splitmix64(&mut state) | 1);
            b.push(splitmix64(&mut state));
        }
        MinHasher { a, b }
    }

    /// Number of permutations.
    pub fn len(&self) -> usize {
        self.a.len()
    }

    /// True when there are no permutations.
    pub fn is_empty(&self) -> bool {
        self.a.is_empty()
    }

    /// Write the signature of `shingles` (any order, repeats allowed) into `out`
    /// (length [`MinHasher::len`]). An empty set gives all `u32::MAX`.
    pub fn sign(&self, shingles: &[u64], out: &mut [u32]) {
        assert_eq!(
            out.len(),
            self.a.len(),
            "signature buffer has the wrong length"
        );
        out.fill(u32::MAX);
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512dq")
            {
                // SAFETY: the features the function is compiled for were just detected.
                unsafe { sign_avx512(&self.a, &self.b, shingles, out) };
                return;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: as above.
                unsafe { sign_avx2(&self.a, &self.b, shingles, out) };
                return;
            }
        }
        sign_portable(&self.a, &self.b, shingles, out);
    }
}

/// Estimated Jaccard similarity: the share of positions where two signatures agree.
pub fn estimate_jaccard(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len() as f64
}

/// The kernel: permutations in blocks of `LANES`, each block's minima kept in
/// registers while every shingle streams past, so the lane loop vectorizes
/// (a multiply, an add, a shift and a min per lane) and nothing is gathered or
/// scattered.
#[inline(always)]
fn sign_portable(a: &[u64], b: &[u64], shingles: &[u64], out: &mut [u32]) {
    const LANES: usize = 16;
    let full = a.len() / LANES * LANES;
    for start in (0..full).step_by(LANES) {
        let mut ak = [0u64; LANES];
        let mut bk = [0u64; LANES];
        ak.copy_from_slice(&a[start..start + LANES]);
        bk.copy_from_slice(&b[start..start + LANES]);
        let mut mins = [u32::MAX; LANES];
        for &x in shingles {
            for lane in 0..LANES {
                let h = (ak[lane].wrapping_mul(x).wrapping_add(bk[lane]) >> 32) as u32;
                mins[lane] = mins[lane].min(h);
            }
        }
        for (o, m) in out[start..start + LANES].iter_mut().zip(mins) {
            *o = (*o).min(m);
        }
    }
    for i in full..a.len() {
        for &x in shingles {
            let h = (a[i].wrapping_mul(x).wrapping_add(b[i]) >> 32) as u32;
            out[i] = out[i].min(h);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2")]
unsafe fn sign_avx512(a: &[u64], b: &[u64], shingles: &[u64], out: &mut [u32]) {
    sign_portable(a, b, shingles, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sign_avx2(a: &[u64], b: &[u64], shingles: &[u64], out: &mut [u32]) {
    sign_portable(a, b, shingles, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn signature(hasher: &MinHasher, set: &[u64]) -> Vec<u32> {
        let mut out = vec![0; hasher.len()];
        hasher.sign(set, &mut out);
        out
    }

    #[test]
    fn dispatch_matches_portable() {
        let hasher = MinHasher::new(130, 7);
        let set: Vec<u64> = (0..500u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        let mut portable = vec![u32::MAX; 130];
        sign_portable(&hasher.a, &hasher.b, &set, &mut portable);
        assert_eq!(signature(&hasher, &set), portable);
    }

    proptest! {
        /// The signature does not depend on the order of the shingles.
        #[test]
        fn order_does_not_matter(mut set in proptest::collection::vec(any::<u64>(), 1..200), seed in any::<u64>()) {
            let hasher = MinHasher::new(64, 1);
            let before = signature(&hasher, &set);
            let mut state = seed;
            for i in (1..set.len()).rev() {
                let j = (splitmix64(&mut state) % (i as u64 + 1)) as usize;
                set.swap(i, j);
            }
            prop_assert_eq!(before, signature(&hasher, &set));
        }

        /// The estimate stays within 4 standard errors of the exact Jaccard.
        #[test]
        fn estimate_is_close_to_exact(common in 0usize..300, only_a in 0usize..300, only_b in 0usize..300, seed in any::<u64>()) {
            prop_assume!(common + only_a + only_b > 0);
            let mut state = seed;
            let mut draw = |n: usize| (0..n).map(|_| splitmix64(&mut state)).collect::<Vec<u64>>();
            let shared = draw(common);
            let a: Vec<u64> = shared.iter().copied().chain(draw(only_a)).collect();
            let b: Vec<u64> = shared.iter().copied().chain(draw(only_b)).collect();
            let exact = common as f64 / (common + only_a + only_b) as f64;
            let hasher = MinHasher::new(256, 3);
            let estimate = estimate_jaccard(&signature(&hasher, &a), &signature(&hasher, &b));
            let error = (exact * (1.0 - exact) / 256.0).sqrt();
            prop_assert!((estimate - exact).abs() <= 4.0 * error + 0.02, "exact {} estimate {}", exact, estimate);
        }
    }
}
