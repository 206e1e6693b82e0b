//! One metric value and one metric column: the types every report's
//! catalogue ([`super::metrics`]) is made of.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::ratio::scaled_ratio;
use crate::error::{Error, Result};
use crate::option::OptionName;

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

/// How a column's values are typed in an output that has types (Parquet):
/// what the catalogue entry's cell gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stored {
    /// A whole number: a count, whole seconds, a signed numerator.
    Whole,
    /// A ratio rounded to two places (hundredths).
    Hundredths,
    /// Seconds to the millisecond (thousandths).
    Thousandths,
}

impl Stored {
    /// The digits after the point.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) const fn scale(self) -> i8 {
        match self {
            Stored::Whole => 0,
            Stored::Hundredths => 2,
            Stored::Thousandths => 3,
        }
    }
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
    /// How its values are typed.
    pub(crate) stored: Stored,
    /// How it is computed, in terms an SQL query can be generated from
    /// (`None` for catalogues that have no SQL form).
    pub(crate) def: Option<Def>,
}

/// How a metric column is computed from a bucket's accumulated values, as
/// data: what [`Rollup::sql`](super::Rollup::sql) turns into SQL. The
/// catalogue entry's code computes the same value (a unit test evaluates
/// every definition against it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Def {
    /// The accumulator's value of the same name: the rows summed, a sum or
    /// a maximum of one source field (see the sums' `SOURCES`).
    Stored,
    /// The sum of these columns.
    Cols(&'static [&'static str]),
    /// A value the metric options decide (offered, the service-level and
    /// abandon-rate fractions).
    Derived(Derived),
    /// `scale × Σ numerator columns / Σ denominator columns`, rounded half
    /// away from zero to two places; empty when the denominator is 0.
    Ratio(&'static [&'static str], &'static [&'static str], i128),
}

/// The option-dependent values of Queue Statistics (SPEC 4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Derived {
    Offered,
    SlNumerator,
    SlDenominator,
    AbandonNumerator,
    AbandonDenominator,
}

/// The indices in `catalogue` of the metric columns named `names`, in that
/// order (ASCII case ignored; no names means all, `None`): what every
/// report's `columns` option takes. An empty name, a key column
/// (`is_key`), an unknown name (worded by `unknown`) or a name given twice
/// is a usage error listing the valid names.
pub(crate) fn pick_columns<I, S>(
    catalogue: &[Column],
    names: I,
    is_key: impl Fn(&str) -> bool,
    unknown: impl Fn(&str) -> String,
) -> Result<Option<Arc<[u8]>>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    // At most a few dozen columns per report: an index fits a byte.
    debug_assert!(catalogue.len() <= usize::from(u8::MAX));
    let valid = || {
        catalogue
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut picked: Vec<u8> = Vec::new();
    for name in names {
        let name = name.as_ref().trim();
        let Some(i) = catalogue
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
        else {
            let why = if name.is_empty() {
                "an empty metric column name".to_owned()
            } else if is_key(name)
                || ["bucket_start", "bucket_end"]
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(name))
            {
                format!(
                    "{name:?} is not a metric column (key columns, bucket_start and \
                     bucket_end are always printed)"
                )
            } else {
                unknown(name)
            };
            return Err(Error::usage(format!(
                "{}: {why}; expected one of {}",
                OptionName::Columns,
                valid()
            )));
        };
        let i = i as u8;
        if picked.contains(&i) {
            return Err(Error::usage(format!(
                "{}: metric column {:?} is given twice",
                OptionName::Columns,
                catalogue[usize::from(i)].name
            )));
        }
        picked.push(i);
    }
    Ok((!picked.is_empty()).then(|| picked.into()))
}
