//! Property test (issue 13 item 17): extreme values given to the numeric
//! flags of `scan`, `check` and `gen` end in exit 0 (accepted) or 2 (one
//! error line), never a panic, a signal or a hang. Each case runs the real
//! binary on a tiny corpus; the case count is bounded so that the test takes
//! seconds.

mod common;

use std::time::Duration;

use common::Dir;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Values at the edges of every numeric type a flag can have.
const VALUES: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "0.5",
    "-1",
    "-0",
    "1.5",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "1e308",
    "1e309",
    "5e-324",
    "",
    "x",
];

/// The numeric flags of `scan` (and of `check`, which shares them).
const SCAN_FLAGS: &[&str] = &[
    "--ngram",
    "--permutations",
    "--threshold",
    "--bands",
    "--rows",
    "--window",
    "--min-words",
    "--max-gap",
    "--max-bucket",
    "--max-docs-frac",
    "--threads",
];

/// Two short documents sharing a passage, and a golden map of them.
fn corpus() -> Dir {
    let dir = Dir::new("flag-props");
    let passage = "the origins of the forum go back to 2007 on a message board where its founder first posted";
    dir.create(
        "a.txt",
        format!("An opening line.\n{passage}.\nA closing line.\n"),
    );
    dir.create(
        "b.txt",
        format!("Other words first.\n{passage}.\nThe end here.\n"),
    );
    dir.command()
        .args([
            "scan",
            "--quiet",
            "--format",
            "json",
            "a.txt",
            "b.txt",
            "--output",
            "golden.json",
        ])
        .run()
        .assert_success();
    dir
}

/// One to three `--flag=value` arguments.
fn flags(names: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(
        (
            proptest::sample::select(names),
            proptest::sample::select(VALUES),
        ),
        1..=3,
    )
    .prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(flag, value)| format!("{flag}={value}"))
            .collect()
    })
}

/// Run `lifted <args>` and check the exit code is one of `allowed` (the
/// helper fails the test on a panic, a signal or the timeout), and that a
/// refusal says why. (The length of clap's own usage errors is another
/// item of issue 13; ours are checked in the test below.)
fn run(dir: &Dir, args: &[String], allowed: &[i32]) -> Result<(), TestCaseError> {
    let run = dir
        .command()
        .args(args)
        .timeout(Duration::from_secs(60))
        .run();
    let code = run.code().unwrap_or(-1);
    prop_assert!(allowed.contains(&code), "exit {code}:\n{run}");
    if code == 2 {
        prop_assert!(
            run.stderr_str().starts_with("lifted: ") || run.stderr_str().starts_with("error: "),
            "a message:\n{}",
            run
        );
    }
    Ok(())
}

/// The most dangerous values: each flag of scan gets each of them, alone.
const EXTREMES: &[&str] = &[
    "0",
    "1",
    "-1",
    "4294967296",
    "9223372036854775808",
    "18446744073709551615",
    "NaN",
    "inf",
    "1e309",
];

#[test]
fn every_flag_at_every_extreme() {
    let dir = corpus();
    for flag in SCAN_FLAGS {
        for value in EXTREMES {
            let args: Vec<String> = [
                "scan",
                "--quiet",
                "--format",
                "json",
                "a.txt",
                "b.txt",
                &format!("{flag}={value}"),
            ]
            .map(String::from)
            .to_vec();
            run(&dir, &args, &[0, 2]).unwrap();
        }
    }
    // The pair that overflowed in lsh.rs.
    let args = [
        "scan",
        "--quiet",
        "a.txt",
        "b.txt",
        "--bands=9223372036854775808",
        "--rows=2",
    ];
    run(&dir, &args.map(String::from), &[2]).unwrap();
}

#[test]
fn extreme_numbers_together_never_panic_or_hang() {
    let dir = corpus();
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&flags(SCAN_FLAGS), |extra| {
            let mut args: Vec<String> = ["scan", "--quiet", "--format", "json", "a.txt", "b.txt"]
                .map(String::from)
                .to_vec();
            args.extend(extra);
            run(&dir, &args, &[0, 2])
        })
        .unwrap();
    // `check` also compares: 1 (a regression) is a fine answer when the
    // flags change what is found.
    const CHECK_FLAGS: &[&str] = &["--tolerance", "--min-words", "--threshold", "--threads"];
    let mut runner = TestRunner::new(Config {
        cases: 12,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&flags(CHECK_FLAGS), |extra| {
            let mut args: Vec<String> = ["check", "--quiet", "--expected", "golden.json"]
                .map(String::from)
                .to_vec();
            args.extend(extra);
            args.extend(["a.txt".to_string(), "b.txt".to_string()]);
            run(&dir, &args, &[0, 1, 2])
        })
        .unwrap();
    // `gen` with at most 1 MB (a larger corpus is not cheap to write here).
    const GEN_FLAGS: &[&str] = &["--seed", "--copy-rate"];
    let mut runner = TestRunner::new(Config {
        cases: 8,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &(flags(GEN_FLAGS), proptest::sample::select(&["0", "1"][..])),
            |(extra, size)| {
                let mut args: Vec<String> = ["gen", "--out", "generated", "--size-mb", size]
                    .map(String::from)
                    .to_vec();
                args.extend(extra);
                run(&dir, &args, &[0, 2])
            },
        )
        .unwrap();
}

/// The cases of issue 13, each refused on one line naming the flag and the
/// allowed range.
#[test]
fn out_of_range_numbers_are_refused_with_the_range() {
    let dir = corpus();
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["--threads", "100000"],
            &["--threads", "100000", "0..=", "per core"],
        ),
        (
            &["--permutations", "100000000"],
            &["--permutations", "1..=1024"],
        ),
        (
            &["--bands", "9223372036854775808", "--rows", "2"],
            &["--bands", "1..=128"],
        ),
        (&["--window", "4294967296"], &["--window", "1..=100000"]),
        (&["--min-words", "0"], &["--min-words", "1..=100000"]),
        (
            &["--max-gap", "18446744073709551615"],
            &["--max-gap", "0..=100000"],
        ),
        (&["--max-bucket", "1"], &["--max-bucket", "2..=10000"]),
        (&["--rows", "129"], &["--rows", "1..=128"]),
        (&["--threshold", "NaN"], &["--threshold", "(0, 1]"]),
        (&["--threshold", "inf"], &["--threshold", "(0, 1]"]),
        (&["--max-docs-frac", "NaN"], &["--max-docs-frac", "(0, 1]"]),
    ];
    for (flags, parts) in cases {
        dir.command()
            .args(["scan", "--quiet", "a.txt", "b.txt"])
            .args(*flags)
            .run()
            .assert_error(parts);
    }
    // The largest allowed values still scan.
    dir.command()
        .args(["scan", "--quiet", "--format", "json", "a.txt", "b.txt"])
        .args(["--permutations", "1024", "--bands", "1024", "--rows", "1"])
        .args([
            "--window",
            "100000",
            "--max-gap",
            "100000",
            "--max-bucket",
            "10000",
        ])
        .run()
        .assert_success();
}
