//! Safety of reading inputs (issue 13, items 8, 11, 14, 15, 16 and 20, and the
//! reading messages): every case runs the real binary.

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{Dir, Run};

/// A passage long enough to be found (more than `--min-words` 8).
const PASSAGE: &str = "the origins of the forum go back to 2007 on a message board where its founder first posted under another name";

/// A document holding `PASSAGE` between lines of its own.
fn document(name: &str) -> String {
    format!("Opening of {name} here.\n{PASSAGE}.\nClosing of {name} there.\n")
}

/// `lifted scan --quiet --format json <args>`.
fn scan(dir: &Dir, args: &[&str]) -> Run {
    dir.command()
        .args(["scan", "--quiet", "--format", "json"])
        .args(args)
        .run()
}

/// The document ids of a JSON report.
fn ids(run: &Run) -> Vec<String> {
    run.json()["documents"]
        .as_array()
        .unwrap_or_else(|| panic!("no documents:\n{run}"))
        .iter()
        .map(|d| d["id"].as_str().expect("id").to_string())
        .collect()
}

/// No link or pair of the report joins a document to itself.
fn assert_nothing_lifted_from_itself(run: &Run) {
    let report = run.json();
    for link in report["links"].as_array().expect("links") {
        assert_ne!(link["source"]["doc"], link["target"]["doc"], "{run}");
    }
    for pair in report["pairs"].as_array().expect("pairs") {
        assert_ne!(pair["a"]["doc"], pair["b"]["doc"], "{run}");
    }
}

// ---------------------------------------------------------- item 8: read once

#[test]
fn a_file_named_twice_is_read_once() {
    let dir = Dir::new("named-twice");
    dir.create("c/a.txt", document("a"));
    dir.create("c/b.txt", document("b"));
    // The folder and a file in it.
    let run = scan(&dir, &["c", "c/a.txt"]);
    run.assert_success();
    assert_eq!(ids(&run), ["a.txt", "b.txt"], "{run}");
    run.warning_with(&["c/a.txt: already read in folder c; skipped"]);
    assert_nothing_lifted_from_itself(&run);
    let run = scan(&dir, &["c/a.txt", "c", "c/a.txt"]);
    run.assert_success();
    assert_eq!(ids(&run), ["b.txt", "c/a.txt"], "{run}");
    run.warning_with(&["c/a.txt: already read (named on the command line); skipped"]);
    run.warning_with(&["c/a.txt: file named twice; read once"]);
    // One file under two spellings: the warning names both.
    let run = scan(&dir, &["c/a.txt", "./c/a.txt", "c/b.txt"]);
    run.assert_success();
    assert_eq!(ids(&run), ["c/a.txt", "c/b.txt"], "{run}");
    run.warning_with(&["./c/a.txt: same file as c/a.txt, already read; skipped"]);
    assert_nothing_lifted_from_itself(&run);
    assert!(!run.stderr_str().contains("rename one file"), "{run}");
    // Standard input named twice is read once too.
    let run = dir
        .command()
        .args(["scan", "--quiet", "--format", "json", "-", "c/b.txt", "-"])
        .stdin(document("stdin"))
        .run();
    run.assert_success();
    assert_eq!(ids(&run), ["-", "c/b.txt"], "{run}");
    run.warning_with(&["-: standard input named twice; read once"]);
}

#[cfg(unix)]
#[test]
fn a_link_or_hard_link_inside_the_folder_is_read_once() {
    let dir = Dir::new("alias");
    dir.create("c/a.txt", document("a"));
    dir.create("c/b.txt", document("b"));
    std::os::unix::fs::symlink("a.txt", dir.join("c/z-alias.txt")).unwrap();
    fs::hard_link(dir.join("c/b.txt"), dir.join("c/y-hard.txt")).unwrap();
    let run = scan(&dir, &["c"]);
    run.assert_success();
    assert_eq!(ids(&run), ["a.txt", "b.txt"], "{run}");
    run.warning_with(&["c/z-alias.txt: same file as c/a.txt"]);
    run.warning_with(&["c/y-hard.txt: same file as c/b.txt"]);
    assert_nothing_lifted_from_itself(&run);
}

