//! Mergeable integer accumulators.
//!
//! Every accumulator is a fixed set of `u64` sums (and maxima) with a
//! [`Accumulator::merge`] that is associative and commutative, with
//! [`Default`] as its identity. That is what lets the engine fold rows in
//! any order, on any number of threads, and still print the same bytes.
//!
//! Sums never wrap: an addition that would pass `u64::MAX` sets a sticky
//! overflow bit for its column (the sum then saturates and is never
//! printed). Whether a column overflows depends only on its true total, not
//! on the order of the additions, so the bit keeps `merge` associative; the
//! engine turns a set bit into an error naming the column, key and bucket.

use crate::model::{AgentExtRow, AgentRow, QueueRow};
use crate::runs::{get_varint, put_varint};

/// A mergeable accumulator of one report's sums.
///
/// ```
/// use ringcx_reports::rollup::{Accumulator, AgentExtSums};
/// let mut a = AgentExtSums { rows: 1, answered: 4, ..Default::default() };
/// let b = AgentExtSums { rows: 2, answered: 6, talk_s: 90, ..Default::default() };
/// a.merge(&b);
/// assert_eq!((a.rows, a.answered, a.talk_s), (3, 10, 90));
/// a.merge(&AgentExtSums::default()); // the identity
/// assert_eq!(a.answered, 10);
/// ```
// Internal sums machinery, public for tests/properties.rs and benches; not part of the supported API.
#[doc(hidden)]
pub trait Accumulator: Pack + Default + Clone + PartialEq + Send + Sync + std::fmt::Debug {
    /// Adds `other` into `self`.
    fn merge(&mut self, other: &Self);
    /// The name of the first column whose sum overflowed, if any.
    fn overflowed(&self) -> Option<&'static str>;
}

/// A row type the rollup can sum: it knows its accumulator.
// Internal sums machinery, public for tests/properties.rs and benches; not part of the supported API.
#[doc(hidden)]
pub trait Summable {
    /// The accumulator for this row type.
    type Sums: Accumulator;
    /// Adds this row to `sums` (absent values count as 0).
    fn add_to(&self, sums: &mut Self::Sums);
}

#[inline]
fn add(slot: &mut u64, v: Option<u64>, ovf: &mut u32, bit: u32) {
    match slot.checked_add(v.unwrap_or(0)) {
        Some(s) => *slot = s,
        None => {
            *slot = u64::MAX;
            *ovf |= bit;
        }
    }
}

/// Sums stored compactly (LEB128 varints: most sums of one bucket fit in
/// one or two bytes), for the finished buckets the rollup keeps until the
/// end. `unpack` reads what `pack` wrote. Public but unnameable outside
/// the crate (a sealed trait): only the crate's sums implement it.
pub trait Pack: Sized {
    /// Appends the sums to `out`.
    fn pack(&self, out: &mut Vec<u8>);
    /// Reads sums written by [`pack`](Pack::pack) at `at`, moving `at`.
    fn unpack(buf: &[u8], at: &mut usize) -> Self;
}

/// How an accumulated value is taken from the rows: counted, summed (an
/// absent value counts 0) or the maximum (an absent value counts 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Agg {
    Count,
    Sum,
    Max,
}

