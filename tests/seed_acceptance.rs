//! Acceptance test on the Le Monde seed fixture (`fixtures/lemonde/`), against
//! an INDEPENDENT ground truth.
//!
//! The oracle below does not use the `lifted` library. It cuts each file into
//! words (maximal runs of alphanumeric characters; an apostrophe ’ ' ‘ ʼ between
//! two alphanumerics stays inside the word and is folded to '; Unicode
//! lowercase; no NFKC, no accent folding), keeps each word's byte range in the
//! original file, and for every unordered pair of files finds every maximal
//! common word sequence of at least 8 words (every occurrence on both sides; a
//! sequence is maximal when it cannot be extended left or right on both sides
//! at once) with a plain longest-common-suffix DP. The byte ranges of those
//! sequences (first word start .. last word end) are the "shared passages" of
//! each file with respect to the other.
//!
//! Byte accounting (coverage and precision): only WORD bytes are counted, that
//! is bytes inside a word of the oracle's tokenizer. Punctuation, spaces and
//! guillemets never count, on either side of a ratio. A word byte is "shared"
//! (X w.r.t. Y) when its word is part of one of the maximal common sequences of
//! the pair.
//!
//! Then the real binary is run on the folder with its manifest and the
//! criteria of the brief are checked (see each test). Every test prints the
//! measured numbers; run
//! `cargo test --test seed_acceptance -- --nocapture` to see the tables, and
//! `cargo test --test seed_acceptance -- --ignored --nocapture oracle_passage_list`
//! for the oracle's passage list (pasted in `fixtures/lemonde/README.md`).

#[path = "seed_acceptance/binary.rs"]
mod binary;
#[path = "seed_acceptance/oracle.rs"]
mod oracle;
use binary::*;
use oracle::*;

const MIN_WORDS: usize = 8;
const DIR: &str = "fixtures/lemonde";
const MANIFEST: &str = "fixtures/lemonde/manifest.csv";

const D000: &str = "000_cf972bab3fd887c6.txt";
const D001: &str = "001_1583b74f8ac40a36.txt";
const D002: &str = "002_b631dd9451d16cf5.txt";
const D003: &str = "003_71975c52c19c53cb.txt";
const D004: &str = "004_3f101b4808fdf290.txt";

// ---------------------------------------------------------------------------
// Oracle-only tests (do not need the binary to work)
// ---------------------------------------------------------------------------

#[test]
fn oracle_tokenizer() {
    let t = "L’entreprise a dit : « qu'il » [s]on #DropKiwiFarms 4chan's l' x";
    let w: Vec<String> = tokenize(t).into_iter().map(|w| w.norm).collect();
    assert_eq!(
        w,
        [
            "l'entreprise",
            "a",
            "dit",
            "qu'il",
            "s",
            "on",
            "dropkiwifarms",
            "4chan's",
            "l",
            "x"
        ]
    );
    let words = tokenize(t);
    assert_eq!(&t[words[0].start..words[0].end], "L’entreprise");
    for w in &words {
        assert!(t.is_char_boundary(w.start) && t.is_char_boundary(w.end));
    }
}

#[test]
fn oracle_finds_the_le_monde_passages() {
    let o = Oracle::build();
    assert_eq!(o.docs.len(), 5, "five .txt documents in {DIR}");
    let phrase = "Les origines de Kiwi Farms remontent à 2007";
    let (d0, d2, d3) = (o.idx(D000), o.idx(D002), o.idx(D003));
    for other in [d0, d3] {
        let anchor = o.find_phrase(d2, phrase);
        assert_eq!(anchor.len(), 1, "the phrase occurs once in 002");
        let (s, e) = anchor[0];
        let hit = o
            .passages_words(d2, other)
            .into_iter()
            .find(|&(ps, pe)| ps <= s && e <= pe);
        let (ps, pe) = hit.unwrap_or_else(|| {
            panic!(
                "oracle: no shared passage of 002 w.r.t. {} contains \"{phrase}\"",
                o.docs[other].name
            )
        });
        eprintln!(
            "oracle: 002 w.r.t. {}: \"{phrase}\" inside a {}-word passage (002 bytes {}-{})",
            &o.docs[other].name[..3],
            pe - ps,
            o.docs[d2].words[ps].start,
            o.docs[d2].words[pe - 1].end
        );
        assert!(pe - ps >= 50, "the Kiwi Farms origins paragraph is long");
    }
    // The maximal matches are maximal: never extendable on both sides.
    for (&(i, j), ms) in &o.matches {
        let (a, b) = (&o.docs[i].ids, &o.docs[j].ids);
        for m in ms {
            assert!(m.len >= MIN_WORDS);
            assert!(m.x == 0 || m.y == 0 || a[m.x - 1] != b[m.y - 1]);
            assert!(
                m.x + m.len == a.len()
                    || m.y + m.len == b.len()
                    || a[m.x + m.len] != b[m.y + m.len]
            );
            assert!((0..m.len).all(|k| a[m.x + k] == b[m.y + k]));
        }
    }
}

