//! The line-per-row text formats: CSV, TSV and Markdown. Each prints a
//! header line, then one line per row, without a pass over the rows first,
//! so every writer streams them. They differ only in what starts, separates
//! and ends the fields of a line, and in how a field is escaped; both are
//! written here once, and so is the line of the aligned table
//! ([`aligned_line`]), which needs the column widths first.

use super::{csv_field, TableFormat};

/// How a line-per-row format lays out a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Delimited {
    Csv,
    Tsv,
    Markdown,
}

impl Delimited {
    /// The layout of `format`, when it prints a line per row.
    pub(crate) fn of(format: TableFormat) -> Option<Delimited> {
        match format {
            TableFormat::Csv => Some(Delimited::Csv),
            TableFormat::Tsv => Some(Delimited::Tsv),
            TableFormat::Markdown => Some(Delimited::Markdown),
            TableFormat::Json
            | TableFormat::Ndjson
            | TableFormat::Table
            | TableFormat::Analytics
            | TableFormat::Parquet => None,
        }
    }

    /// What starts a line.
    pub(crate) fn start(&self) -> &'static str {
        match self {
            Delimited::Markdown => "| ",
            Delimited::Csv | Delimited::Tsv => "",
        }
    }

    /// What separates two fields.
    pub(crate) fn sep(&self) -> &'static str {
        match self {
            Delimited::Csv => ",",
            Delimited::Tsv => "\t",
            Delimited::Markdown => " | ",
        }
    }

    /// What ends a line.
    pub(crate) fn end(&self) -> &'static str {
        match self {
            Delimited::Markdown => " |\n",
            Delimited::Csv | Delimited::Tsv => "\n",
        }
    }

    /// Appends `s` as one field: CSV and TSV quote it (with `""` escapes)
    /// only when it holds the delimiter, a quote or a line break; Markdown
    /// escapes `\` and `|` and prints a line break as a space, so that a
    /// name cannot end its cell or its row.
    pub(crate) fn field(&self, out: &mut String, s: &str) {
        match self {
            Delimited::Csv => csv_field(out, s, b','),
            Delimited::Tsv => csv_field(out, s, b'\t'),
            Delimited::Markdown => {
                if !s.contains(['\\', '|', '\n', '\r']) {
                    out.push_str(s);
                    return;
                }
                for ch in s.chars() {
                    match ch {
                        '\\' | '|' => {
                            out.push('\\');
                            out.push(ch);
                        }
                        '\n' | '\r' => out.push(' '),
                        _ => out.push(ch),
                    }
                }
            }
        }
    }

    /// Appends the header: the column names on one line and, for Markdown,
    /// the line under it that aligns the first `text_cols` columns to the
    /// left and the numbers to the right.
    pub(crate) fn header<'a>(
        &self,
        out: &mut String,
        names: impl IntoIterator<Item = &'a str>,
        text_cols: usize,
    ) {
        let names: Vec<&str> = names.into_iter().collect();
        self.line(out, names.iter().copied());
        if *self == Delimited::Markdown {
            let rule = (0..names.len()).map(|i| if i < text_cols { ":--" } else { "--:" });
            self.line(out, rule);
        }
    }

    /// Appends one line of fields.
    pub(crate) fn line<'a>(&self, out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
        out.push_str(self.start());
        for (i, f) in fields.into_iter().enumerate() {
            if i > 0 {
                out.push_str(self.sep());
            }
            self.field(out, f);
        }
        out.push_str(self.end());
    }
}

/// Widens `width` to hold each of `cells` (counted in characters).
pub(crate) fn widen<'a>(width: &mut [usize], cells: impl IntoIterator<Item = &'a str>) {
    for (w, t) in width.iter_mut().zip(cells) {
        *w = (*w).max(t.chars().count());
    }
}

/// Appends one line of the aligned table: `cells` padded to `width`, two
/// spaces apart, the first `text_cols` to the left and the numbers to the
/// right, without trailing spaces.
pub(crate) fn aligned_line<'a>(
    out: &mut String,
    width: &[usize],
    text_cols: usize,
    cells: impl IntoIterator<Item = &'a str>,
) {
    let at = out.len();
    for (i, t) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push_str("  ");
        }
        let pad = width[i].saturating_sub(t.chars().count());
        if i < text_cols {
            out.push_str(t);
            out.extend(std::iter::repeat_n(' ', pad));
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(t);
        }
    }
    let kept = out[at..].trim_end().len();
    out.truncate(at + kept);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(format: TableFormat, rows: &[&[&str]]) -> String {
        let d = Delimited::of(format).unwrap();
        let mut out = String::new();
        d.header(&mut out, ["agent", "rows"], 1);
        for r in rows {
            d.line(&mut out, r.iter().copied());
        }
        out
    }

    #[test]
    fn each_format_lays_out_its_lines() {
        let rows: &[&[&str]] = &[&["Kaduk, Alena", "3"], &["a|b\\c\nd", ""]];
        assert_eq!(
            lines(TableFormat::Csv, rows),
            "agent,rows\n\"Kaduk, Alena\",3\n\"a|b\\c\nd\",\n"
        );
        assert_eq!(
            lines(TableFormat::Tsv, rows),
            "agent\trows\nKaduk, Alena\t3\n\"a|b\\c\nd\"\t\n"
        );
        assert_eq!(
            lines(TableFormat::Markdown, rows),
            "| agent | rows |\n| :-- | --: |\n| Kaduk, Alena | 3 |\n| a\\|b\\\\c d |  |\n"
        );
        assert_eq!(Delimited::of(TableFormat::Json), None);
    }
}
