//! The documents' order in time: [`Chronology`] (dates, input order or
//! nothing), decided once from the records' dates, the manifest and
//! `--order given` by [`chronology`], and the time [`Key`] that provenance
//! compares copies by.

use super::{read_manifest, Date, Label};

/// What is known of the documents' order in time.
#[derive(Debug, Clone)]
pub enum Chronology {
    /// Dates per document (by index); `None` when unknown.
    Dates(Vec<Option<Date>>),
    /// Input order is chronological: the position of each document.
    Given(Vec<u32>),
    /// Nothing is known: every link is undirected.
    Unknown,
}

impl Chronology {
    /// A comparable time key, when known.
    pub(super) fn key(&self, doc: u32) -> Option<Key<'_>> {
        match self {
            Chronology::Dates(dates) => dates[doc as usize].as_ref().map(Key::Date),
            Chronology::Given(order) => Some(Key::Order(order[doc as usize])),
            Chronology::Unknown => None,
        }
    }
}

/// When a copy was published. The derived order is total, for choosing a
/// passage's source and breaking ties; whether one copy came before another
/// is [`Key::before`], which leaves overlapping dates unordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Key<'a> {
    Date(&'a Date),
    Order(u32),
}

impl Key<'_> {
    pub(super) fn before(self, other: Key) -> bool {
        match (self, other) {
            (Key::Date(a), Key::Date(b)) => a.before(b),
            (Key::Order(a), Key::Order(b)) => a < b,
            _ => false,
        }
    }
}

/// The documents' order in time, and their manifest titles and URLs (by
/// document index; empty without a manifest). Dates come from the records
/// (`Document::date`, from `--date-field`), then from `manifest`, which wins
/// document by document; without any date, `given_order` makes the input
/// order the chronology. The one place the CLI's scan, check and dedup and the
/// Python package decide this.
pub fn chronology(
    documents: &dyn crate::ingest::Documents,
    manifest: Option<&std::path::Path>,
    given_order: bool,
) -> crate::Result<(Chronology, Vec<Label>)> {
    let count = documents.count();
    let dated = (0..count).any(|d| documents.date(d).is_some());
    if manifest.is_none() && !dated {
        let chronology = if given_order {
            Chronology::Given((0..count).map(|d| documents.order(d)).collect())
        } else {
            Chronology::Unknown
        };
        return Ok((chronology, Vec::new()));
    }
    let mut dates: Vec<Option<Date>> = (0..count).map(|d| documents.date(d).cloned()).collect();
    if let Some(path) = manifest {
        let ids: Vec<&str> = (0..count).map(|d| documents.id(d)).collect();
        let mut labels = vec![Label::default(); ids.len()];
        for entry in read_manifest(path, &ids)? {
            // read_manifest checked that every id is in the corpus, once.
            if let Ok(i) = ids.binary_search(&entry.id.as_str()) {
                dates[i] = Some(entry.date);
                labels[i] = Label {
                    title: entry.title,
                    url: entry.url,
                };
            }
        }
        return Ok((Chronology::Dates(dates), labels));
    }
    Ok((Chronology::Dates(dates), Vec::new()))
}
