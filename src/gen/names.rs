//! Queue and agent names and ids. The names carry commas, double quotes,
//! `&`, `<` and non-ASCII letters, so that writers and readers must quote
//! and escape; [`Entity`] holds them pre-rendered for one wire form.

use super::options::GenFormat;
use super::sink::push_u64;

const DEPARTMENTS: &[&str] = &[
    "Sales",
    "Support, Tier 1",
    "Support, Tier 2",
    "Billing",
    "Retention \"Save\" Desk",
    "Sales & Renewals",
    "Tech Support",
    "Onboarding",
    "Escalations",
    "Claims",
    "Línea en Español",
    "VIP <Priority>",
];

const FIRST: &[&str] = &[
    "Alena", "Pat", "Neringa", "José", "Mia", "Tom", "Zoë", "Ahmed", "Grace", "Liam", "Sofia",
    "Kenji", "Olga", "Ravi", "Emma", "Noah", "Chloé", "Ivan", "Amara", "Lukas",
];

const LAST: &[&str] = &[
    "Kaduk", "O'Brien", "Norkutė", "Álvarez", "Smith", "Nguyen", "Müller", "Khan", "Okafor",
    "Rossi", "Tanaka", "Novak", "Patel", "García", "Dubois", "Kowalski", "Jensen", "Silva",
    "Cohen", "Ivanova", "Brown",
];

pub(super) fn queue_name(q: u32) -> String {
    let d = DEPARTMENTS[q as usize % DEPARTMENTS.len()];
    let round = q as usize / DEPARTMENTS.len();
    if round == 0 {
        d.to_string()
    } else {
        format!("{d} {}", round + 1)
    }
}

pub(super) fn agent_name(a: u32) -> String {
    let first = FIRST[a as usize % FIRST.len()];
    let last = LAST[(a as usize / FIRST.len() + a as usize) % LAST.len()];
    match a % 13 {
        // The "Last, First" form real exports carry (needs quoting in CSV).
        3 | 8 => format!("{last}, {first}"),
        // A nickname in double quotes.
        5 => {
            let nick = ["Ace", "Doc", "Sunny", "Red"][a as usize % 4];
            format!("{first} \"{nick}\" {last}")
        }
        _ => format!("{first} {last}"),
    }
}

pub(super) fn queue_id(q: u32) -> u64 {
    5000 + q as u64
}

pub(super) fn agent_id(a: u32) -> u64 {
    10_000 + a as u64
}

/// An id and a name, pre-rendered for one wire form, so that rows copy
/// bytes instead of escaping strings.
pub(super) struct Entity {
    pub(super) id: Vec<u8>,
    pub(super) name: Vec<u8>,
}

impl Entity {
    pub(super) fn new(id: u64, name: &str, format: GenFormat) -> Self {
        let mut idb = Vec::new();
        push_u64(&mut idb, id);
        let name = match format {
            GenFormat::Csv => {
                let mut s = String::new();
                crate::write::csv_field(&mut s, name, b',');
                s.into_bytes()
            }
            GenFormat::Json => {
                let mut s = String::new();
                crate::write::json_string(&mut s, name);
                s.into_bytes()
            }
            GenFormat::Xml => xml_escape(name).into_bytes(),
        };
        Entity { id: idb, name }
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
