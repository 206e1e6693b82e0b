//! Hostile input (SPEC 2.6): no panic on any bytes, a reader that always
//! finishes, and the same outcome (rows and errors, in order) whatever the
//! buffer size and however the source splits its reads.

use std::io::Cursor;

use proptest::prelude::*;
use ringcx_reports::{
    AgentExtRow, AgentRow, IntervalRow, QueueRow, Reader, ReaderBuilder, ReportKind,
};

use crate::util::{fixture_bytes, Trickle};

/// Rows (as their debug text) and errors (as their display text), in order.
fn trace_rows<T: IntervalRow>(r: &mut Reader) -> Vec<String> {
    let mut out = Vec::new();
    let mut row = T::default();
    for _ in 0..10_000 {
        match r.read_row(&mut row) {
            Ok(true) => out.push(format!("{row:?}")),
            Ok(false) => return out,
            Err(e) => {
                out.push(format!("error: {e}"));
                if r.is_finished() {
                    return out;
                }
            }
        }
    }
    panic!("the reader did not finish");
}

fn trace(bytes: &[u8], buffer: usize, chunk: usize) -> Vec<String> {
    let src = Trickle {
        inner: Cursor::new(bytes.to_vec()),
        chunk,
    };
    let b = ReaderBuilder::new()
        .buffer_size(buffer)
        .max_record_len(4096)
        .source_tz("America/New_York".parse().expect("tz"));
    match b.from_reader("x.csv", src) {
        Err(e) => vec![format!("open error: {e}")],
        Ok(mut r) => {
            let mut out = vec![format!("{:?} {:?}", r.kind(), r.dialect())];
            out.extend(r.diagnostics().iter().map(|d| d.to_string()));
            out.extend(match r.kind() {
                ReportKind::Queue => trace_rows::<QueueRow>(&mut r),
                ReportKind::AgentExt => trace_rows::<AgentExtRow>(&mut r),
                ReportKind::Agent => trace_rows::<AgentRow>(&mut r),
                ReportKind::Segments => vec![],
                other => panic!("no trace for report kind {other:?}"),
            });
            out
        }
    }
}

const FIXTURES: &[&str] = &[
    "queue_header.csv",
    "queue_teleopti21.csv",
    "queue_bom_crlf.csv",
    "agent_ext_quoted.csv",
    "agent_stats_teleopti14.csv",
    "queue_fallback_ny.csv",
];

/// A fixture with a few bytes replaced, inserted or deleted; the inserted
/// bytes are the ones that matter to a CSV tokenizer.
fn mutate(base: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    const BYTES: &[u8] = b"\",;|\t\r\n \"\"0-.:/\xff\xc3\xef\xbb\xbf";
    let mut v = base.to_vec();
    for &(at, op, b) in edits {
        if v.is_empty() {
            break;
        }
        let at = at % v.len();
        let b = BYTES[b as usize % BYTES.len()];
        match op % 3 {
            0 => v[at] = b,
            1 => v.insert(at, b),
            _ => {
                v.remove(at);
            }
        }
    }
    v
}

proptest! {
    #![proptest_config(crate::util::proptest_config(300, "proptest-regressions/no_panic.txt"))]

    #[test]
    fn mutated_fixtures_never_panic_and_read_the_same_with_any_buffer(
        which in 0..FIXTURES.len(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6),
        buffer in prop::sample::select(vec![1usize, 2, 3, 7, 64]),
        chunk in prop::sample::select(vec![1usize, 2, 5, 1 << 20]),
    ) {
        let bytes = mutate(&fixture_bytes(FIXTURES[which]), &edits);
        let whole = trace(&bytes, 1 << 16, 1 << 20);
        let small = trace(&bytes, buffer, chunk);
        prop_assert_eq!(whole, small, "{:?}", String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_csvish_bytes_never_panic(
        bytes in prop::collection::vec(
            prop::sample::select(b"15,;|\t\"\r\n 0:2-/queintrvalmdt\xff\xef\xbb\xbf".to_vec()),
            0..400,
        ),
        buffer in prop::sample::select(vec![1usize, 3, 1 << 16]),
    ) {
        let whole = trace(&bytes, 1 << 16, 1 << 20);
        let small = trace(&bytes, buffer, 3);
        prop_assert_eq!(whole, small);
    }
}