#[test]
fn a_folder_named_twice_is_read_once() {
    let dir = Dir::new("folder-twice");
    dir.create("c/a.txt", document("a"));
    dir.create("c/sub/b.txt", document("b"));
    let run = scan(&dir, &["c", "c"]);
    run.assert_success();
    assert_eq!(ids(&run), ["a.txt", "sub/b.txt"], "{run}");
    run.warning_with(&["c: folder named twice; read once"]);
    assert!(!run.stderr_str().contains("symlink loop"), "{run}");
    let run = scan(&dir, &["c", "c/sub"]);
    run.assert_success();
    assert_eq!(ids(&run), ["a.txt", "sub/b.txt"], "{run}");
    run.warning_with(&["c/sub: already read in folder c; skipped"]);
    let run = scan(&dir, &["c/sub", "c", "./c/sub/b.txt"]);
    run.assert_success();
    assert_eq!(ids(&run), ["a.txt", "b.txt"], "{run}");
    run.warning_with(&["c/sub: already read (named on the command line); skipped"]);
    run.warning_with(&["./c/sub/b.txt: same file as c/sub/b.txt, already read; skipped"]);
}

// ------------------------------------------------ item 11: names not UTF-8

#[cfg(target_os = "linux")]
#[test]
fn names_that_differ_only_in_bytes_not_utf8_get_their_own_ids() {
    use std::os::unix::ffi::OsStrExt;
    let dir = Dir::new("latin1-names");
    let name = |bytes: &[u8]| PathBuf::from(std::ffi::OsStr::from_bytes(bytes));
    fs::create_dir(dir.join("c")).unwrap();
    fs::write(dir.join("c").join(name(b"caf\xe9.txt")), document("one")).unwrap();
    fs::write(dir.join("c").join(name(b"caf\xe8.txt")), document("two")).unwrap();
    fs::write(dir.join("c").join(name(b"a\\b\xff.txt")), document("three")).unwrap();
    let run = scan(&dir, &["c"]);
    run.assert_success();
    assert_eq!(
        ids(&run),
        ["a\\\\b\\xFF.txt", "caf\\xE8.txt", "caf\\xE9.txt"],
        "{run}"
    );
    // A file named directly keeps its exact path: it can be read by it.
    let run = dir
        .command()
        .args(["scan", "--quiet", "--format", "json", "c/a.txt"])
        .arg(dir.join("c").join(name(b"caf\xe9.txt")))
        .run();
    run.assert_error(&["c/a.txt: no such file"]);
    let run = dir
        .command()
        .args(["scan", "--quiet", "--format", "json"])
        .arg(Path::new("c").join(name(b"caf\xe9.txt")))
        .arg(Path::new("c").join(name(b"caf\xe8.txt")))
        .run();
    run.assert_success();
    assert_eq!(ids(&run), ["c/caf\\xE8.txt", "c/caf\\xE9.txt"], "{run}");
    assert_eq!(run.json()["links"].as_array().unwrap().len(), 1, "{run}");
}

// --------------------------------------------- item 14: links out of a folder

#[cfg(unix)]
#[test]
fn links_out_of_the_folder_are_not_followed_without_follow() {
    let dir = Dir::new("outside-link");
    dir.create(
        "secret/id_rsa",
        "-----BEGIN OPENSSH PRIVATE KEY----- very secret key material here and more words",
    );
    dir.create("secret/notes/n.txt", document("notes"));
    dir.create("corpus/a.txt", document("a"));
    dir.create("corpus/b.txt", document("b"));
    std::os::unix::fs::symlink("../secret/id_rsa", dir.join("corpus/x.txt")).unwrap();
    std::os::unix::fs::symlink("../secret/notes", dir.join("corpus/notes")).unwrap();
    let run = scan(&dir, &["corpus"]);
    run.assert_success();
    assert_eq!(ids(&run), ["a.txt", "b.txt"], "{run}");
    run.warning_with(&[
        "corpus/x.txt",
        "outside the folder, not followed",
        "--follow",
    ]);
    run.warning_with(&["corpus/notes", "outside the folder, not followed"]);
    assert!(!run.stdout_str().contains("secret key material"), "{run}");
    let followed = scan(&dir, &["corpus", "--follow"]);
    followed.assert_success();
    assert_eq!(
        ids(&followed),
        ["a.txt", "b.txt", "notes/n.txt", "x.txt"],
        "{followed}"
    );
    // Named directly, a link is the user's choice and is read.
    let named = scan(&dir, &["corpus/a.txt", "corpus/notes"]);
    named.assert_success();
    assert_eq!(ids(&named), ["corpus/a.txt", "n.txt"], "{named}");
    let help = dir.lifted(["scan", "--help"]);
    help.assert_success();
    assert!(help.stdout_str().contains("--follow"), "{help}");
}

