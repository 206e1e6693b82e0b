//! Output plumbing (SPEC 9.2, issue 14 items 1, 8, 12, 13): `-o PATH`
//! replaces a regular file atomically and writes devices, FIFOs and sockets
//! through; it never names an input; a closed pipe or a full disk on
//! standard output is an error, not a panic; an interrupted run leaves no
//! temporary file.
//!
//! Tests named `device_*` write to the real `/dev/full`, `/dev/null` and
//! `/dev/stdout`. Never run them against a build from before `Destination`
//! as root: that build renamed a file over the device node. Every other test
//! works on files, links, FIFOs and sockets in a temporary directory.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{symlink, FileTypeExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ringcx_reports::write::{check_not_input, Destination};
use ringcx_reports::Error;

use crate::util::{code, fixture, rcx, rcx_command, stderr, stdout};

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).expect("metadata").permissions().mode() & 0o7777
}

fn run(args: &[&str]) -> Output {
    rcx(args)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// What `rcx gen` prints for `rows` queue rows: the reference an `-o` file
/// is compared with.
fn gen_stdout(rows: &str) -> Vec<u8> {
    let o = run(&["gen", "--report", "queue", "--rows", rows]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    o.stdout
}

fn gen_to(path: &Path, rows: &str) -> Output {
    run(&[
        "gen",
        "--report",
        "queue",
        "--rows",
        rows,
        "-q",
        "-o",
        s(path),
    ])
}

/// A pipe whose reading end is already closed: a write to it fails with
/// EPIPE, whatever the timing.
fn closed_pipe() -> Stdio {
    let mut reader = Command::new("true")
        .stdin(Stdio::piped())
        .spawn()
        .expect("run true");
    let w = reader.stdin.take().expect("pipe");
    reader.wait().expect("wait for true");
    Stdio::from(w)
}

/// `rcx args` with standard output set to `out`.
fn rcx_with_stdout(args: &[&str], out: impl Into<Stdio>) -> Output {
    rcx_command(args)
        .stdout(out)
        .stderr(Stdio::piped())
        .output()
        .expect("run rcx")
}

fn dev_full() -> fs::File {
    fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full")
}

// ---------------------------------------------------------------------------
// The library type

#[test]
fn destination_replaces_a_file_only_on_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    fs::write(&path, "old\n").unwrap();
    let mut out = Destination::create(&path).unwrap();
    out.write_all(b"new\n").unwrap();
    out.flush().unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "old\n");
    assert_eq!(
        names(dir.path()).len(),
        2,
        "the temporary is beside the file"
    );
    out.commit().unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
    assert_eq!(names(dir.path()), ["out.csv"]);
}

#[test]
fn destination_dropped_unfinished_leaves_the_old_file_and_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    fs::write(&path, "old\n").unwrap();
    let mut out = Destination::create(&path).unwrap();
    out.write_all(&vec![b'x'; 200_000]).unwrap();
    drop(out);
    assert_eq!(fs::read_to_string(&path).unwrap(), "old\n");
    assert_eq!(names(dir.path()), ["out.csv"]);
}

#[test]
fn destination_new_file_gets_the_mode_file_create_gives() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference");
    fs::File::create(&reference).unwrap();
    let path = dir.path().join("new.csv");
    let mut out = Destination::create(&path).unwrap();
    out.write_all(b"a\n").unwrap();
    out.commit().unwrap();
    assert_eq!(mode(&path), mode(&reference));
}

