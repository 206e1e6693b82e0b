//! Streams a Queue Statistics export (any wire form) and prints the total of
//! answered calls per queue: the smallest useful embedding of the reader.
//!
//! ```sh
//! cargo run --release --example sum_answered -- fixtures/queue_header.csv
//! ```

use std::collections::BTreeMap;
use std::process::ExitCode;

use ringcx_reports::{QueueRow, ReaderBuilder};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: sum_answered QUEUE_FILE");
        return ExitCode::from(2);
    };
    let mut reader = match ReaderBuilder::new().from_path(&path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // One row, reused for every record: no allocation per row.
    let mut row = QueueRow::default();
    let mut totals: BTreeMap<String, u64> = BTreeMap::new();
    loop {
        match reader.read_row(&mut row) {
            Ok(true) => {
                let answered = row.answ_call_cnt.unwrap_or(0);
                match totals.get_mut(row.queue.as_str()) {
                    Some(t) => *t += answered,
                    None => {
                        totals.insert(row.queue.clone(), answered);
                    }
                }
            }
            Ok(false) => break,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        }
    }
    for (queue, answered) in totals {
        println!("{queue}\t{answered}");
    }
    ExitCode::SUCCESS
}
