//! The acceptance test's side of the real binary: running `lifted` on the
//! fixture, reading its JSON map, and the byte masks that compare its links
//! with the oracle's shared passages.

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

use serde_json::Value;

use crate::oracle::{overlaps, root, Oracle, Word};
use crate::{DIR, MANIFEST, MIN_WORDS};

pub fn run(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_lifted"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the lifted binary runs");
    assert!(
        output.status.code() == Some(0),
        "lifted {args:?} exited with {:?} (expected 0)\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 stdout")
}

/// The pipeline preset a check runs under: every criterion is checked under
/// both (`--preset fast` is the default and passes no flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    Fast,
    Thorough,
}

impl Preset {
    pub fn args(self) -> &'static [&'static str] {
        match self {
            Preset::Fast => &[],
            Preset::Thorough => &["--preset", "thorough"],
        }
    }

    /// Fewest words of an oracle passage the preset must cover: thorough
    /// reports a span only with twice `--min-words` matched words (README:
    /// Presets), so shorter exact passages are fast's alone.
    pub fn min_passage_words(self) -> usize {
        match self {
            Preset::Fast => MIN_WORDS,
            Preset::Thorough => 2 * MIN_WORDS,
        }
    }
}

pub fn scan_args<'a>(preset: Preset, format: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["scan", DIR, "--manifest", MANIFEST, "--format", format];
    v.extend_from_slice(preset.args());
    v.extend_from_slice(extra);
    v
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub doc: String,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn from(v: &Value) -> Span {
        Span {
            doc: v["doc"].as_str().expect("span doc").to_string(),
            start: v["start"].as_u64().expect("span start") as usize,
            end: v["end"].as_u64().expect("span end") as usize,
        }
    }
    pub fn range(&self) -> (usize, usize) {
        (self.start, self.end)
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}..{}]", &self.doc[..3], self.start, self.end)
    }
}

#[derive(Debug, Clone)]
pub struct Link {
    pub source: Span,
    pub target: Span,
    pub directed: bool,
    pub words: u64,
}

pub struct Map {
    pub json: Value,
    pub links: Vec<Link>,
    pub passages: Vec<(String, Option<String>, Vec<Span>)>,
}

pub fn scan_json(preset: Preset, extra: &[&str]) -> (String, Map) {
    let stdout = run(&scan_args(preset, "json", extra));
    let json: Value = serde_json::from_str(&stdout).expect("stdout is one JSON object");
    let links = json["links"]
        .as_array()
        .expect("links array")
        .iter()
        .map(|l| Link {
            source: Span::from(&l["source"]),
            target: Span::from(&l["target"]),
            directed: l["directed"].as_bool().expect("directed"),
            words: l["words"].as_u64().unwrap_or(0),
        })
        .collect();
    let passages = json["passages"]
        .as_array()
        .expect("passages array")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap_or("?").to_string(),
                p["source"].as_str().map(str::to_string),
                p["copies"]
                    .as_array()
                    .expect("copies")
                    .iter()
                    .map(Span::from)
                    .collect(),
            )
        })
        .collect();
    (
        stdout,
        Map {
            json,
            links,
            passages,
        },
    )
}

pub fn manifest_dates() -> HashMap<String, String> {
    let text = std::fs::read_to_string(root().join(MANIFEST)).expect("manifest.csv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut f = l.split(',');
            (
                f.next().unwrap().to_string(),
                f.next().expect("date column").to_string(),
            )
        })
        .collect()
}

/// Mask of docs[x]'s bytes inside X-side spans of links between x and y.
pub fn link_mask(o: &Oracle, links: &[Link], x: usize, y: usize) -> Vec<bool> {
    let (nx, ny) = (&o.docs[x].name, &o.docs[y].name);
    let mut mask = vec![false; o.docs[x].text.len()];
    for l in links {
        let span = if &l.source.doc == nx && &l.target.doc == ny {
            &l.source
        } else if &l.target.doc == nx && &l.source.doc == ny {
            &l.target
        } else {
            continue;
        };
        let end = span.end.min(mask.len());
        mask[span.start.min(end)..end]
            .iter_mut()
            .for_each(|b| *b = true);
    }
    mask
}