#[test]
fn destination_keeps_an_existing_files_permissions() {
    let dir = tempfile::tempdir().unwrap();
    for m in [0o444, 0o640, 0o755] {
        let path = dir.path().join(format!("f{m:o}"));
        fs::write(&path, "old\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(m)).unwrap();
        let mut out = Destination::create(&path).unwrap();
        out.write_all(b"new\n").unwrap();
        out.commit().unwrap();
        assert_eq!(mode(&path), m, "mode {m:o}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
    }
}

#[test]
fn destination_follows_symlinks_and_creates_a_dangling_links_target() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.csv");
    fs::write(&real, "old\n").unwrap();
    let link = dir.path().join("link.csv");
    symlink("real.csv", &link).unwrap();
    let mut out = Destination::create(&link).unwrap();
    out.write_all(b"new\n").unwrap();
    out.commit().unwrap();
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_to_string(&real).unwrap(), "new\n");

    fs::create_dir(dir.path().join("sub")).unwrap();
    let dangling = dir.path().join("dangling");
    symlink("sub/target.csv", &dangling).unwrap();
    let mut out = Destination::create(&dangling).unwrap();
    out.write_all(b"made\n").unwrap();
    out.commit().unwrap();
    assert!(fs::symlink_metadata(&dangling)
        .unwrap()
        .file_type()
        .is_symlink());
    let made = dir.path().join("sub").join("target.csv");
    assert_eq!(fs::read_to_string(made).unwrap(), "made\n");
    assert_eq!(names(&dir.path().join("sub")), ["target.csv"]);
}

#[test]
fn destination_errors_name_the_users_path() {
    let dir = tempfile::tempdir().unwrap();
    // Creating: no such directory.
    let missing = dir.path().join("nodir").join("out.csv");
    let e = Destination::create(&missing).unwrap_err();
    assert!(e.is_io());
    assert!(
        e.to_string()
            .starts_with(&format!("{}: ", missing.display())),
        "{e}"
    );
    // A directory is not a file to replace.
    let e = Destination::create(dir.path()).unwrap_err();
    assert!(e.to_string().contains("is a directory"), "{e}");

    // Writing: a full device behind a link; a writer that calls the output
    // `<output>` still gets the link's name.
    let full = dir.path().join("full");
    symlink("/dev/full", &full).unwrap();
    let mut out = Destination::create(&full).unwrap();
    let io = out.write_all(&vec![b'x'; 1 << 20]).unwrap_err();
    assert_eq!(io.kind(), std::io::ErrorKind::StorageFull);
    let e = Error::io("<output>", io);
    assert_eq!(
        e.to_string(),
        format!("{}: No space left on device (os error 28)", full.display())
    );
    assert!(fs::metadata("/dev/full")
        .unwrap()
        .file_type()
        .is_char_device());
}

#[test]
fn destination_commit_error_names_the_path_and_removes_the_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out");
    let mut out = Destination::create(&path).unwrap();
    out.write_all(b"new\n").unwrap();
    // Something else puts a non-empty directory there before the rename.
    fs::create_dir(&path).unwrap();
    fs::write(path.join("keep"), "kept\n").unwrap();
    let e = out.commit().unwrap_err();
    assert!(e.is_io());
    assert_eq!(
        e.to_string(),
        format!("{}: Is a directory (os error 21)", path.display())
    );
    assert_eq!(names(dir.path()), ["out"]);
    assert_eq!(fs::read_to_string(path.join("keep")).unwrap(), "kept\n");
}

#[test]
fn destination_writes_through_a_fifo_and_a_socket() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(fifo).unwrap())
    };
    let mut out = Destination::create(&fifo).unwrap();
    out.write_all(b"through\n").unwrap();
    out.commit().unwrap();
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(reader.join().unwrap(), b"through\n");

    let sock = dir.path().join("sock");
    let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let reader = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut v = Vec::new();
        s.read_to_end(&mut v).unwrap();
        v
    });
    let mut out = Destination::create(&sock).unwrap();
    out.write_all(b"socket\n").unwrap();
    out.commit().unwrap();
    assert!(fs::metadata(&sock).unwrap().file_type().is_socket());
    assert_eq!(reader.join().unwrap(), b"socket\n");
}

