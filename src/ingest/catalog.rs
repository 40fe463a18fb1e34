//! What the map and the chronology need of the documents besides their
//! texts ([`Documents`]): ids, origins, input positions, dates and the
//! reader's warnings. A [`Corpus`] has them; a [`Catalog`] holds only them,
//! in a few flat buffers, for the staged route's report stage (issue 15),
//! which lists millions of documents whose texts it does not hold: a
//! [`Document`](super::Document) costs some 150 bytes before its id and origin, each a heap
//! allocation of its own, where a catalog entry costs about the length of
//! its id and origin plus 20 bytes.

use std::collections::HashMap;

use super::Corpus;
use crate::error::Warning;
use crate::manifest::Date;

/// The documents of a run in id order, without their texts.
pub trait Documents: Sync {
    /// How many documents.
    fn count(&self) -> usize;
    /// Document `doc`'s id.
    fn id(&self, doc: usize) -> &str;
    /// Where document `doc` came from ([`Document::origin`](super::Document::origin)).
    fn origin(&self, doc: usize) -> String;
    /// Document `doc`'s position in input order ([`Document::order`](super::Document::order)).
    fn order(&self, doc: usize) -> u32;
    /// The date given in document `doc`'s record, if any.
    fn date(&self, doc: usize) -> Option<&Date>;
    /// Files or lines skipped or read with care.
    fn warnings(&self) -> &[Warning];
    /// The same, to add to.
    fn warnings_mut(&mut self) -> &mut Vec<Warning>;

    /// The index of the document `id`, if there is one (a binary search:
    /// the documents are in id order).
    fn position(&self, id: &str) -> Option<usize> {
        let (mut low, mut high) = (0, self.count());
        while low < high {
            let middle = low + (high - low) / 2;
            match self.id(middle).cmp(id) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(middle),
            }
        }
        None
    }
}

impl Documents for Corpus {
    fn count(&self) -> usize {
        self.documents.len()
    }

    fn id(&self, doc: usize) -> &str {
        &self.documents[doc].id
    }

    fn origin(&self, doc: usize) -> String {
        self.documents[doc].origin.clone()
    }

    fn order(&self, doc: usize) -> u32 {
        self.documents[doc].order
    }

    fn date(&self, doc: usize) -> Option<&Date> {
        self.documents[doc].date.as_ref()
    }

    fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    fn warnings_mut(&mut self) -> &mut Vec<Warning> {
        &mut self.warnings
    }
}

/// Strings laid end to end in one buffer.
#[derive(Debug, Default, Clone)]
struct Strings {
    text: String,
    /// String `i` ends at `ends[i]` and starts where string `i - 1` ends.
    ends: Vec<usize>,
}

impl Strings {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

/// The documents of a run without their texts ([`Documents`]), in the
/// order they were added until [`Catalog::sort_by_id`]. An origin is kept
/// as the part up to its last `:` (the file of a `file:line` origin), in a
/// table of such prefixes, and the rest (the line number).
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    ids: Strings,
    prefixes: Vec<String>,
    prefix_index: HashMap<String, u32>,
    /// Per document, its origin's prefix in `prefixes`.
    prefix: Vec<u32>,
    /// Per document, the rest of its origin.
    suffixes: Strings,
    orders: Vec<u32>,
    /// Per document, its date; none while no document has one.
    dates: Option<Vec<Option<Date>>>,
    /// Files or lines skipped or read with care.
    pub warnings: Vec<Warning>,
}

impl Catalog {
    /// Add a document (its text is not kept).
    pub fn push(&mut self, id: &str, origin: &str, order: u32, date: Option<Date>) {
        let cut = origin.rfind(':').map_or(0, |i| i + 1);
        let (prefix, suffix) = origin.split_at(cut);
        let index = match self.prefixes.last() {
            Some(last) if last == prefix => (self.prefixes.len() - 1) as u32,
            _ => match self.prefix_index.get(prefix) {
                Some(&i) => i,
                None => {
                    let i = self.prefixes.len() as u32;
                    self.prefixes.push(prefix.to_string());
                    self.prefix_index.insert(prefix.to_string(), i);
                    i
                }
            },
        };
        if date.is_some() && self.dates.is_none() {
            self.dates = Some(vec![None; self.orders.len()]);
        }
        if let Some(dates) = &mut self.dates {
            dates.push(date);
        }
        self.ids.push(id);
        self.prefix.push(index);
        self.suffixes.push(suffix);
        self.orders.push(order);
    }

