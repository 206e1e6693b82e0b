//! `read_row` allocates nothing per row on the common path (SPEC 2.6,
//! issue 2): a counting global allocator for this test binary, counted per
//! thread so that tests running in parallel do not disturb each other.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use ringcx_reports::{AgentExtRow, QueueRow, ReaderBuilder};

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: defers every call to the system allocator; the counter is a
// const-initialized thread-local `Cell` that never allocates itself.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocs() -> u64 {
    ALLOCS.with(Cell::get)
}

const QH: &str = "interval;date_from;time;queue;queue_name;offd_direct_call_cnt;overflow_in_call_cnt;aband_call_cnt;overflow_out_call_cnt;answ_call_cnt;queued_and_answ_call_dur;queued_and_aband_call_dur;talking_call_dur;wrap_up_dur;queued_answ_longest_que_dur;queued_aband_longest_que_dur;ans_servicelevel_cnt;wait_dur;aband_short_call_cnt;aband_within_sl_cnt\r\n";

/// Counts allocations while reading rows 100.. of `bytes` (the first rows
/// warm the buffers up).
fn allocs_after_warm_up<T: ringcx_reports::IntervalRow>(bytes: Vec<u8>, tz: &str) -> (u64, u64) {
    let mut r = ReaderBuilder::new()
        .source_tz(tz.parse().expect("tz"))
        .buffer_size(8192)
        .from_bytes("a.csv", bytes)
        .expect("open");
    let mut row = T::default();
    for _ in 0..100 {
        assert!(r.read_row(&mut row).expect("row"));
    }
    let before = allocs();
    let mut n = 0;
    while r.read_row(&mut row).expect("row") {
        n += 1;
    }
    (allocs() - before, n)
}

#[test]
fn the_counter_counts() {
    let before = allocs();
    let v = std::hint::black_box(vec![1u8; 10]);
    assert_eq!(allocs() - before, 1);
    drop(v);
}

#[test]
fn read_row_does_not_allocate_per_row() {
    // Quoted names (with a line break every tenth row), CRLF, a zone with
    // DST (on days without a transition), 8 KiB buffer refilled many times.
    let mut text = String::from(QH);
    for i in 0..3000u32 {
        let name = if i % 10 == 0 {
            format!("\"Queue {i:04};\r\nEast\"")
        } else {
            format!("Queue {i:04}")
        };
        text += &format!(
            "15;2024-06-{:02};{:02}:{:02};{};{name};1;2;3;4;5;6;7;8;9;10;11;12;13;;15\r\n",
            1 + (i / 96) % 28,
            (i % 96) / 4,
            (i % 4) * 15,
            i % 40
        );
    }
    for tz in ["UTC", "America/New_York"] {
        let (a, n) = allocs_after_warm_up::<QueueRow>(text.clone().into_bytes(), tz);
        assert_eq!(n, 2900);
        assert_eq!(a, 0, "{a} allocations for {n} rows in {tz}");
    }
    let mut text = String::from("interval,date_from,time,agent_id,agent_name,queue,queue_name,talking_call_dur,wrap_up_dur,answ_call_cnt,transfer_out_call_cnt\n");
    for i in 0..1000u32 {
        text += &format!(
            "15,03/04/2024,{:02}:{:02}:00,{},\"Kaduk, {i:04}\",5686,Sales,1,2,3,0\n",
            (i % 96) / 4,
            (i % 4) * 15,
            i % 7
        );
    }
    let (a, n) = allocs_after_warm_up::<AgentExtRow>(text.into_bytes(), "UTC");
    assert_eq!(n, 900);
    assert_eq!(a, 0, "{a} allocations for {n} agent rows");
}