/// Mask of docs[x]'s bytes that reach docs[y] through a chain of links: the
/// byte lies in an x-endpoint of a link whose component (links joined by their
/// own two endpoints, and endpoints in one document joined when they overlap)
/// holds an endpoint in y that overlaps the shared passages of y w.r.t. x.
/// This is how a copy A -> B -> C is represented when each copy has one
/// incoming link (README: "each later copy has one link").
pub fn chain_mask(o: &Oracle, links: &[Link], x: usize, y: usize) -> Vec<bool> {
    let ends: Vec<&Span> = links.iter().flat_map(|l| [&l.source, &l.target]).collect();
    let mut parent: Vec<usize> = (0..ends.len()).collect();
    pub fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let union = |p: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (find(p, a), find(p, b));
        if ra != rb {
            p[ra] = rb;
        }
    };
    for k in 0..links.len() {
        union(&mut parent, 2 * k, 2 * k + 1);
    }
    for a in 0..ends.len() {
        for b in a + 1..ends.len() {
            if ends[a].doc == ends[b].doc && overlaps(ends[a].range(), ends[b].range()) {
                union(&mut parent, a, b);
            }
        }
    }
    let (nx, ny) = (&o.docs[x].name, &o.docs[y].name);
    let y_shared = o.passages_bytes(y, x);
    let good_roots: BTreeSet<usize> = (0..ends.len())
        .filter(|&k| &ends[k].doc == ny && y_shared.iter().any(|r| overlaps(*r, ends[k].range())))
        .map(|k| find(&mut parent, k))
        .collect();
    let mut mask = vec![false; o.docs[x].text.len()];
    for k in 0..ends.len() {
        if &ends[k].doc == nx && good_roots.contains(&find(&mut parent, k)) {
            let end = ends[k].end.min(mask.len());
            mask[ends[k].start.min(end)..end]
                .iter_mut()
                .for_each(|b| *b = true);
        }
    }
    mask
}

/// Words in a stretch of a thorough link span measured at once.
pub const SUPPORT_CHUNK: usize = 20;
/// Share of a stretch's long words (4+ characters) that must occur in the
/// other end of the link for the stretch to be supported.
pub const SUPPORT_SHARE: f64 = 0.5;
/// Fewest linked word bytes in supported stretches, in percent, with thorough.
pub const THOROUGH_PRECISION: f64 = 80.0;

/// Thorough links rewritten text, so exact passages cannot judge its spans.
/// Mask of docs[x]'s word bytes that a link x-y supports: the X-side span of
/// the link is cut into stretches of [`SUPPORT_CHUNK`] words, and a stretch is
/// supported when at least [`SUPPORT_SHARE`] of its long words (4+
/// characters, folded as the oracle folds) occur in the link's Y-side span,
/// or, with `against`, in as many bytes of that document instead (its
/// start): how much chance alone supports.
pub fn support_mask(
    o: &Oracle,
    links: &[Link],
    x: usize,
    y: usize,
    against: Option<usize>,
) -> Vec<bool> {
    let (nx, ny) = (&o.docs[x].name, &o.docs[y].name);
    let d = &o.docs[x];
    let mut mask = vec![false; d.text.len()];
    let long = |w: &Word| w.norm.chars().count() >= 4;
    for l in links {
        let (span, other) = if &l.source.doc == nx && &l.target.doc == ny {
            (&l.source, &l.target)
        } else if &l.target.doc == nx && &l.source.doc == ny {
            (&l.target, &l.source)
        } else {
            continue;
        };
        let (od, range) = match against {
            None => (&o.docs[y], other.range()),
            Some(u) => {
                let len = other.end - other.start;
                (&o.docs[u], (0, len.min(o.docs[u].text.len())))
            }
        };
        let vocabulary: BTreeSet<&str> = od
            .words
            .iter()
            .filter(|w| w.start >= range.0 && w.end <= range.1)
            .filter(|w| long(w))
            .map(|w| w.norm.as_str())
            .collect();
        let words: Vec<&Word> = d
            .words
            .iter()
            .filter(|w| w.start >= span.start && w.end <= span.end)
            .collect();
        for stretch in words.chunks(SUPPORT_CHUNK) {
            let long_words: Vec<&Word> = stretch.iter().copied().filter(|w| long(w)).collect();
            let found = long_words
                .iter()
                .filter(|w| vocabulary.contains(w.norm.as_str()))
                .count();
            if found as f64 >= SUPPORT_SHARE * long_words.len() as f64 {
                for w in stretch {
                    mask[w.start..w.end].iter_mut().for_each(|b| *b = true);
                }
            }
        }
    }
    mask
}

/// Shared word bytes of docs[x] w.r.t. docs[y] not set in `covered`, as
/// readable runs.
pub fn missed(o: &Oracle, x: usize, y: usize, covered: &[bool]) -> Vec<String> {
    let d = &o.docs[x];
    let shared = o.shared_mask(x, y);
    let mut out = Vec::new();
    let mut k = 0;
    while k < d.words.len() {
        let w = &d.words[k];
        if shared[w.start] && !covered[w.start..w.end].iter().all(|b| *b) {
            let s = k;
            while k < d.words.len()
                && shared[d.words[k].start]
                && !covered[d.words[k].start..d.words[k].end].iter().all(|b| *b)
            {
                k += 1;
            }
            out.push(format!(
                "{} bytes {}-{} ({} words): \"{}\"",
                d.name,
                d.words[s].start,
                d.words[k - 1].end,
                k - s,
                o.excerpt(x, s, (k - s).min(12))
            ));
        } else {
            k += 1;
        }
    }
    out
}
