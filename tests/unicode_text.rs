//! Text that other tools split wrongly, through the real binary: invisible
//! characters inside words (soft hyphens, zero-width spaces and joiners, word
//! joiners, BOMs) do not split them, and Chinese, Japanese and Thai, written
//! without spaces, are cut into one word per character, so that a copied
//! sentence is found. Every linked span must slice the original bytes to the
//! copied passage exactly.

mod common;

use common::Dir;
use unicode_normalization::char::is_combining_mark;

/// A 37-word English passage.
const PASSAGE: &str = "The committee met on Tuesday to review the regional hospital budget, and several members argued that the proposed reductions would leave rural clinics without enough qualified nurses during the coming winter months when demand usually rises sharply";

/// A 77-character Chinese sentence (74 Han characters, 3 commas).
const CHINESE: &str = "今年春天，这座城市的图书馆开始向所有居民免费开放夜间阅览室，馆长表示此举是为了让上班族在下班后也能安静地读书学习，并计划在明年增加更多的儿童读物和外文期刊";

/// A Japanese sentence of kanji, hiragana and katakana (79 characters).
const JAPANESE: &str = "東京の小さな出版社が、地方の書店と協力して、子どもたちのための新しい絵本シリーズを来年の春から全国で販売すると発表しました。同社は売り上げの一部を図書館に寄付";

/// A Thai sentence without spaces (118 characters, 91 without marks).
const THAI: &str =
    "กระทรวงศึกษาธิการประกาศว่าโรงเรียนทุกแห่งในจังหวัดเชียงใหม่จะเปิดห้องสมุดให้นักเรียนใช้ได้ฟรีในช่วงวันหยุดฤดูร้อนปีนี้";

/// One link of a report, as (source doc, start, end, target doc, start, end,
/// words, edits).
#[derive(Debug)]
struct Link {
    source: (String, usize, usize),
    target: (String, usize, usize),
    words: u64,
    edits: u64,
}

/// `lifted scan --format json` over the files `a.txt` and `b.txt` of `dir`.
fn links(dir: &Dir) -> Vec<Link> {
    let run = dir
        .command()
        .args(["scan", "--quiet", "--format", "json", "a.txt", "b.txt"])
        .run();
    run.assert_success();
    let report = run.json();
    let span = |s: &serde_json::Value| {
        (
            s["doc"].as_str().expect("doc").to_string(),
            s["start"].as_u64().expect("start") as usize,
            s["end"].as_u64().expect("end") as usize,
        )
    };
    report["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| Link {
            source: span(&l["source"]),
            target: span(&l["target"]),
            words: l["words"].as_u64().expect("words"),
            edits: l["edits"].as_u64().expect("edits"),
        })
        .collect()
}

/// The text of `doc` in `dir` between two byte offsets.
fn slice(dir: &Dir, (doc, start, end): &(String, usize, usize)) -> String {
    let bytes = std::fs::read(dir.join(doc)).expect("read the document");
    assert!(start <= end && *end <= bytes.len(), "{doc} {start}..{end}");
    String::from_utf8(bytes[*start..*end].to_vec()).expect("a span cut inside a character")
}

/// Write `a.txt` holding `original` and `b.txt` holding `copy`, each between
/// its own unrelated sentences; scan them and check that one link joins them,
/// of `words` words with no edit, whose ends slice to exactly `original` and
/// `copy`.
fn assert_copy_found(
    name: &str,
    (before_a, original, after_a): (&str, &str, &str),
    (before_b, copy, after_b): (&str, &str, &str),
    words: u64,
) {
    let dir = Dir::new(name);
    dir.create("a.txt", format!("{before_a}{original}{after_a}"));
    dir.create("b.txt", format!("{before_b}{copy}{after_b}"));
    let links = links(&dir);
    assert_eq!(links.len(), 1, "{name}: expected one link: {links:#?}");
    let link = &links[0];
    let (a, b) = if link.source.0 == "a.txt" {
        (&link.source, &link.target)
    } else {
        (&link.target, &link.source)
    };
    assert_eq!((a.0.as_str(), b.0.as_str()), ("a.txt", "b.txt"), "{link:?}");
    assert_eq!(slice(&dir, a), original, "{name}: a.txt's span");
    assert_eq!(slice(&dir, b), copy, "{name}: b.txt's span");
    assert_eq!((link.words, link.edits), (words, 0), "{name}: {link:?}");
}