#[test]
fn check_not_input_compares_files_not_names() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    fs::write(&input, "x\n").unwrap();
    let link = dir.path().join("link.csv");
    symlink("in.csv", &link).unwrap();
    let hard = dir.path().join("hard.csv");
    fs::hard_link(&input, &hard).unwrap();
    let copy = dir.path().join("copy.csv");
    fs::write(&copy, "x\n").unwrap();
    let dotted = dir.path().join(".").join("in.csv");
    for out in [&input, &dotted, &link, &hard] {
        let e = check_not_input(out, [&copy, &input]).unwrap_err();
        assert!(e.is_usage(), "{e}");
        assert!(e.to_string().contains(s(&input)), "{e}");
    }
    // The other way round: the input is the link.
    assert!(check_not_input(&input, [&link]).is_err());
    assert!(check_not_input(&copy, [&input, &link, &hard]).is_ok());
    assert!(check_not_input(&dir.path().join("new.csv"), [&input]).is_ok());
    // A device both read and written is not a file to destroy.
    assert!(check_not_input(Path::new("/dev/null"), ["/dev/null"]).is_ok());
}

fn mkfifo(p: &Path) {
    let st = Command::new("mkfifo").arg(p).status().expect("run mkfifo");
    assert!(st.success());
}

// ---------------------------------------------------------------------------
// `-o` through the CLI (item 1)

#[test]
fn o_keeps_a_read_only_files_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ro.csv");
    fs::write(&path, "old\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    let o = gen_to(&path, "5");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(mode(&path), 0o444);
    assert_eq!(fs::read(&path).unwrap(), gen_stdout("5"));
    assert_eq!(names(dir.path()), ["ro.csv"]);
}

#[test]
fn o_new_file_gets_the_umask_mode() {
    // `File::create` semantics: 0666 less the umask (027 here), not a
    // temporary file's private 0600.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.csv");
    let st = Command::new("sh")
        .arg("-c")
        .arg(r#"umask 027 && exec "$0" gen --report queue --rows 3 -q -o "$1""#)
        .arg(env!("CARGO_BIN_EXE_rcx"))
        .arg(&path)
        .status()
        .expect("run sh");
    assert!(st.success());
    assert_eq!(mode(&path), 0o640);
}

#[test]
fn o_follows_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.csv");
    fs::write(&real, "old\n").unwrap();
    let link = dir.path().join("link.csv");
    symlink("real.csv", &link).unwrap();
    let o = gen_to(&link, "4");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("real.csv"));
    assert_eq!(fs::read(&real).unwrap(), gen_stdout("4"));
    assert_eq!(names(dir.path()), ["link.csv", "real.csv"]);
}

#[test]
fn o_creates_a_dangling_symlinks_target() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("data")).unwrap();
    let link = dir.path().join("latest.csv");
    symlink("data/2024-03-04.csv", &link).unwrap();
    let o = gen_to(&link, "4");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let target = dir.path().join("data").join("2024-03-04.csv");
    assert_eq!(fs::read(target).unwrap(), gen_stdout("4"));
}

#[test]
fn o_writes_through_a_link_to_dev_null() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("null");
    symlink("/dev/null", &link).unwrap();
    let o = gen_to(&link, "4");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("/dev/null"));
    assert_eq!(names(dir.path()), ["null"]);
}

#[test]
fn o_to_a_full_device_exits_2_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("full");
    symlink("/dev/full", &link).unwrap();
    for rows in ["3", "20000"] {
        // Three rows fail when the buffer is flushed at the end; 20 000 rows
        // fail while writing.
        let o = gen_to(&link, rows);
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert_eq!(
            stderr(&o),
            format!("rcx: {}: No space left on device (os error 28)\n", s(&link))
        );
        assert_eq!(fs::read_link(&link).unwrap(), Path::new("/dev/full"));
        assert_eq!(names(dir.path()), ["full"]);
    }
}

#[test]
fn o_writes_through_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(fifo).unwrap())
    };
    let o = gen_to(&fifo, "6");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Checked before joining: had the FIFO been replaced, the reader would
    // wait for a writer forever.
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(reader.join().unwrap(), gen_stdout("6"));
}

#[test]
fn o_writes_through_a_socket() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("sock");
    let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let reader = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut v = Vec::new();
        s.read_to_end(&mut v).unwrap();
        v
    });
    let o = gen_to(&sock, "6");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(fs::metadata(&sock).unwrap().file_type().is_socket());
    assert_eq!(reader.join().unwrap(), gen_stdout("6"));
}

