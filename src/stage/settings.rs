//! The matching settings a staged run's files were made with, so that a
//! stage run with other flags than the one before it is refused instead of
//! silently mixing two runs (a sign stage with `--ngram 4` read by a
//! candidates stage with `--ngram 5` made a map that matched neither).
//!
//! Every sign, candidates and align table `lifted` writes carries its
//! settings in the Parquet footer's key-value metadata ([`KEY`]); the stage
//! that reads it compares them with its own and names the first flag that
//! differs. The ingest tables carry none: no later stage depends on how the
//! inputs were read but through the tables themselves. Files without the
//! key (the results Spark writes) are read as before.

use std::path::Path;

use crate::error::{Error, Result};
use crate::scan::Params;

/// The key of the settings in a Parquet file's key-value metadata.
pub const KEY: &str = "lifted.settings";

/// The layout of the stage tables, kept with the settings (`tables=`): 2
/// since the sign table has a count row per document
/// ([`super::sign::COUNT_BAND`]) and no band rows for segments under
/// `--min-words`. Files without it (format 1) are refused, even when
/// written by a build of the same version.
pub const TABLES: u32 = 2;

/// The flags that change what the sign, candidates, align and report stages
/// make, each with its value as `lifted scan` takes it, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings(Vec<(&'static str, String)>);

impl Settings {
    /// The settings of `params` (with the bands and rows in use, whether
    /// given or chosen from the threshold), and the version of `lifted`.
    pub fn of(params: &Params) -> Settings {
        let o = &params.options;
        let on = |b: bool| if b { "yes" } else { "no" }.to_string();
        Settings(vec![
            ("version", env!("CARGO_PKG_VERSION").to_string()),
            ("tables", TABLES.to_string()),
            ("preset", format!("{:?}", o.preset).to_lowercase()),
            ("ngram", o.ngram.to_string()),
            ("permutations", o.permutations.to_string()),
            ("threshold", o.threshold.to_string()),
            ("bands", params.lsh.bands.to_string()),
            ("rows", params.lsh.rows.to_string()),
            ("window", o.window.to_string()),
            ("min-words", o.min_words.to_string()),
            ("max-gap", o.max_gap.to_string()),
            ("fold-accents", on(o.normalize.fold_accents)),
            ("within-doc", on(o.within_doc)),
            ("max-bucket", o.max_bucket.to_string()),
            ("pairs-only", on(!o.align)),
            ("max-docs-frac", o.boilerplate.max_docs_frac.to_string()),
            ("keep-boilerplate", on(o.boilerplate.keep)),
            ("seed", o.seed.to_string()),
        ])
    }

    /// One line, `flag=value` joined by spaces (no value holds a space).
    pub fn encode(&self) -> String {
        self.0
            .iter()
            .map(|(flag, value)| format!("{flag}={value}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Refuse the file at `path`, whose metadata holds `stored` (the
    /// [`KEY`] value, if any), when it was made with other settings.
    pub fn check(&self, path: &Path, stored: Option<&str>) -> Result<()> {
        let Some(stored) = stored else {
            return Ok(());
        };
        let theirs: Vec<(&str, &str)> = stored
            .split(' ')
            .filter_map(|pair| pair.split_once('='))
            .collect();
        let value_of = |flag: &str| theirs.iter().find(|(f, _)| *f == flag).map(|(_, v)| *v);
        for (flag, ours) in &self.0 {
            let theirs = value_of(flag);
            if theirs == Some(ours.as_str()) {
                continue;
            }
            let (what, hint) = if *flag == "version" {
                (
                    format!(
                        "written by lifted {}, this is lifted {ours}",
                        theirs.unwrap_or("(unknown)")
                    ),
                    "run every stage with one build of lifted",
                )
            } else if *flag == "tables" {
                (
                    format!(
                        "tables of format {}, this build of lifted reads format {ours}",
                        theirs.unwrap_or("1")
                    ),
                    "run every stage with one build of lifted",
                )
            } else {
                (
                    format!(
                        "written with {}, this stage runs with {}",
                        shown(flag, theirs),
                        shown(flag, Some(ours))
                    ),
                    "run every stage with the same matching flags",
                )
            };
            return Err(Error::Stage {
                path: path.to_path_buf(),
                reason: format!("{what}: {hint}, or start again in an empty --work folder"),
            });
        }
        Ok(())
    }
}

/// A flag and its value as a user would type them.
fn shown(flag: &str, value: Option<&str>) -> String {
    match value {
        None => format!("no --{flag} setting"),
        Some("yes") => format!("--{flag}"),
        Some("no") => format!("no --{flag}"),
        Some(value) => format!("--{flag} {value}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::ScanOptions;

    fn settings(change: impl FnOnce(&mut ScanOptions)) -> Settings {
        let mut options = ScanOptions::default();
        change(&mut options);
        Settings::of(&Params::new(options).expect("valid options"))
    }

    #[test]
    fn the_same_flags_pass_and_a_file_without_settings_is_read() {
        let ours = settings(|_| {});
        let path = Path::new("w/sign/signs-0-to-0-of-1.parquet");
        assert!(ours.check(path, Some(&ours.encode())).is_ok());
        assert!(ours.check(path, None).is_ok());
    }

    #[test]
    fn another_flag_is_named_with_both_values() {
        let theirs = settings(|o| o.ngram = 4).encode();
        let ours = settings(|_| {});
        let path = Path::new("w/sign/signs-0-to-0-of-1.parquet");
        let message = ours.check(path, Some(&theirs)).unwrap_err().to_string();
        assert!(message.contains("signs-0-to-0-of-1.parquet"), "{message}");
        assert!(
            message.contains("written with --ngram 4, this stage runs with --ngram 5"),
            "{message}"
        );
        // A threshold changes the bands chosen: the first difference is named.
        let theirs = settings(|o| o.threshold = 0.8).encode();
        let message = ours.check(path, Some(&theirs)).unwrap_err().to_string();
        assert!(message.contains("--threshold 0.8"), "{message}");
        let theirs = settings(|o| o.align = false).encode();
        let message = ours.check(path, Some(&theirs)).unwrap_err().to_string();
        assert!(
            message.contains("written with --pairs-only, this stage runs with no --pairs-only"),
            "{message}"
        );
    }

    #[test]
    fn another_version_is_refused() {
        let ours = settings(|_| {});
        let theirs = ours
            .encode()
            .replacen(env!("CARGO_PKG_VERSION"), "0.0.1", 1);
        let message = ours
            .check(Path::new("x.parquet"), Some(&theirs))
            .unwrap_err()
            .to_string();
        assert!(message.contains("written by lifted 0.0.1"), "{message}");
    }

    /// A file of the tables' first format (before the count rows) carries
    /// no `tables=` setting: refused, with the format named.
    #[test]
    fn another_table_format_is_refused() {
        let ours = settings(|_| {});
        let theirs = ours.encode().replacen(&format!(" tables={TABLES}"), "", 1);
        assert_ne!(theirs, ours.encode());
        let message = ours
            .check(Path::new("x.parquet"), Some(&theirs))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains(&format!(
                "tables of format 1, this build of lifted reads format {TABLES}"
            )),
            "{message}"
        );
    }
}