/// `word` with `mark` in its middle when it is longer than 6 characters.
fn marked(word: &str, mark: char) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() <= 6 {
        return word.to_string();
    }
    let (head, tail) = chars.split_at(chars.len() / 2);
    head.iter().chain([&mark]).chain(tail).collect()
}

#[test]
fn soft_hyphens_inside_words_do_not_split_them() {
    // As a hyphenating editor writes it: a soft hyphen in every long word.
    let copy: Vec<String> = PASSAGE.split(' ').map(|w| marked(w, '\u{AD}')).collect();
    let copy = copy.join(" ");
    assert_eq!(copy.matches('\u{AD}').count(), 14);
    assert_copy_found(
        "soft-hyphen",
        (
            "Opening remarks about the weather.\n",
            PASSAGE,
            ".\nClosing line.\n",
        ),
        ("A different preface.\n", &copy, ".\nAnother ending.\n"),
        37,
    );
}

#[test]
fn zero_width_characters_inside_words_do_not_split_them() {
    // Zero-width space, non-joiner, joiner, word joiner and BOM in turn; the
    // copy also starts with a BOM, as files saved by some editors do.
    let marks = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'];
    let copy: Vec<String> = PASSAGE
        .split(' ')
        .enumerate()
        .map(|(i, w)| marked(w, marks[i % marks.len()]))
        .collect();
    let copy = copy.join(" ");
    for mark in marks {
        assert!(copy.contains(mark), "{mark:?}");
    }
    assert_copy_found(
        "zero-width",
        (
            "Opening remarks about the weather.\n",
            PASSAGE,
            ".\nClosing line.\n",
        ),
        (
            "\u{FEFF}A different preface.\n",
            &copy,
            ".\nAnother ending.\n",
        ),
        37,
    );
}

#[test]
fn copied_chinese_sentence_is_found() {
    assert_eq!(CHINESE.chars().count(), 77);
    let han = CHINESE.chars().filter(|c| *c != '，').count() as u64;
    assert_copy_found(
        "chinese",
        (
            "昨天下午，记者在市中心采访了几位读者。",
            CHINESE,
            "。许多市民对此表示欢迎。\n",
        ),
        (
            "据当地报纸报道，",
            CHINESE,
            "。不过也有人担心经费不足的问题。\n",
        ),
        han,
    );
}

#[test]
fn copied_japanese_sentence_is_found() {
    assert_eq!(JAPANESE.chars().count(), 79);
    let words = JAPANESE.chars().filter(|c| !"、。".contains(*c)).count() as u64;
    assert_copy_found(
        "japanese",
        (
            "今日は雨が降っていましたが、",
            JAPANESE,
            "を予定しています。\n",
        ),
        (
            "ニュースによると、",
            JAPANESE,
            "するそうだ。ほかの話題もある。\n",
        ),
        words,
    );
}

#[test]
fn copied_thai_sentence_is_found() {
    assert!(THAI.chars().count() >= 70);
    // A word per letter with its vowel and tone marks.
    let words = THAI.chars().filter(|c| !is_combining_mark(*c)).count() as u64;
    assert_copy_found(
        "thai",
        ("ข่าวเช้าวันนี้ ", THAI, " ผู้ปกครองหลายคนพอใจ\n"),
        (
            "รายงานจากหนังสือพิมพ์ท้องถิ่น ",
            THAI,
            " แต่บางคนกังวลเรื่องงบประมาณ\n",
        ),
        words,
    );
}

#[test]
fn a_short_shared_chinese_phrase_is_not_a_copy() {
    // Seven characters in common (中华人民共和国), under --min-words 8: the
    // character words must not link unrelated texts through a common name.
    let dir = Dir::new("chinese-short");
    dir.create(
        "a.txt",
        "中华人民共和国教育部今天发布通知，要求各地学校加强学生体育锻炼，每天保证一小时的户外活动时间。\n",
    );
    dir.create(
        "b.txt",
        "中华人民共和国成立以来，这条铁路经过多次改造，现在已经成为连接东西部地区的重要交通干线。\n",
    );
    let links = links(&dir);
    assert!(links.is_empty(), "{links:#?}");
}