macro_rules! sums {
    (
        $(#[$doc:meta])*
        $name:ident, $row:ty,
        sums { $( $(#[$sdoc:meta])* $s:ident : $col:literal <= $src:ident ),* $(,)? }
        maxes { $( $(#[$mdoc:meta])* $m:ident : $mcol:literal <= $msrc:ident ),* $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name {
            /// Number of source rows summed.
            pub rows: u64,
            $( $(#[$sdoc])* pub $s: u64, )*
            $( $(#[$mdoc])* pub $m: u64, )*
            /// Overflow bits, one per column (see the module docs).
            pub overflow: u32,
        }

        impl $name {
            const COLUMNS: &'static [&'static str] = &["rows", $($col,)*];
            /// Each accumulated value: its name, how it accumulates and
            /// the source field it is taken from (the Parquet column
            /// `rcx convert` writes).
            pub(crate) const SOURCES: &'static [(&'static str, Agg, &'static str)] = &[
                ("rows", Agg::Count, ""),
                $( ($col, Agg::Sum, stringify!($src)), )*
                $( ($mcol, Agg::Max, stringify!($msrc)), )*
            ];
            /// The accumulated value named `name` (a name of
            /// [`SOURCES`](Self::SOURCES)).
            #[cfg(test)]
            pub(crate) fn value(&self, name: &str) -> Option<u64> {
                match name {
                    "rows" => Some(self.rows),
                    $( $col => Some(self.$s), )*
                    $( $mcol => Some(self.$m), )*
                    _ => None,
                }
            }
            /// The accumulated value named `name`, to set (tests).
            #[cfg(test)]
            pub(crate) fn value_mut(&mut self, name: &str) -> Option<&mut u64> {
                match name {
                    "rows" => Some(&mut self.rows),
                    $( $col => Some(&mut self.$s), )*
                    $( $mcol => Some(&mut self.$m), )*
                    _ => None,
                }
            }
        }

        impl Accumulator for $name {
            fn merge(&mut self, o: &Self) {
                let mut bit = 1u32;
                add(&mut self.rows, Some(o.rows), &mut self.overflow, bit);
                $( bit <<= 1; add(&mut self.$s, Some(o.$s), &mut self.overflow, bit); )*
                let _ = bit;
                $( self.$m = self.$m.max(o.$m); )*
                self.overflow |= o.overflow;
            }
            fn overflowed(&self) -> Option<&'static str> {
                if self.overflow == 0 {
                    return None;
                }
                Some(Self::COLUMNS[self.overflow.trailing_zeros() as usize])
            }
        }

        impl Pack for $name {
            fn pack(&self, out: &mut Vec<u8>) {
                put_varint(out, self.overflow as u64);
                put_varint(out, self.rows);
                $( put_varint(out, self.$s); )*
                $( put_varint(out, self.$m); )*
            }
            fn unpack(buf: &[u8], at: &mut usize) -> Self {
                let overflow = get_varint(buf, at) as u32;
                $name {
                    rows: get_varint(buf, at),
                    $( $s: get_varint(buf, at), )*
                    $( $m: get_varint(buf, at), )*
                    overflow,
                }
            }
        }

        impl Summable for $row {
            type Sums = $name;
            #[inline]
            fn add_to(&self, a: &mut $name) {
                let mut bit = 1u32;
                add(&mut a.rows, Some(1), &mut a.overflow, bit);
                $( bit <<= 1; add(&mut a.$s, self.$src, &mut a.overflow, bit); )*
                let _ = bit;
                $( a.$m = a.$m.max(self.$msrc.unwrap_or(0)); )*
            }
        }
    };
}

sums! {
    /// The sums of Queue Statistics rows (SPEC 4.3).
    QueueSums, QueueRow,
    sums {
        /// Σ `offd_direct_call_cnt`.
        direct: "direct" <= offd_direct_call_cnt,
        /// Σ `overflow_in_call_cnt`.
        overflow_in: "overflow_in" <= overflow_in_call_cnt,
        /// Σ `overflow_out_call_cnt`.
        overflow_out: "overflow_out" <= overflow_out_call_cnt,
        /// Σ `answ_call_cnt`.
        answered: "answered" <= answ_call_cnt,
        /// Σ `aband_call_cnt`.
        abandoned: "abandoned" <= aband_call_cnt,
        /// Σ `aband_short_call_cnt`.
        short_abandoned: "short_abandoned" <= aband_short_call_cnt,
        /// Σ `aband_within_sl_cnt`.
        abandoned_within_sl: "abandoned_within_sl" <= aband_within_sl_cnt,
        /// Σ `ans_servicelevel_cnt`.
        answered_within_sl: "answered_within_sl" <= ans_servicelevel_cnt,
        /// Σ `talking_call_dur` (s).
        talk_s: "talk_s" <= talking_call_dur,
        /// Σ `wrap_up_dur` (s).
        wrap_s: "wrap_s" <= wrap_up_dur,
        /// Σ `queued_and_answ_call_dur` (s).
        answer_wait_s: "answer_wait_s" <= queued_and_answ_call_dur,
        /// Σ `queued_and_aband_call_dur` (s).
        abandon_wait_s: "abandon_wait_s" <= queued_and_aband_call_dur,
        /// Σ `wait_dur` (s).
        agent_wait_s: "agent_wait_s" <= wait_dur,
    }
    maxes {
        /// max `queued_answ_longest_que_dur` (s).
        longest_answer_wait_s: "longest_answer_wait_s" <= queued_answ_longest_que_dur,
        /// max `queued_aband_longest_que_dur` (s).
        longest_abandon_wait_s: "longest_abandon_wait_s" <= queued_aband_longest_que_dur,
    }
}

sums! {
    /// The sums of Agent Extended Statistics rows (SPEC 4.3).
    AgentExtSums, AgentExtRow,
    sums {
        /// Σ `answ_call_cnt`.
        answered: "answered" <= answ_call_cnt,
        /// Σ `transfer_out_call_cnt`.
        transferred_out: "transferred_out" <= transfer_out_call_cnt,
        /// Σ `talking_call_dur` (s).
        talk_s: "talk_s" <= talking_call_dur,
        /// Σ `wrap_up_dur` (s).
        wrap_s: "wrap_s" <= wrap_up_dur,
    }
    maxes {}
}

sums! {
    /// The sums of Agent Statistics rows (SPEC 4.3).
    AgentSums, AgentRow,
    sums {
        /// Σ `avail_dur` (s).
        avail_s: "avail_s" <= avail_dur,
        /// Σ `tot_work_dur` (s).
        work_s: "work_s" <= tot_work_dur,
        /// Σ `pause_dur` (s).
        pause_s: "pause_s" <= pause_dur,
        /// Σ `wait_dur` (s).
        wait_s: "wait_s" <= wait_dur,
        /// Σ `admin_dur` (s).
        admin_s: "admin_s" <= admin_dur,
        /// Σ `direct_in_call_cnt`.
        direct_in: "direct_in" <= direct_in_call_cnt,
        /// Σ `direct_in_call_dur` (s).
        direct_in_s: "direct_in_s" <= direct_in_call_dur,
        /// Σ `direct_out_call_cnt`.
        direct_out: "direct_out" <= direct_out_call_cnt,
        /// Σ `direct_out_call_dur` (s).
        direct_out_s: "direct_out_s" <= direct_out_call_dur,
    }
    maxes {}
}

/// The display name chosen for an output key (SPEC 4.1): the name on the
/// row with the latest interval start, ties broken by the smallest string.
/// `merge` keeps the winner, so the choice does not depend on row order.
///
/// ```
/// use ringcx_reports::rollup::NamePick;
/// let mut a = NamePick::new(100, "Sales");
/// a.merge(&NamePick::new(200, "Sales EMEA"));
/// a.merge(&NamePick::new(200, "Sales AMER"));
/// assert_eq!(a.name(), "Sales AMER");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
// Internal sums machinery (the name kept per key), public for its doctest; not part of the supported API.
#[doc(hidden)]
pub struct NamePick {
    at: Option<i64>,
    name: String,
}

impl NamePick {
    /// A pick of `name` seen on a row starting at `at` (Unix seconds).
    pub fn new(at: i64, name: &str) -> Self {
        NamePick {
            at: Some(at),
            name: name.to_owned(),
        }
    }
    /// The chosen name (empty when no row was seen).
    pub fn name(&self) -> &str {
        &self.name
    }
    #[inline]
    fn wins(&self, at: i64, name: &str) -> bool {
        match self.at {
            None => true,
            Some(a) => at > a || (at == a && name < self.name.as_str()),
        }
    }
    /// Offers the name of one row, allocating only when it wins.
    #[inline]
    pub fn offer(&mut self, at: i64, name: &str) {
        if self.wins(at, name) {
            self.at = Some(at);
            self.name.clear();
            self.name.push_str(name);
        }
    }
    /// Keeps the better of two picks.
    pub fn merge(&mut self, other: &NamePick) {
        if let Some(at) = other.at {
            self.offer(at, &other.name);
        }
    }
}
