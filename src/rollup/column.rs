//! One metric value and one metric column: the types every report's
//! catalogue ([`super::metrics`]) is made of.

use rust_decimal::Decimal;

use super::ratio::scaled_ratio;

/// A metric value before any rounding, for writers that format it
/// themselves: ratios carry their operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RawCell {
    Int(u64),
    Signed(i128),
    /// `scale × num / den`.
    Ratio(i128, i128, i128),
}

impl RawCell {
    /// The value of a ratio cell, rounded.
    #[inline]
    pub(crate) fn ratio(self) -> Option<Decimal> {
        match self.cell() {
            Cell::Ratio(r) => r,
            _ => None,
        }
    }
    /// The typed cell.
    pub(crate) fn cell(self) -> Cell {
        match self {
            RawCell::Int(v) => Cell::Int(v),
            RawCell::Signed(v) => Cell::Signed(v),
            RawCell::Ratio(n, d, s) => Cell::Ratio(scaled_ratio(n, d, s)),
        }
    }
}

/// One metric value, for writers.
// Exhaustive: a writer of metric cells handles each kind of cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// A sum or count.
    Int(u64),
    /// A signed numerator or denominator (may be negative on inconsistent
    /// data).
    Signed(i128),
    /// A ratio; `None` when its denominator is 0.
    Ratio(Option<Decimal>),
}

/// What a metric measures, for the Analytics output's `valueType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unit {
    /// A count of calls or rows (`Instances`).
    Count,
    /// Seconds (`Seconds`).
    Seconds,
    /// A percentage (`Percent`).
    Percent,
}

/// A metric column of the catalogue: its name in CSV/JSON, its unit and
/// how it is computed, in words (the code is beside it, in the same
/// catalogue entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Column {
    /// The column name, e.g. `service_level_pct`.
    pub name: &'static str,
    /// The unit.
    pub unit: Unit,
    /// How the value is computed from the report's fields.
    pub formula: &'static str,
}