/// Prints the oracle's passage list (for fixtures/lemonde/README.md).
#[test]
#[ignore]
fn oracle_passage_list() {
    let o = Oracle::build();
    for d in &o.docs {
        eprintln!(
            "{}: {} bytes, {} words",
            d.name,
            d.text.len(),
            d.words.len()
        );
    }
    println!("| pair | words | bytes in first | bytes in second | first words |");
    println!("|---|---|---|---|---|");
    print!("{}", o.passage_list());
    // Repeats inside one document (8+ words), for criterion 4.
    for (x, d) in o.docs.iter().enumerate() {
        let ms: Vec<Match> = maximal_matches(&d.ids, &d.ids, MIN_WORDS)
            .into_iter()
            .filter(|m| m.x < m.y)
            .collect();
        for m in ms {
            eprintln!(
                "repeat inside {}: {} words at words {} and {}: \"{}\"",
                d.name,
                m.len,
                m.x,
                m.y,
                o.excerpt(x, m.x, 12)
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Acceptance criteria on the real binary
// ---------------------------------------------------------------------------

/// Criteria 1 and 2: coverage of the shared passages by links, and precision
/// of the linked bytes, per pair and overall (word bytes only, see the top).
///
/// Coverage (>= 99% for every pair) counts a shared word byte of X (w.r.t. Y)
/// as covered when it lies in the X-side span of a link X-Y ("direct"), or of
/// a link chained to Y through a third copy ("chain", see `chain_mask`). Only
/// direct links cannot be required: each later copy has exactly one incoming
/// link (README), and criterion 3 itself requires 003's copy of the "Tout a
/// commencé" paragraphs to be linked from 000, not from 002, although 002 and
/// 003 share 228 words of it. The table prints both figures.
///
/// Precision (>= 97% overall) is strictly per pair: the X-side word bytes of
/// links X-Y that lie in shared passages of X w.r.t. Y, over all X-side word
/// bytes of links X-Y (union of spans per document and pair), both sides.
///
/// With `--preset thorough` the same coverage holds for the passages of at
/// least 16 words (thorough keeps a span with twice `--min-words` matched
/// words; shorter exact passages are fast's). Its precision cannot count
/// exact passages only, since it links rewritten text on purpose; a linked
/// word byte counts when its stretch of [`SUPPORT_CHUNK`] words is
/// supported by the other end of its link (see [`support_mask`]). Measured
/// 2026-12-04: 81.7% supported (the misses: stretches of the Cloudflare blog
/// post inside the 000-003 span that 000 does not quote), 20.9% when the
/// other end is replaced by a document without shared passages; the test
/// asks for 80% and for chance to stay below half of that.
#[test]
fn coverage_and_precision() {
    check_coverage_and_precision(Preset::Fast);
}

#[test]
fn coverage_and_precision_thorough() {
    check_coverage_and_precision(Preset::Thorough);
}

fn check_coverage_and_precision(preset: Preset) {
    let o = Oracle::build_with(preset.min_passage_words());
    let (_, map) = scan_json(preset, &[]);
    let links = &map.links;
    let n = o.docs.len();
    let (d2, d4) = (o.idx(D002), o.idx(D004));
    let (mut chance_linked, mut chance_in) = (0usize, 0usize);

    let mut failures = Vec::new();
    let (mut tot_shared, mut tot_direct, mut tot_chain) = (0usize, 0usize, 0usize);
    let (mut tot_linked, mut tot_linked_in) = (0usize, 0usize);
    eprintln!();
    eprintln!(
        "seed acceptance: word bytes; coverage = shared word bytes inside link spans of the pair"
    );
    eprintln!(
        "{:<9} {:>7} {:>7} {:>9} {:>7} {:>9} {:>7} {:>7} {:>9}",
        "pair", "shared", "direct", "direct%", "chain", "chain%", "linked", "inside", "precis%"
    );
    for i in 0..n {
        for j in i + 1..n {
            let (mut shared, mut direct, mut chain, mut linked, mut inside) = (0, 0, 0, 0, 0);
            let mut missing = Vec::new();
            let mut via_chain = Vec::new();
            let mut outside = Vec::new();
            for (x, y) in [(i, j), (j, i)] {
                let sm = o.shared_mask(x, y);
                let wm = o.word_mask(x);
                let lm = link_mask(&o, links, x, y);
                let cm: Vec<bool> = chain_mask(&o, links, x, y)
                    .iter()
                    .zip(&lm)
                    .map(|(a, b)| *a || *b)
                    .collect();
                shared += count(&sm);
                direct += count_and(&sm, &lm);
                chain += count_and(&sm, &cm);
                let lw: Vec<bool> = lm.iter().zip(&wm).map(|(a, b)| *a && *b).collect();
                // What a linked byte must lie in: an exact shared passage
                // (fast), or a stretch of words found in the other end of
                // its link (thorough, which links rewritten text).
                let pm = match preset {
                    Preset::Fast => sm.clone(),
                    Preset::Thorough => {
                        let unrelated = if x == d4 || y == d4 { d2 } else { d4 };
                        let chance = support_mask(&o, links, x, y, Some(unrelated));
                        chance_linked += count(&lw);
                        chance_in += count_and(&lw, &chance);
                        support_mask(&o, links, x, y, None)
                    }
                };
                linked += count(&lw);
                inside += count_and(&lw, &pm);
                missing.extend(missed(&o, x, y, &cm));
                via_chain.extend(
                    missed(&o, x, y, &lm)
                        .into_iter()
                        .filter(|m| !missing.contains(m)),
                );
                // Linked word bytes outside the shared passages of the pair.
                let d = &o.docs[x];
                let mut k = 0;
                while k < d.words.len() {
                    let w = &d.words[k];
                    if lw[w.start] && !pm[w.start] {
                        let s = k;
                        while k < d.words.len() && lw[d.words[k].start] && !pm[d.words[k].start] {
                            k += 1;
                        }
                        outside.push(format!(
                            "{} bytes {}-{}: \"{}\"",
                            &d.name[..3],
                            d.words[s].start,
                            d.words[k - 1].end,
                            o.excerpt(x, s, (k - s).min(8))
                        ));
                    } else {
                        k += 1;
                    }
                }
            }
            let label = format!("{}-{}", &o.docs[i].name[..3], &o.docs[j].name[..3]);
            eprintln!(
                "{:<9} {:>7} {:>7} {:>8.2}% {:>7} {:>8.2}% {:>7} {:>7} {:>8.2}%",
                label,
                shared,
                direct,
                pct(direct, shared),
                chain,
                pct(chain, shared),
                linked,
                inside,
                pct(inside, linked)
            );
            for m in &via_chain {
                eprintln!("    covered only through a third copy: {m}");
            }
            for m in &missing {
                eprintln!("    not covered: {m}");
            }
            for m in &outside {
                eprintln!("    linked, not shared: {m}");
            }
            if pct(chain, shared) < 99.0 {
                failures.push(format!(
                    "coverage {label}: {chain}/{shared} shared word bytes = {:.2}% < 99% (directly by {label} links: {:.2}%); not covered:\n      {}",
                    pct(chain, shared),
                    pct(direct, shared),
                    missing.join("\n      ")
                ));
            }
            tot_shared += shared;
            tot_direct += direct;
            tot_chain += chain;
            tot_linked += linked;
            tot_linked_in += inside;
        }
    }
    eprintln!(
        "{:<9} {:>7} {:>7} {:>8.2}% {:>7} {:>8.2}% {:>7} {:>7} {:>8.2}%",
        "all",
        tot_shared,
        tot_direct,
        pct(tot_direct, tot_shared),
        tot_chain,
        pct(tot_chain, tot_shared),
        tot_linked,
        tot_linked_in,
        pct(tot_linked_in, tot_linked)
    );
    eprintln!("(direct = by links between the two documents; chain = directly or through a chain of links via a third copy, which is how a copy of a copy is linked)");
    match preset {
        Preset::Fast => {
            if pct(tot_linked_in, tot_linked) < 97.0 {
                failures.push(format!(
                    "precision: {tot_linked_in}/{tot_linked} linked word bytes inside shared passages of their pair = {:.2}% < 97%",
                    pct(tot_linked_in, tot_linked)
                ));
            }
        }
        Preset::Thorough => {
            eprintln!(
                "thorough: {:.2}% of linked word bytes in stretches of {SUPPORT_CHUNK} words whose long words are at least {:.0}% found in the other end of their link; against a document that shares no passage instead of the other end: {:.2}%",
                pct(tot_linked_in, tot_linked),
                100.0 * SUPPORT_SHARE,
                pct(chance_in, chance_linked)
            );
            if pct(tot_linked_in, tot_linked) < THOROUGH_PRECISION {
                failures.push(format!(
                    "precision: {tot_linked_in}/{tot_linked} linked word bytes supported by the other end of their link = {:.2}% < {THOROUGH_PRECISION}%",
                    pct(tot_linked_in, tot_linked)
                ));
            }
            // The measure tells related text from unrelated text: against a
            // document with no shared passage the same spans are unsupported.
            if pct(chance_in, chance_linked) >= THOROUGH_PRECISION / 2.0 {
                failures.push(format!(
                    "the support measure does not discriminate: {:.2}% of linked word bytes supported by an unrelated document",
                    pct(chance_in, chance_linked)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Criterion 3: the Le Monde passages have 002 as source and copies where the
/// oracle finds them; directed links go from older to newer; the 003 copy of
/// 000's edited "Tout a commencé le 5 août, lorsque" paragraph is linked from
/// 000 (fast: only from 000; thorough: a link from 000 covers it, see below).
#[test]
fn le_monde_passages_come_from_002() {
    check_le_monde_passages_come_from_002(Preset::Fast);
}

#[test]
fn le_monde_passages_come_from_002_thorough() {
    check_le_monde_passages_come_from_002(Preset::Thorough);
}

fn check_le_monde_passages_come_from_002(preset: Preset) {
    let o = Oracle::build();
    let (_, map) = scan_json(preset, &[]);
    let dates = manifest_dates();
    let mut failures = Vec::new();

    // Anchors: 8+ word phrases of each Le Monde passage, as in 002. For the
    // "Tout a commencé" paragraph, "Tout a commencé" itself is not shared word
    // for word (002: "deux semaines plus tôt. Le 5 août, Keffals"; 000 and
    // 003: "le 5 août, lorsque Keffals"), so the anchor is its first shared
    // sentence.
    let anchors = [
        "à l’origine d’une vague de harcèlement visant la streameuse canadienne",
        "Keffals, qui s’est fait connaître sur la plate-forme Twitch avec des streams",
        "Les origines de Kiwi Farms remontent à 2007 sur 4Chan",
        "Utilisant notamment sur Twitter les hashtags #DropKiwiFarms, #TimesUpCloudFlare",
    ];
    let d2 = o.idx(D002);
    for phrase in anchors {
        let in002 = o.phrase_bytes(d2, phrase);
        assert_eq!(in002.len(), 1, "anchor \"{phrase}\" occurs once in 002");
        let a002 = in002[0];
        // Where the oracle says this text was copied.
        let mut expected_docs = Vec::new();
        for name in [D000, D001, D003, D004] {
            let x = o.idx(name);
            if let Some(r) = o.phrase_bytes(x, phrase).first() {
                let shared = o.passages_bytes(x, d2);
                assert!(
                    shared.iter().any(|p| p.0 <= r.0 && r.1 <= p.1),
                    "oracle: anchor in {name} not in a passage shared with 002"
                );
                expected_docs.push((name, *r));
            }
        }
        eprintln!(
            "anchor \"{phrase}\": 002 bytes {}-{}, also in {:?}",
            a002.0, a002.1, expected_docs
        );
        let hits: Vec<_> = map
            .passages
            .iter()
            .filter(|(_, _, copies)| {
                copies
                    .iter()
                    .any(|c| c.doc == D002 && overlaps(c.range(), a002))
            })
            .collect();
        if hits.is_empty() {
            failures.push(format!(
                "no passage has a copy in 002 over the anchor \"{phrase}\" (002 bytes {}-{})",
                a002.0, a002.1
            ));
            continue;
        }
        for (id, source, copies) in &hits {
            if source.as_deref() != Some(D002) {
                failures.push(format!(
                    "passage {id} (anchor \"{phrase}\") has source {source:?}, expected {D002}"
                ));
            }
            let _ = copies;
        }
        for (name, r) in &expected_docs {
            let found = hits.iter().any(|(_, _, copies)| {
                copies
                    .iter()
                    .any(|c| &c.doc == name && overlaps(c.range(), *r))
            });
            if !found {
                failures.push(format!(
                    "anchor \"{phrase}\": no copy in {name} over bytes {}-{} in passage(s) {:?}",
                    r.0,
                    r.1,
                    hits.iter().map(|h| &h.0).collect::<Vec<_>>()
                ));
            }
        }
    }

    // Directed links never go from newer to older (manifest dates).
    for l in &map.links {
        if !l.directed {
            continue;
        }
        let (ds, dt) = (&dates[&l.source.doc], &dates[&l.target.doc]);
        if ds >= dt {
            failures.push(format!(
                "directed link {} ({ds}) -> {} ({dt}) does not go from older to newer",
                l.source, l.target
            ));
        }
    }
    let undirected = map.links.iter().filter(|l| !l.directed).count();
    eprintln!(
        "links: {} ({} directed, {} undirected)",
        map.links.len(),
        map.links.len() - undirected,
        undirected
    );
    if undirected > 0 {
        failures.push(format!(
            "{undirected} undirected link(s) although every document is dated"
        ));
    }

    // The texts: 000 rewrote 002's opening ("Tout a commencé deux semaines plus
    // tôt. Le 5 août, Keffals" -> "Tout a commencé le 5 août, lorsque
    // Keffals"), and 003 has 000's wording (plus "(vidéo ci-dessus)" and
    // "son" for "[s]on"). Check that in the oracle first.
    let edited = "Tout a commencé le 5 août, lorsque Keffals";
    let (d0, d3) = (o.idx(D000), o.idx(D003));
    assert!(o.find_phrase(d2, edited).is_empty(), "002 lacks 000's edit");
    assert_eq!(o.find_phrase(d0, edited).len(), 1);
    let in003 = o.phrase_bytes(d3, edited);
    assert_eq!(in003.len(), 1, "003 has 000's edited wording");
    // The whole paragraph in 003: the passage shared with 000 that starts there.
    let para003 = o
        .passages_bytes(d3, d0)
        .into_iter()
        .filter(|p| p.0 == in003[0].0)
        .max_by_key(|p| p.1)
        .expect("oracle: 003 shares the edited paragraph with 000");
    // 003 is closer to 000 than to 002 over that paragraph, word for word.
    let longest = |x: usize| {
        o.passages_bytes(d3, x)
            .into_iter()
            .filter(|p| overlaps(*p, para003))
            .map(|p| p.1 - p.0)
            .max()
            .unwrap_or(0)
    };
    eprintln!(
        "003 \"{edited}…\" paragraph: bytes {}-{}; longest exact run shared with 000: {} bytes, with 002: {} bytes",
        para003.0,
        para003.1,
        longest(d0),
        longest(d2)
    );
    let into003: Vec<&Link> = map
        .links
        .iter()
        .filter(|l| l.target.doc == D003 && overlaps(l.target.range(), para003))
        .collect();
    if into003.is_empty() {
        failures.push(format!(
            "no link into 003 over \"{edited}…\" (003 bytes {}-{})",
            para003.0, para003.1
        ));
    }
    // With thorough, 000's copy comes in one span with the paraphrased blog
    // quotes around it (000[26..5522] -> 003[1445..9624]), which provenance
    // does not cluster with 002's copy of the paragraph, so 002 keeps a link
    // into it too (a known limitation, README: Presets). What must hold: a
    // link from 000 covers the whole paragraph.
    if preset == Preset::Thorough
        && !into003.iter().any(|l| {
            l.source.doc == D000 && l.target.start <= para003.0 && para003.1 <= l.target.end
        })
    {
        failures.push(format!(
            "no link from {D000} covers 003's \"{edited}…\" (003 bytes {}-{})",
            para003.0, para003.1
        ));
    }
    for l in into003 {
        eprintln!(
            "  link into it: {} -> {} ({} words)",
            l.source, l.target, l.words
        );
        if preset == Preset::Fast && l.source.doc != D000 {
            failures.push(format!(
                "link {} -> {} into 003's \"{edited}…\" comes from {}, expected {D000}",
                l.source, l.target, l.source.doc
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Criterion 4: a passage that occurs twice in one file and is shared with
/// another file has each occurrence linked.
#[test]
fn repeated_passage_each_occurrence_linked() {
    check_repeated_passage_each_occurrence_linked(Preset::Fast);
}

#[test]
fn repeated_passage_each_occurrence_linked_thorough() {
    check_repeated_passage_each_occurrence_linked(Preset::Thorough);
}

fn check_repeated_passage_each_occurrence_linked(preset: Preset) {
    let o = Oracle::build();
    // A passage occurs twice in X and is shared with Y when two maximal
    // matches of the pair overlap on the Y side (same text of Y) but not on
    // the X side (two places in X). Each such X occurrence must be linked to Y.
    // (doc with the repeat, the other doc, occurrences as (first word, words))
    type Case = (usize, usize, Vec<(usize, usize)>);
    let mut cases: Vec<Case> = Vec::new();
    for (&(i, j), ms) in &o.matches {
        for (a, b) in ms
            .iter()
            .enumerate()
            .flat_map(|(k, a)| ms[k + 1..].iter().map(move |b| (a, b)))
        {
            let xa = (a.x, a.x + a.len);
            let xb = (b.x, b.x + b.len);
            let ya = (a.y, a.y + a.len);
            let yb = (b.y, b.y + b.len);
            if overlaps(ya, yb) && !overlaps(xa, xb) {
                cases.push((i, j, vec![(a.x, a.len), (b.x, b.len)]));
            }
            if overlaps(xa, xb) && !overlaps(ya, yb) {
                cases.push((j, i, vec![(a.y, a.len), (b.y, b.len)]));
            }
        }
    }
    // On the fixture the oracle finds one: "menace imminente et urgente pour
    // la vie humaine" occurs twice in 003 (bytes 2886-2933 and 9000-9066 as
    // part of a 12-word match) and once in 000. (003's other repeat, "Que
    // pensez-vous des propos de Kiwi Farms qui indique ne pas avoir été
    // notifié d'un", is in no other file.) None found means the oracle or
    // the fixture broke, and the criterion would go unchecked.
    assert!(
        !cases.is_empty(),
        "criterion 4: the oracle found no repeated shared passage of {MIN_WORDS}+ words \
         in the fixture (it should find 003's \"menace imminente et urgente pour la vie humaine\")"
    );
    let (_, map) = scan_json(preset, &[]);
    let mut failures = Vec::new();
    for (x, y, occ) in cases {
        for (s, len) in occ {
            let w = &o.docs[x].words;
            let r = (w[s].start, w[s + len - 1].end);
            let linked = map.links.iter().any(|l| {
                (l.source.doc == o.docs[x].name
                    && l.target.doc == o.docs[y].name
                    && overlaps(l.source.range(), r))
                    || (l.target.doc == o.docs[x].name
                        && l.source.doc == o.docs[y].name
                        && overlaps(l.target.range(), r))
            });
            eprintln!(
                "repeat in {} bytes {}-{} shared with {}: linked = {linked}",
                o.docs[x].name, r.0, r.1, o.docs[y].name
            );
            if !linked {
                failures.push(format!(
                    "occurrence {} bytes {}-{} (\"{}\") is not linked to {}",
                    o.docs[x].name,
                    r.0,
                    r.1,
                    o.excerpt(x, s, 8),
                    o.docs[y].name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Criterion 5: 004 shares none of the Le Monde passages.
#[test]
fn no_link_between_004_and_002() {
    check_no_link_between_004_and_002(Preset::Fast);
}

#[test]
fn no_link_between_004_and_002_thorough() {
    check_no_link_between_004_and_002(Preset::Thorough);
}

fn check_no_link_between_004_and_002(preset: Preset) {
    let o = Oracle::build();
    let (d2, d4) = (o.idx(D002), o.idx(D004));
    let truth = o.passages_words(d4, d2);
    eprintln!(
        "oracle: 004 and 002 share {} passage(s) of {MIN_WORDS}+ words",
        truth.len()
    );
    assert!(
        truth.is_empty(),
        "oracle: 004 shares text with 002 after all: {truth:?}"
    );
    let (_, map) = scan_json(preset, &[]);
    // "More than a few words": a link of fewer than MIN_WORDS matched words
    // would be tolerated; with no shared passage there should be none at all.
    let bad: Vec<String> = map
        .links
        .iter()
        .filter(|l| {
            let docs = [l.source.doc.as_str(), l.target.doc.as_str()];
            docs.contains(&D002) && docs.contains(&D004) && l.words >= MIN_WORDS as u64
        })
        .map(|l| format!("{} -> {} ({} words)", l.source, l.target, l.words))
        .collect();
    assert!(bad.is_empty(), "links between 004 and 002: {bad:?}");
}

/// Criterion 6: the JSON does not depend on the number of threads.
#[test]
fn threads_do_not_change_the_json() {
    check_threads_do_not_change_the_json(Preset::Fast);
}

#[test]
fn threads_do_not_change_the_json_thorough() {
    check_threads_do_not_change_the_json(Preset::Thorough);
}

fn check_threads_do_not_change_the_json(preset: Preset) {
    let (one, _) = scan_json(preset, &["--threads", "1"]);
    let (two, _) = scan_json(preset, &["--threads", "2"]);
    if one != two {
        let first = one
            .lines()
            .zip(two.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(k, (a, b))| format!("line {}: {a:?} vs {b:?}", k + 1))
            .unwrap_or_else(|| format!("lengths {} vs {}", one.len(), two.len()));
        panic!("--threads 1 and --threads 2 give different JSON; first difference {first}");
    }
}

/// Criterion 7: the text report says where 000's lifted text came from, and
/// how much.
#[test]
fn text_report_names_the_source_of_000() {
    check_text_report_names_the_source_of_000(Preset::Fast);
}

#[test]
fn text_report_names_the_source_of_000_thorough() {
    check_text_report_names_the_source_of_000(Preset::Thorough);
}

fn check_text_report_names_the_source_of_000(preset: Preset) {
    let text = run(&scan_args(preset, "text", &["--details"]));
    let start = text
        .lines()
        .position(|l| l.starts_with(D000))
        .unwrap_or_else(|| panic!("no section starting with {D000} in the text report:\n{text}"));
    let section: Vec<&str> = text
        .lines()
        .skip(start)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    let section = section.join("\n");
    eprintln!("{section}");
    assert!(
        section.contains(D002),
        "the section of {D000} does not name {D002}:\n{section}"
    );
    let has_pct = section
        .split('%')
        .next()
        .map(|before| {
            section.contains('%') && before.chars().last().is_some_and(|c| c.is_ascii_digit())
        })
        .unwrap_or(false);
    assert!(
        has_pct,
        "the section of {D000} gives no share as a percentage:\n{section}"
    );
    // The share printed agrees with the JSON.
    let (_, map) = scan_json(preset, &[]);
    let share = map.json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == D000)
        .and_then(|d| d["lifted_share"].as_f64())
        .expect("lifted_share of 000");
    let shown = format!("{:.1}%", share * 100.0);
    assert!(
        section.contains(&shown),
        "the section of {D000} does not show its JSON lifted_share {share} as {shown}:\n{section}"
    );
}