// ------------------------------------------------------ item 15: deep folders

/// Make `levels` nested folders `top/d/d/.../d`, deeper than a path may be
/// long, with `doc.txt` holding the text given at the levels given (1: the
/// first `d`). Built from the bottom up, each level a folder made at a short
/// path and the tree so far moved into it: every call resolves a short path,
/// where building at the full depth resolves thousands of names a call.
fn nest(dir: &Dir, top: &str, levels: usize, files: &[(usize, String)]) {
    let mut tree: Option<PathBuf> = None;
    for level in (1..=levels).rev() {
        let folder = dir.create_dir(format!("level-{level}"));
        for (_, text) in files.iter().filter(|(at, _)| *at == level) {
            fs::write(folder.join("doc.txt"), text).unwrap();
        }
        if let Some(below) = tree {
            fs::rename(below, folder.join("d")).unwrap();
        }
        tree = Some(folder);
    }
    let top = dir.create_dir(top);
    fs::rename(tree.expect("at least one level"), top.join("d")).unwrap();
}

#[test]
fn three_thousand_nested_folders_are_walked_fast() {
    let dir = Dir::new("deep");
    // Levels 1 and 1,500 are readable; level 3,000 is deeper than a path may be.
    nest(
        &dir,
        "deep",
        3000,
        &[
            (1, document("top")),
            (1500, document("middle")),
            (3000, document("bottom")),
        ],
    );
    let started = Instant::now();
    let run = dir
        .command()
        .args(["scan", "--quiet", "--format", "json", "deep"])
        .timeout(Duration::from_secs(60))
        .run();
    let elapsed = started.elapsed();
    run.assert_success();
    // Sorted by id: `/` sorts before `o`.
    let expected = [
        format!("{}doc.txt", "d/".repeat(1500)),
        "d/doc.txt".to_string(),
    ];
    assert_eq!(ids(&run), expected, "{run}");
    run.warning_with(&["path longer than the system allows", "skipped"]);
    assert!(
        elapsed < Duration::from_secs(10),
        "took {elapsed:?}:\n{run}"
    );
}

// ------------------------------------------------------- item 16: limits

/// A gzip file of `members` members, each 1 MiB of `a` without a newline: a
/// line of `members` MiB, about 1 KiB on disk per member.
fn gzip_bomb(members: usize) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![b'a'; 1 << 20]).unwrap();
    let member = encoder.finish().unwrap();
    member.repeat(members)
}

#[test]
fn a_gzip_bomb_line_is_refused_at_the_limit() {
    let dir = Dir::new("bomb");
    let bomb = gzip_bomb(16);
    assert!(bomb.len() < 64 << 10, "{} bytes on disk", bomb.len());
    dir.create("bomb.jsonl.gz", &bomb);
    let run = scan(&dir, &["bomb.jsonl.gz", "--max-line-bytes", "4M"]);
    run.assert_error(&[
        "bomb.jsonl.gz:1: line longer than the 4 MiB limit",
        "--max-line-bytes",
    ]);
    // Skipped as a bad line, the lines after it are read.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for id in ["a", "b"] {
        let line = serde_json::json!({"id": id, "text": document(id)});
        writeln!(encoder, "{line}").unwrap();
    }
    let mut newline = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    newline.write_all(b"\n").unwrap();
    let mut file = bomb.clone();
    file.extend(newline.finish().unwrap());
    file.extend(encoder.finish().unwrap());
    dir.create("mixed.jsonl.gz", &file);
    let run = scan(
        &dir,
        &[
            "mixed.jsonl.gz",
            "--max-line-bytes",
            "4M",
            "--skip-bad-lines",
        ],
    );
    run.assert_success();
    assert_eq!(ids(&run), ["a", "b"], "{run}");
    run.warning_with(&[
        "mixed.jsonl.gz:1: 1 malformed line(s) skipped",
        "longer than the 4 MiB limit",
    ]);
}

