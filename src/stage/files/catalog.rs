//! The ingest tables (`WORK/ingest/documents-R-of-N.parquet`) read back by
//! the stages after ingest: every document's key in id order (candidates),
//! the documents an align shard needs with their texts, and the whole
//! corpus without its texts as a [`Catalog`] (report), each checked for an
//! id met twice or two ids with one key. Nothing here writes.

use super::{all_documents, key_collision, Work};
use crate::error::{Error, Result};
use crate::ingest::{Catalog, Corpus, Document, Documents};
use crate::manifest::Date;
use crate::stage::columns;
use crate::stage::table::{read_parquet, read_parquet_in, DOCUMENT_ROWS};
use crate::stage::DocumentTable;

/// Every document's key, in id order (read from every ingest table),
/// checked across the tables: an id in two of them ([`Error::DuplicateId`],
/// as `scan` says it), or two ids with one key, is an error.
pub(super) fn keys_in_id_order(work: &Work) -> Result<Vec<u64>> {
    let mut ids: Vec<(String, u64, u64)> = Vec::new();
    for path in all_documents(work)? {
        read_parquet(&path, &["doc", "id", "order"], None, |batch| {
            let keys = columns::int64s(&batch, "doc")?;
            let names = columns::strings(&batch, "id")?;
            let orders = columns::int64s(&batch, "order")?;
            ids.extend(
                names
                    .into_iter()
                    .zip(keys)
                    .zip(orders)
                    .map(|((id, key), order)| (id, order as u64, key as u64)),
            );
            Ok(())
        })?;
    }
    ids.sort_unstable();
    check_ids(work, &ids)?;
    Ok(ids.into_iter().map(|(_, _, key)| key).collect())
}

/// The checks of [`keys_in_id_order`] on `(id, input position, key)`
/// sorted by id then position.
fn check_ids(work: &Work, ids: &[(String, u64, u64)]) -> Result<()> {
    if let Some(pair) = ids.windows(2).find(|w| w[0].0 == w[1].0) {
        let first = origin_of(work, &pair[0].0, pair[0].1)?;
        let second = origin_of(work, &pair[1].0, pair[1].1)?;
        return Err(Error::DuplicateId {
            id: pair[0].0.clone(),
            first,
            second,
        });
    }
    let mut keys: Vec<(u64, usize)> = ids.iter().enumerate().map(|(i, d)| (d.2, i)).collect();
    keys.sort_unstable();
    if let Some(pair) = keys.windows(2).find(|w| w[0].0 == w[1].0) {
        let (a, b) = (&ids[pair[0].1], &ids[pair[1].1]);
        let (first, second) = (origin_of(work, &a.0, a.1)?, origin_of(work, &b.0, b.1)?);
        return Err(key_collision(
            work.root.join("ingest"),
            (&a.0, &first),
            (&b.0, &second),
            pair[0].0,
        ));
    }
    Ok(())
}

/// Where the document `id` at input position `order` was read (for an
/// error message: the tables are read again).
fn origin_of(work: &Work, id: &str, order: u64) -> Result<String> {
    let mut found = None;
    for path in all_documents(work)? {
        read_parquet(&path, &["id", "origin", "order"], None, |batch| {
            let names = columns::strings(&batch, "id")?;
            let origins = columns::strings(&batch, "origin")?;
            let orders = columns::int64s(&batch, "order")?;
            for i in 0..names.len() {
                if names[i] == id && orders[i] as u64 == order {
                    found.get_or_insert(origins[i].clone());
                }
            }
            Ok(())
        })?;
    }
    Ok(found.unwrap_or_else(|| id.to_string()))
}

/// Read the documents whose keys `wanted` accepts from every ingest table:
/// a corpus sorted by id (texts only when `keep_text`: else empty, read a
/// batch at a time for their lengths), with the keys and the lengths.
pub(super) fn read_corpus(
    work: &Work,
    keep_text: bool,
    wanted: &dyn Fn(u64) -> bool,
) -> Result<(Corpus, Vec<u64>, Vec<u32>)> {
    let mut documents: Vec<(u64, Document, u32)> = Vec::new();
    let mut raw_orders: Vec<u64> = Vec::new();
    for path in all_documents(work)? {
        let mut bad_date = None;
        read_parquet_in(&path, &DOCUMENT_COLUMNS, DOCUMENT_ROWS, None, |batch| {
            let mut table = columns::documents_from(&batch, true)?;
            let texts = std::mem::take(&mut table.text);
            for (i, text) in texts.into_iter().enumerate() {
                let key = table.doc[i];
                if !wanted(key) {
                    continue;
                }
                let date = record_date(&table, i, &mut bad_date);
                raw_orders.push(table.order[i]);
                let length = text.len() as u32;
                documents.push((
                    key,
                    Document {
                        id: table.id[i].clone(),
                        origin: table.origin[i].clone(),
                        order: (raw_orders.len() - 1) as u32,
                        text: if keep_text { text } else { Vec::new() },
                        date,
                    },
                    length,
                ));
            }
            Ok(())
        })?;
        if let Some(reason) = bad_date {
            return Err(Error::Stage { path, reason });
        }
    }
    let ranks = input_ranks(&raw_orders);
    for (_, document, _) in &mut documents {
        document.order = ranks[document.order as usize];
    }
    documents.sort_unstable_by(|a, b| a.1.id.cmp(&b.1.id));
    let keys = documents.iter().map(|d| d.0).collect();
    let lengths = documents.iter().map(|d| d.2).collect();
    let corpus = Corpus {
        documents: documents.into_iter().map(|d| d.1).collect(),
        warnings: Vec::new(),
    };
    Ok((corpus, keys, lengths))
}