/// A link to the process's own standard output (what `/dev/stdout` is on
/// Linux), without touching `/dev`.
fn own_stdout_link(dir: &Path) -> PathBuf {
    let link = dir.join("stdout");
    symlink("/proc/self/fd/1", &link).unwrap();
    link
}

#[test]
fn o_to_own_stdout_writes_through_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let link = own_stdout_link(dir.path());
    let o = gen_to(&link, "5");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(o.stdout, gen_stdout("5"));
    assert_eq!(names(dir.path()), ["stdout"]);
}

#[test]
fn o_to_own_stdout_appends_to_a_redirected_file() {
    // `rcx … -o /dev/stdout >> log`: the log keeps its lines and gets the
    // output after them.
    let dir = tempfile::tempdir().unwrap();
    let link = own_stdout_link(dir.path());
    let log = dir.path().join("log");
    fs::write(&log, "first\n").unwrap();
    let append = fs::OpenOptions::new().append(true).open(&log).unwrap();
    let args = [
        "gen",
        "--report",
        "queue",
        "--rows",
        "5",
        "-q",
        "-o",
        s(&link),
    ];
    let o = rcx_with_stdout(&args, append);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut want = b"first\n".to_vec();
    want.extend(gen_stdout("5"));
    assert_eq!(fs::read(&log).unwrap(), want);
    assert_eq!(names(dir.path()), ["log", "stdout"]);
}

#[test]
fn o_error_names_the_path_never_a_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nodir").join("out.csv");
    let o = gen_to(&path, "3");
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        format!(
            "rcx: {}: No such file or directory (os error 2)\n",
            s(&path)
        )
    );
}

#[test]
fn o_failed_run_keeps_the_old_file_and_leaves_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.ndjson");
    fs::write(&out, "old\n").unwrap();
    let bad = fixture("queue_duplicate.csv");
    let o = run(&["rollup", s(&bad), "-o", s(&out)]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&out).unwrap(), "old\n");
    assert_eq!(names(dir.path()), ["out.ndjson"]);
}

#[test]
fn o_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let o = gen_to(dir.path(), "3");
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        format!("rcx: {}: is a directory\n", s(dir.path()))
    );
    assert!(names(dir.path()).is_empty());
}

// The real devices: run these only against the fixed build (see the
// module docs).

#[test]
fn device_dev_full_exits_2_and_stays_a_device() {
    let o = run(&["gen", "--report", "queue", "--rows", "3", "-o", "/dev/full"]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "rcx: /dev/full: No space left on device (os error 28)\n"
    );
    assert!(fs::metadata("/dev/full")
        .unwrap()
        .file_type()
        .is_char_device());
}

