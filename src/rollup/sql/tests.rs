//! The catalogue's definitions, evaluated as the query evaluates them,
//! against the code that computes each cell.

use super::*;
use crate::rollup::column::{Column, RawCell};
use crate::rollup::metrics::{
    AgentExtMetrics, AgentMetrics, MetricOptions, QueueMetrics, AGENT_COLUMNS, AGENT_EXT_COLUMNS,
    QUEUE_COLUMNS,
};
use crate::rollup::metrics::{Offered, ShortAbandons, SlFormula};
use crate::rollup::scaled_hundredths;

/// Evaluates column `name`'s [`Def`] in integers, the way the query
/// computes it: a ratio in hundredths.
fn eval(cols: &[Column], name: &str, v: &dyn Fn(&str) -> i128, o: MetricOptions) -> Option<i128> {
    let def = cols.iter().find(|c| c.name == name).and_then(|c| c.def)?;
    let sum = |names: &[&str]| -> Option<i128> { names.iter().map(|n| eval(cols, n, v, o)).sum() };
    Some(match def {
        Def::Stored => v(name),
        Def::Cols(names) => sum(names)?,
        Def::Derived(which) => {
            let offered = sum(o.offered.terms())?;
            let e = |n: &str| eval(cols, n, v, o);
            let terms = [
                e("answered")?,
                e("answered_within_sl")?,
                e("abandoned")?,
                e("short_abandoned")?,
                e("abandoned_within_sl")?,
                offered,
            ];
            let f = fraction_terms(terms, 0, o.sl_formula, o.short_abandons);
            match which {
                Derived::Offered => offered,
                Derived::SlNumerator => f[0],
                Derived::SlDenominator => f[1],
                Derived::AbandonNumerator => f[2],
                Derived::AbandonDenominator => f[3],
            }
        }
        Def::Ratio(n, d, k) => return scaled_hundredths(sum(n)?, sum(d)?, k),
    })
}

/// What the catalogue's code computes for column `i`: a ratio in
/// hundredths.
fn computed(c: RawCell) -> Option<i128> {
    match c {
        RawCell::Int(v) => Some(i128::from(v)),
        RawCell::Signed(v) => Some(v),
        RawCell::Ratio(n, d, k) => scaled_hundredths(n, d, k),
    }
}

/// Small numbers, zeros often (empty buckets, undefined ratios).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let r = self.0 >> 33;
        if r % 5 == 0 {
            0
        } else {
            r % 1000
        }
    }
}

#[test]
fn definitions_compute_the_cells() {
    let mut rng = Lcg(7);
    let mut options = Vec::new();
    for sl_formula in SlFormula::ALL {
        for short_abandons in [ShortAbandons::Include, ShortAbandons::Exclude] {
            for offered in [Offered::DirectAndOverflow, Offered::Direct] {
                options.push(MetricOptions {
                    sl_formula,
                    short_abandons,
                    offered,
                });
            }
        }
    }
    for round in 0..400 {
        let o = options[round % options.len()];
        let mut q = QueueSums::default();
        for (name, _, _) in QueueSums::SOURCES {
            *q.value_mut(name).expect("a stored value") = rng.next();
        }
        let m = QueueMetrics::new(q, o).expect("small sums");
        let v = |n: &str| i128::from(q.value(n).expect("a stored value"));
        for (i, c) in QUEUE_COLUMNS.iter().enumerate() {
            let want = computed(m.raw_cell(i));
            assert_eq!(eval(QUEUE_COLUMNS, c.name, &v, o), want, "{} {o:?}", c.name);
        }
        let mut a = AgentExtSums::default();
        for (name, _, _) in AgentExtSums::SOURCES {
            *a.value_mut(name).expect("a stored value") = rng.next();
        }
        let m = AgentExtMetrics::new(a).expect("small sums");
        let v = |n: &str| i128::from(a.value(n).expect("a stored value"));
        for (i, c) in AGENT_EXT_COLUMNS.iter().enumerate() {
            let want = computed(m.raw_cell(i));
            assert_eq!(eval(AGENT_EXT_COLUMNS, c.name, &v, o), want, "{}", c.name);
        }
        let mut g = AgentSums::default();
        for (name, _, _) in AgentSums::SOURCES {
            *g.value_mut(name).expect("a stored value") = rng.next();
        }
        let m = AgentMetrics { sums: g };
        let v = |n: &str| i128::from(g.value(n).expect("a stored value"));
        for (i, c) in AGENT_COLUMNS.iter().enumerate() {
            let want = computed(m.raw_cell(i));
            assert_eq!(eval(AGENT_COLUMNS, c.name, &v, o), want, "{}", c.name);
        }
    }
}
