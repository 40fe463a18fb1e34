//! `lifted completions SHELL` and `lifted man` (issue 16): the real binary
//! writes a completion script for each shell and a manual page, both made
//! from the same clap definition as `--help`.

mod common;

use std::fs;
use std::process::{Command, Stdio};

use common::Dir;

const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "powershell", "elvish"];

/// Every shell gets a script that completes the subcommands.
#[test]
fn each_shell_gets_a_script_that_knows_the_subcommands() {
    let dir = Dir::new("completions");
    for shell in SHELLS {
        let run = dir.lifted(["completions", shell]);
        run.assert_success();
        let script = run.stdout_str();
        for word in ["scan", "check", "gen", "--manifest"] {
            assert!(script.contains(word), "{shell}: no `{word}` in the script");
        }
        assert!(run.stderr_str().is_empty(), "{shell}: {}", run.stderr_str());
    }
}

/// bash parses the bash script (`bash -n`): a broken script would break the
/// user's shell start-up.
#[test]
fn bash_accepts_the_bash_script() {
    let dir = Dir::new("completions-bash");
    let run = dir.lifted(["completions", "bash"]);
    run.assert_success();
    let script = dir.create("lifted.bash", run.stdout_str());
    let status = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .stdin(Stdio::null())
        .status()
        .expect("bash must be installed (CI has it)");
    assert!(status.success(), "bash -n refused the script: {status}");
    // Sourced, it registers the completion function for `lifted`.
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p lifted", script.display()))
        .output()
        .expect("run bash");
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("_lifted"));
}

/// An unknown shell is a usage error on one line, naming the choices.
#[test]
fn an_unknown_shell_is_refused() {
    let dir = Dir::new("completions-unknown");
    let run = dir.lifted(["completions", "tcsh"]);
    run.assert_error(&["tcsh", "bash", "zsh", "fish"]);
    assert!(run.stdout_str().is_empty());
}

/// `lifted man` writes a roff page of `lifted` to standard output that lists
/// `scan` and the other subcommands.
#[test]
fn man_page_on_standard_output() {
    let dir = Dir::new("man");
    let run = dir.lifted(["man"]);
    run.assert_success();
    let page = run.stdout_str();
    // clap_mangen first defines the apostrophe string (`.ie`/`.el`), then the title.
    let first_macro = page
        .lines()
        .find(|l| !l.starts_with(".ie") && !l.starts_with(".el"))
        .unwrap_or_default();
    assert!(first_macro.starts_with(".TH lifted 1"), "{first_macro}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "no {section}");
    }
    assert!(page.contains("lifted\\-scan(1)"), "scan is not listed");
    assert!(page.contains("Scan documents for lifted passages"));
}

/// `lifted man --output DIR` writes one page per command, `lifted-scan.1`
/// documenting scan's options.
#[test]
fn man_pages_into_a_folder() {
    let dir = Dir::new("man-dir");
    let run = dir.lifted(["man", "--output", "pages"]);
    run.assert_success();
    assert!(run.stdout_str().is_empty());
    let mut names: Vec<String> = fs::read_dir(dir.join("pages"))
        .expect("the folder was created")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "lifted-check.1",
            "lifted-completions.1",
            "lifted-dedup.1",
            "lifted-eval.1",
            "lifted-gen.1",
            "lifted-man.1",
            "lifted-scan.1",
            "lifted-stage.1",
            "lifted-worker.1",
            "lifted.1"
        ]
    );
    let scan = fs::read_to_string(dir.join("pages/lifted-scan.1")).unwrap();
    assert!(scan.contains(".TH lifted-scan 1"), "{}", &scan[..200]);
    for option in ["\\-\\-manifest", "\\-\\-format", "\\-\\-min\\-words"] {
        assert!(scan.contains(option), "no {option} in lifted-scan.1");
    }
}

/// A file where the folder should be is refused with one line, exit 2.
#[test]
fn man_output_that_is_a_file_is_refused() {
    let dir = Dir::new("man-file");
    dir.create("pages", "not a folder");
    let run = dir.lifted(["man", "--output", "pages"]);
    run.assert_error(&["pages"]);
    assert_eq!(
        fs::read_to_string(dir.join("pages")).unwrap(),
        "not a folder"
    );
}