#[test]
fn device_dev_null_and_dev_stdout_are_written_through() {
    let o = run(&[
        "gen",
        "--report",
        "queue",
        "--rows",
        "3",
        "-q",
        "-o",
        "/dev/null",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert!(fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());

    let o = run(&[
        "gen",
        "--report",
        "queue",
        "--rows",
        "3",
        "-q",
        "-o",
        "/dev/stdout",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(o.stdout, gen_stdout("3"));
    assert!(fs::symlink_metadata("/dev/stdout")
        .unwrap()
        .file_type()
        .is_symlink());
}

// ---------------------------------------------------------------------------
// `-o` naming an input (item 8)

/// The other names of input `name` that `input_dir` makes: `./name`, a
/// symlink and a hard link (with `name`'s extension).
fn spellings(name: &str) -> [String; 3] {
    let ext = Path::new(name).extension().unwrap().to_string_lossy();
    [
        format!("./{name}"),
        format!("link.{ext}"),
        format!("hard.{ext}"),
    ]
}

/// A directory holding `name`, a copy of fixture `fixture_name`, with a
/// symlink and a hard link to it.
fn input_dir(fixture_name: &str, name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join(name);
    fs::copy(fixture(fixture_name), &input).unwrap();
    let [_, link, hard] = spellings(name);
    symlink(name, dir.path().join(link)).unwrap();
    fs::hard_link(&input, dir.path().join(hard)).unwrap();
    (dir, input)
}

/// Runs `args` (with `{in}` and `{out}` replaced) in `dir`, expecting the
/// refusal; the input must come out unchanged and nothing must be added.
fn refused(dir: &Path, input: &Path, args: &[&str], out: &str) {
    let before = fs::read(input).unwrap();
    let files = names(dir);
    let args: Vec<String> = args
        .iter()
        .map(|a| match *a {
            "{in}" => input.file_name().unwrap().to_string_lossy().into_owned(),
            "{out}" => out.to_string(),
            a => a.to_string(),
        })
        .collect();
    let o = rcx_command(&args).current_dir(dir).output().unwrap();
    assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!("rcx: {out}: the output is the input file ")),
        "{args:?}: {err}"
    );
    assert_eq!(fs::read(input).unwrap(), before, "{args:?}");
    assert_eq!(names(dir), files, "{args:?}");
}

fn refused_every_spelling(fixture_name: &str, name: &str, args: &[&str]) {
    let (dir, input) = input_dir(fixture_name, name);
    refused(dir.path(), &input, args, name);
    for out in spellings(name) {
        refused(dir.path(), &input, args, &out);
    }
    // The input named through the link, the output directly.
    let [_, link, _] = spellings(name);
    let args: Vec<&str> = args
        .iter()
        .map(|a| if *a == "{in}" { link.as_str() } else { a })
        .collect();
    refused(dir.path(), &input, &args, name);
}

#[test]
fn parse_refuses_an_input_as_output() {
    refused_every_spelling(
        "queue_header.csv",
        "q.csv",
        &["parse", "{in}", "-o", "{out}"],
    );
}

#[test]
fn rollup_refuses_an_input_as_output() {
    refused_every_spelling(
        "queue_header.csv",
        "q.csv",
        &["rollup", "{in}", "-o", "{out}"],
    );
}

#[test]
fn rollup_refuses_a_group_map_or_request_as_output() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("q.csv");
    fs::copy(fixture("queue_header.csv"), &data).unwrap();
    let groups = dir.path().join("groups.csv");
    fs::copy(fixture("queue_groups.csv"), &groups).unwrap();
    let args = [
        "rollup",
        "q.csv",
        "--by",
        "queue-group",
        "--queue-groups",
        "{in}",
        "-o",
        "{out}",
    ];
    refused(dir.path(), &groups, &args, "groups.csv");
    let request = dir.path().join("request.json");
    fs::copy(fixture("analytics_request.json"), &request).unwrap();
    let args = ["rollup", "q.csv", "--request", "{in}", "-o", "{out}"];
    refused(dir.path(), &request, &args, "./request.json");
}

#[test]
fn convert_refuses_an_input_as_output() {
    refused_every_spelling(
        "queue_header.csv",
        "q.csv",
        &["convert", "{in}", "--to", "csv", "-o", "{out}"],
    );
}

#[test]
fn timeline_and_interactions_refuse_an_input_as_output() {
    refused_every_spelling(
        "segments_timeline.ndjson",
        "s.ndjson",
        &["timeline", "{in}", "-o", "{out}"],
    );
    refused_every_spelling(
        "segments_timeline.ndjson",
        "s.ndjson",
        &["interactions", "{in}", "-o", "{out}"],
    );
}

#[cfg(feature = "plot")]
#[test]
fn plot_refuses_an_input_as_output() {
    // An input whose name ends in .svg (readers go by content, not name).
    refused_every_spelling(
        "agent_ext_quoted.csv",
        "a.svg",
        &["plot", "{in}", "-o", "{out}"],
    );
}

#[test]
fn standard_input_redirected_from_the_output_is_refused() {
    let (dir, input) = input_dir("queue_header.csv", "q.csv");
    let before = fs::read(&input).unwrap();
    let o = rcx_command(&["parse", "-", "-o", "q.csv"])
        .current_dir(dir.path())
        .stdin(fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the output is the input file"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read(&input).unwrap(), before);
}

#[test]
fn an_output_beside_the_input_is_written() {
    let (dir, input) = input_dir("queue_header.csv", "q.csv");
    let out = dir.path().join("q.ndjson");
    let o = run(&["parse", s(&input), "-o", s(&out)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let want = run(&["parse", s(&input)]).stdout;
    assert_eq!(fs::read(&out).unwrap(), want);
}

// ---------------------------------------------------------------------------
// Standard output: a closed pipe is success, a full disk an error (item 12)

fn stdout_cases() -> Vec<Vec<String>> {
    let q = fixture("queue_header.csv").to_string_lossy().into_owned();
    let cases: [&[&str]; 7] = [
        &["inspect", &q],
        &["inspect", "--format", "json", &q],
        &["validate", "--explain", "V101"],
        &["validate", "--format", "json", &q],
        &["completions", "bash"],
        &["parse", &q],
        // More than the buffer: the error comes from a write, not the
        // final flush (it named `<output>`).
        &["gen", "--report", "queue", "--rows", "100000"],
    ];
    cases
        .iter()
        .map(|c| c.iter().map(|a| a.to_string()).collect())
        .collect()
}

#[test]
fn a_full_disk_on_stdout_exits_2_naming_stdout() {
    for args in stdout_cases() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = rcx_with_stdout(&args, dev_full());
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("rcx: <stdout>: No space left on device (os error 28)\n"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn a_closed_pipe_on_stdout_exits_0_quietly() {
    for args in stdout_cases() {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.push("-q");
        let o = rcx_with_stdout(&args, closed_pipe());
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), "", "{args:?}");
    }
}

#[test]
fn inspect_output_is_unchanged_on_a_good_stdout() {
    // The same bytes as before the writer changed: one block per file.
    let q = fixture("queue_header.csv");
    let one = stdout(&run(&["inspect", s(&q)]));
    let two = stdout(&run(&["inspect", s(&q), s(&q)]));
    assert!(one.starts_with(&format!("{}\n  report: ", s(&q))), "{one}");
    assert_eq!(two, format!("{one}{one}"));
    let json = stdout(&run(&["inspect", "--format", "json", s(&q)]));
    assert!(json.starts_with("[{") && json.ends_with("}]\n"), "{json}");
}

// ---------------------------------------------------------------------------
// Signals during `-o` (item 13)

/// Starts `rcx parse - -o OUT` with standard input held open (so that it
/// waits, its temporary file made), sends `signal`, and checks what is left
/// and that rcx ended by that signal (number `signo`; a shell reports
/// 128 + `signo`: 130 for SIGINT, 143 for SIGTERM).
fn interrupted(signal: &str, signo: i32) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.ndjson");
    fs::write(&out, "old output\n").unwrap();
    let mut child = rcx_command(&["parse", "-", "-q", "-o", s(&out)])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = child.stdin.take().unwrap();
    // The temporary is made before any input is read; wait until it is
    // there (or rcx stopped, which fails below).
    while names(dir.path()).len() < 2 {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let tmp = names(dir.path());
    assert_eq!(tmp.len(), 2, "no temporary file: {tmp:?}");
    let kill = Command::new("sh")
        .args(["-c", r#"kill -s "$0" "$1""#, signal])
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    drop(input);
    assert_eq!(fs::read_to_string(&out).unwrap(), "old output\n");
    assert_eq!(names(dir.path()), ["out.ndjson"], "SIG{signal}");
    assert_eq!(o.status.signal(), Some(signo), "SIG{signal}: {o:?}");
    assert_eq!(stderr(&o), "", "SIG{signal}");
}

#[test]
fn sigterm_during_o_leaves_the_old_file_and_no_temporary() {
    interrupted("TERM", 15);
}

#[test]
fn sigint_during_o_leaves_the_old_file_and_no_temporary() {
    interrupted("INT", 2);
}

#[test]
fn sighup_during_o_leaves_the_old_file_and_no_temporary() {
    interrupted("HUP", 1);
}
