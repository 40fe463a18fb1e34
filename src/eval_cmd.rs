//! `lifted eval`: scan an annotated benchmark and print its scores. The
//! measuring is in the library ([`lifted::eval`]); this draws the progress bar
//! and writes the table.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use lifted::eval::pan::{self, Evaluation, KindScores, Scope};

use crate::cli::{Benchmark, EvalArgs, EvalFormat, Order, Preset};

/// Run `lifted eval`.
pub fn run(args: EvalArgs, cancel: &AtomicBool) -> Result<ExitCode> {
    let refuse = |parameter: &'static str, why: &str| -> Result<ExitCode> {
        Err(lifted::Error::Config {
            parameter,
            reason: format!("{why} in eval; drop it"),
        }
        .into())
    };
    if args.matching.pairs_only {
        return refuse("pairs-only", "scoring needs the aligned spans");
    }
    if args.matching.manifest.is_some() {
        return refuse("manifest", "a benchmark's documents have no dates");
    }
    if args.matching.order != Order::None {
        return refuse("order", "links are scored in both directions");
    }
    let params = args.matching.params()?;
    let Benchmark::Pan = args.benchmark;
    let corpus = pan::read(&args.path)?;
    let total: usize = corpus.kinds.iter().map(|k| k.pairs.len()).sum();
    let bar = if !args.matching.quiet && io::stderr().is_terminal() {
        let bar = ProgressBar::new(total as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{prefix:>10} {bar:40} {pos}/{len} pairs {elapsed} {eta}")
        {
            bar.set_style(style);
        }
        bar.set_prefix("evaluating");
        bar
    } else {
        ProgressBar::hidden()
    };
    let scope = if args.corpus {
        Scope::Kind
    } else {
        Scope::Pairs
    };
    let began = Instant::now();
    let evaluation = pan::evaluate(&corpus, &params, scope, &|n| bar.inc(n), cancel)?;
    let seconds = began.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let preset = match args.matching.preset {
        Preset::Fast => "fast",
        Preset::Thorough => "thorough",
    };
    let (ngram, min_words) = (params.options.ngram, params.options.min_words);
    let text = match args.format {
        EvalFormat::Json => {
            let mut value = serde_json::to_value(&evaluation)?;
            value["benchmark"] = "pan".into();
            value["path"] = args.path.display().to_string().into();
            value["seconds"] = seconds.into();
            value["preset"] = preset.into();
            value["ngram"] = ngram.into();
            value["min_words"] = min_words.into();
            format!("{}\n", serde_json::to_string_pretty(&value)?)
        }
        EvalFormat::Text => {
            let setting = format!("--preset {preset} --ngram {ngram} --min-words {min_words}");
            table(
                &evaluation,
                &args.path.display().to_string(),
                &setting,
                seconds,
            )
        }
    };
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(e).context("writing to standard output")?
        }
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// The scores as a Markdown table, with what was run and how long it took.
fn table(evaluation: &Evaluation, path: &str, setting: &str, seconds: f64) -> String {
    let pairs = evaluation.overall.pairs;
    let scope = match evaluation.scope {
        Scope::Pairs => "each pair scanned alone",
        Scope::Kind => "each kind's documents scanned as one corpus",
    };
    let mut out =
        format!("PAN corpus {path}: {pairs} pairs, {scope}, {setting}, {seconds:.1} s\n\n");
    out.push_str("| kind | pairs | cases | detections | candidates | false positives | recall | precision | granularity | plagdet |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let row = |k: &KindScores| {
        let s = &k.scores;
        format!(
            "| {} | {} | {} | {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
            k.name,
            k.pairs,
            s.cases,
            s.detections,
            if k.positive_pairs > 0 {
                format!("{}/{}", k.candidate_pairs, k.positive_pairs)
            } else {
                "-".to_string()
            },
            if k.negative_pairs > 0 {
                format!("{}/{}", k.false_positive_pairs, k.negative_pairs)
            } else {
                "-".to_string()
            },
            s.recall,
            s.precision,
            s.granularity,
            s.plagdet
        )
    };
    for kind in &evaluation.kinds {
        out.push_str(&row(kind));
    }
    out.push_str(&row(&evaluation.overall));
    let o = &evaluation.overall;
    out.push_str(&format!(
        "\ncandidates: positive pairs (with cases) handed to the aligner; {} of {} got a detection.\n",
        o.linked_pairs, o.positive_pairs
    ));
    let share = if o.negative_pairs > 0 {
        100.0 * o.false_positive_pairs as f64 / o.negative_pairs as f64
    } else {
        0.0
    };
    out.push_str(&format!(
        "false positives: {} of {} negative pairs (without cases) got a detection ({share:.1}%).\n",
        o.false_positive_pairs, o.negative_pairs
    ));
    out
}