    /// Set document `doc`'s position in input order.
    pub fn set_order(&mut self, doc: usize, order: u32) {
        self.orders[doc] = order;
    }

    /// Put the documents in id order (ties in the order added); returns,
    /// for each document now, the place it was added at.
    pub fn sort_by_id(&mut self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.count() as u32).collect();
        order.sort_by(|&a, &b| self.ids.get(a as usize).cmp(self.ids.get(b as usize)));
        let mut ids = Strings {
            text: String::with_capacity(self.ids.text.len()),
            ends: Vec::with_capacity(order.len()),
        };
        let mut suffixes = Strings {
            text: String::with_capacity(self.suffixes.text.len()),
            ends: Vec::with_capacity(order.len()),
        };
        for &i in &order {
            ids.push(self.ids.get(i as usize));
            suffixes.push(self.suffixes.get(i as usize));
        }
        self.ids = ids;
        self.suffixes = suffixes;
        self.prefix = order.iter().map(|&i| self.prefix[i as usize]).collect();
        self.orders = order.iter().map(|&i| self.orders[i as usize]).collect();
        if let Some(dates) = &mut self.dates {
            *dates = order.iter().map(|&i| dates[i as usize].take()).collect();
        }
        order
    }

    /// Give back the room reserved for more documents.
    pub fn shrink_to_fit(&mut self) {
        self.ids.shrink_to_fit();
        self.suffixes.shrink_to_fit();
        self.prefix.shrink_to_fit();
        self.orders.shrink_to_fit();
        if let Some(dates) = &mut self.dates {
            dates.shrink_to_fit();
        }
        self.prefix_index = HashMap::new();
    }
}

impl Documents for Catalog {
    fn count(&self) -> usize {
        self.orders.len()
    }

    fn id(&self, doc: usize) -> &str {
        self.ids.get(doc)
    }

    fn origin(&self, doc: usize) -> String {
        let mut origin = self.prefixes[self.prefix[doc] as usize].clone();
        origin.push_str(self.suffixes.get(doc));
        origin
    }

    fn order(&self, doc: usize) -> u32 {
        self.orders[doc]
    }

    fn date(&self, doc: usize) -> Option<&Date> {
        self.dates.as_ref().and_then(|dates| dates[doc].as_ref())
    }

    fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    fn warnings_mut(&mut self) -> &mut Vec<Warning> {
        &mut self.warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catalog_gives_back_what_it_was_given_in_id_order() {
        let date = Date::parse("2001-02-03").unwrap();
        let mut catalog = Catalog::default();
        catalog.push("e", "first.jsonl:1", 4, Some(date.clone()));
        assert_eq!(catalog.date(0), Some(&date));
        let mut catalog = Catalog::default();
        catalog.push("b", "in.jsonl:1", 0, None);
        catalog.push("c", "folder/c.txt", 1, None);
        catalog.push("a", "in.jsonl:3", 2, Some(date.clone()));
        catalog.push("", "other:x:7", 3, None);
        assert_eq!(catalog.sort_by_id(), vec![3, 2, 0, 1]);
        catalog.shrink_to_fit();
        let ids: Vec<&str> = (0..4).map(|i| catalog.id(i)).collect();
        assert_eq!(ids, ["", "a", "b", "c"]);
        let origins: Vec<String> = (0..4).map(|i| catalog.origin(i)).collect();
        assert_eq!(
            origins,
            ["other:x:7", "in.jsonl:3", "in.jsonl:1", "folder/c.txt"]
        );
        let orders: Vec<u32> = (0..4).map(|i| catalog.order(i)).collect();
        assert_eq!(orders, [3, 2, 0, 1]);
        assert_eq!(catalog.date(1), Some(&date));
        assert_eq!(catalog.date(0), None);
        assert_eq!(catalog.position("b"), Some(2));
        assert_eq!(catalog.position(""), Some(0));
        assert_eq!(catalog.position("bb"), None);
    }
}