/// Input positions (sortable keys, one per document read) as ranks: the
/// input order of the documents read, which is the corpus's when all are.
fn input_ranks(positions: &[u64]) -> Vec<u32> {
    let mut sorted = positions.to_vec();
    sorted.sort_unstable();
    positions
        .iter()
        .map(|&p| sorted.partition_point(|&q| q < p) as u32)
        .collect()
}

/// The columns of an ingest table that [`read_corpus`] and [`read_catalog`] read.
const DOCUMENT_COLUMNS: [&str; 6] = ["doc", "id", "origin", "order", "date", "text"];

/// Row `i`'s date, parsed; an unreadable date is kept in `bad` (the first
/// of a file) and read as none.
fn record_date(table: &DocumentTable, i: usize, bad: &mut Option<String>) -> Option<Date> {
    let given = table.date[i].as_ref()?;
    match Date::parse(given) {
        Ok(date) => Some(date),
        Err(reason) => {
            bad.get_or_insert(format!(
                "document {:?}: date {given:?}: {reason}",
                table.id[i]
            ));
            None
        }
    }
}

/// Every document of every ingest table without its text, as the report
/// stage holds them: a [`Catalog`] sorted by id (with input positions as
/// [`read_corpus`] gives them), with the keys and the lengths in the same
/// order. The texts are read a batch at a time, for their lengths only.
pub(super) fn read_catalog(work: &Work) -> Result<(Catalog, Vec<u64>, Vec<u32>)> {
    let mut catalog = Catalog::default();
    let mut keys: Vec<u64> = Vec::new();
    let mut lengths: Vec<u32> = Vec::new();
    let mut raw_orders: Vec<u64> = Vec::new();
    for path in all_documents(work)? {
        let mut bad_date = None;
        read_parquet_in(&path, &DOCUMENT_COLUMNS, DOCUMENT_ROWS, None, |batch| {
            let table = columns::documents_from(&batch, true)?;
            for (i, text) in table.text.iter().enumerate() {
                let date = record_date(&table, i, &mut bad_date);
                catalog.push(&table.id[i], &table.origin[i], 0, date);
                keys.push(table.doc[i]);
                lengths.push(text.len() as u32);
                raw_orders.push(table.order[i]);
            }
            Ok(())
        })?;
        if let Some(reason) = bad_date {
            return Err(Error::Stage { path, reason });
        }
    }
    for (doc, rank) in input_ranks(&raw_orders).into_iter().enumerate() {
        catalog.set_order(doc, rank);
    }
    drop(raw_orders);
    let placed = catalog.sort_by_id();
    catalog.shrink_to_fit();
    let keys = placed.iter().map(|&i| keys[i as usize]).collect();
    let lengths = placed.iter().map(|&i| lengths[i as usize]).collect();
    Ok((catalog, keys, lengths))
}

/// The checks of [`keys_in_id_order`] on the whole corpus (sorted by id).
pub(super) fn check_corpus_ids(work: &Work, documents: &dyn Documents, keys: &[u64]) -> Result<()> {
    let count = documents.count();
    if let Some(i) = (1..count).find(|&i| documents.id(i - 1) == documents.id(i)) {
        let (mut a, mut b) = (i - 1, i);
        if documents.order(b) < documents.order(a) {
            std::mem::swap(&mut a, &mut b);
        }
        return Err(Error::DuplicateId {
            id: documents.id(a).to_string(),
            first: documents.origin(a),
            second: documents.origin(b),
        });
    }
    let mut by_key: Vec<(u64, u32)> = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| (k, i as u32))
        .collect();
    by_key.sort_unstable();
    if let Some(pair) = by_key.windows(2).find(|w| w[0].0 == w[1].0) {
        let (a, b) = (pair[0].1 as usize, pair[1].1 as usize);
        return Err(key_collision(
            work.root.join("ingest"),
            (documents.id(a), &documents.origin(a)),
            (documents.id(b), &documents.origin(b)),
            pair[0].0,
        ));
    }
    Ok(())
}