#[test]
fn a_gzip_bomb_line_stops_at_the_default_limit() {
    let dir = Dir::new("bomb-default");
    // 600 MiB in one line, 600 KiB on disk.
    dir.create("bomb.jsonl.gz", gzip_bomb(600));
    let run = dir
        .command()
        .args(["scan", "--quiet", "bomb.jsonl.gz"])
        .timeout(Duration::from_secs(100))
        .run();
    run.assert_error(&["bomb.jsonl.gz:1: line longer than the 512 MiB limit"]);
}

#[test]
fn a_file_over_the_limit_is_refused_before_reading() {
    let dir = Dir::new("sparse");
    dir.create("c/a.txt", document("a"));
    dir.create("c/b.txt", document("b"));
    // 5 GiB on paper, nothing on disk: reading it would take seconds and memory.
    let huge = fs::File::create(dir.join("c/huge.txt")).unwrap();
    huge.set_len(5 << 30).unwrap();
    let started = Instant::now();
    let run = scan(&dir, &["c/huge.txt", "c/a.txt"]);
    run.assert_error(&[
        "c/huge.txt: 5 GiB is larger than the 256 MiB limit for one document",
        "--max-doc-bytes",
    ]);
    // Inside a folder: skipped with a warning, the rest is read.
    let run = scan(&dir, &["c"]);
    run.assert_success();
    assert_eq!(ids(&run), ["a.txt", "b.txt"], "{run}");
    run.warning_with(&[
        "c/huge.txt: 5 GiB is larger than the 256 MiB limit",
        "skipped",
    ]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // The limit moves with the flag; --strict refuses the file.
    dir.create("d/a.txt", document("a"));
    dir.create("d/long.txt", document("long").repeat(20));
    let run = scan(&dir, &["d", "--max-doc-bytes", "1K"]);
    run.assert_success();
    run.warning_with(&["d/long.txt", "larger than the 1 KiB limit"]);
    scan(&dir, &["d", "--max-doc-bytes", "1K", "--strict"]).assert_error(&[
        "d/long.txt",
        "1 KiB limit",
        "--strict",
    ]);
    let run = scan(&dir, &["d", "--max-doc-bytes", "64K"]);
    run.assert_success();
    assert_eq!(ids(&run), ["a.txt", "long.txt"], "{run}");
    let run = scan(&dir, &["d", "--max-doc-bytes", "5G"]);
    run.assert_code(2);
    assert!(run.stderr_str().contains("32-bit"), "{run}");
    // Standard input and JSONL texts have the same limit.
    let run = dir
        .command()
        .args(["scan", "--quiet", "--max-doc-bytes", "1K", "-"])
        .stdin(document("long").repeat(20))
        .run();
    run.assert_error(&["-: input larger than the 1 KiB limit"]);
    common::write_jsonl(
        &dir.join("big.jsonl"),
        [
            ("a".to_string(), document("a")),
            ("b".to_string(), document("b").repeat(20)),
        ],
    );
    scan(&dir, &["big.jsonl", "--max-doc-bytes", "1K"])
        .assert_error(&["big.jsonl:2: text of", "1 KiB limit"]);
}

// ------------------------------------------------ item 20: high-entropy binaries

/// Bytes from a fixed generator: a stand-in for encrypted or random data.
fn noise(len: usize) -> Vec<u8> {
    let mut lcg = common::Lcg(7);
    (0..len).map(|_| (lcg.next() >> 56) as u8).collect()
}

#[test]
fn compressed_encrypted_and_random_files_are_skipped() {
    let dir = Dir::new("entropy");
    dir.create("c/a.txt", document("a"));
    dir.create("c/b.txt", document("b"));
    let mut xz = b"\xfd7zXZ\x00\x00\x04".to_vec();
    xz.extend(noise(2000));
    dir.create("c/archive.txt", xz);
    let mut zstd = b"\x28\xb5\x2f\xfd".to_vec();
    zstd.extend(noise(2000));
    dir.create("c/frame.txt", zstd);
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    zlib.write_all(PASSAGE.repeat(50).as_bytes()).unwrap();
    dir.create("c/packed.txt", zlib.finish().unwrap());
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(PASSAGE.as_bytes()).unwrap();
    dir.create("c/page.txt", gzip.finish().unwrap());
    dir.create("c/random.txt", noise(5000));
    // A Latin-1 text is still read (with a warning about its bytes).
    dir.create(
        "c/latin1.txt",
        b"Caf\xe9 cr\xe8me et th\xe9 \xe0 la fran\xe7aise pour tous.\n".repeat(20),
    );
    let run = scan(&dir, &["c"]);
    run.assert_success();
    assert_eq!(ids(&run), ["a.txt", "b.txt", "latin1.txt"], "{run}");
    run.warning_with(&["c/archive.txt", "xz-compressed, skipped"]);
    run.warning_with(&["c/frame.txt", "zstd-compressed, skipped"]);
    run.warning_with(&["c/packed.txt", "zlib-compressed, skipped"]);
    run.warning_with(&["c/page.txt", "gzip-compressed, skipped"]);
    run.warning_with(&["c/random.txt", "control bytes", "skipped"]);
    run.warning_with(&["c/latin1.txt", "invalid UTF-8"]);
    // Named directly, or with --strict: refused.
    scan(&dir, &["c/a.txt", "c/random.txt"]).assert_error(&["c/random.txt", "binary file"]);
    scan(&dir, &["c", "--strict"]).assert_error(&["--strict"]);
    // A JSONL file that is compressed without the .gz name is refused as such.
    let mut xz_jsonl = b"\xfd7zXZ\x00\x00\x04".to_vec();
    xz_jsonl.extend(noise(2000));
    dir.create("corpus.jsonl", xz_jsonl);
    scan(&dir, &["corpus.jsonl"]).assert_error(&["corpus.jsonl: xz-compressed", "decompress it"]);
    // zstd JSONL named in upper case: the message names the name lifted reads
    // (it said "decompress it first", though lifted reads .jsonl.zst).
    dir.create(
        "CORPUS.JSONL.ZST",
        zstd::encode_all(&b"{}\n"[..], 3).unwrap(),
    );
    scan(&dir, &["CORPUS.JSONL.ZST"]).assert_error(&["zstd-compressed", "name it .jsonl.zst"]);
}

// -------------------------------------------------------- .liftedignore

#[test]
fn liftedignore_takes_gitignore_patterns() {
    let dir = Dir::new("ignore");
    dir.create(
        "c/.liftedignore",
        "# not documents\nmanifest.csv\n*.md\ndrafts/\n**/*.tmp\n!keep.md\n/top-only.txt\n",
    );
    for name in [
        "a.txt",
        "keep.md",
        "sub/b.txt",
        "sub/top-only.txt",
        "top-only.txt",
        "manifest.csv",
        "notes.md",
        "sub/deeper/x.tmp",
        "drafts/draft.txt",
        "sub/drafts/draft.txt",
    ] {
        dir.create(Path::new("c").join(name), document(name));
    }
    // A deeper file wins over its parents.
    dir.create("c/sub/.liftedignore", "!/x.tmp\n");
    dir.create("c/sub/x.tmp", document("x"));
    let run = scan(&dir, &["c"]);
    run.assert_success();
    assert_eq!(
        ids(&run),
        [
            "a.txt",
            "keep.md",
            "sub/b.txt",
            "sub/top-only.txt",
            "sub/x.tmp"
        ],
        "{run}"
    );
}

#[test]
fn liftedignore_that_is_not_utf8_names_line_and_column() {
    let dir = Dir::new("ignore-latin1");
    dir.create("c/a.txt", document("a"));
    dir.create("c/.liftedignore", b"a.txt\nr\xe9sum\xe9.txt\n");
    let line = scan(&dir, &["c"]).assert_error(&[
        "c/.liftedignore:2: not UTF-8 (byte 0xE9 at column 2); save the file as UTF-8",
    ]);
    assert!(!line.contains("corrupt"), "{line}");
    dir.create("c/.liftedignore", b"a{b\n");
    scan(&dir, &["c"]).assert_error(&["c/.liftedignore:1: bad pattern \"a{b\"", "unclosed"]);
}
