//! Library texts name options as the library does ([`OptionName`]:
//! `` `columns` ``, `` `source_tz` ``); `rcx` prints each as its flag
//! (`--columns`, `--source-tz`). This is the one place that knows which flag
//! sets which option: the flag is read from the clap definition of `rcx`,
//! by the argument id that sets the option.
//!
//! Every path by which `rcx` prints library text goes through [`spell`]:
//! the error of a failed command, warnings, the first skipped record, and
//! the messages of `rcx validate` (text and JSON) and `--explain`. Only the
//! messages are respelled, never a finding's raw value.

use std::borrow::Cow;
use std::sync::OnceLock;

use clap::CommandFactory;
use ringcx_reports::option::OptionName;
use ringcx_reports::{Diagnostic, Error, ErrorKind};

/// The id of the clap argument that sets `o`: the library's name, except
/// where `rcx`'s flag says it another way.
fn arg_id(o: OptionName) -> &'static str {
    match o {
        // `Validator::cross_check` is asked for by naming the other file.
        OptionName::CrossCheck => "against",
        o => o.name(),
    }
}

/// The `--long` spelling of the argument `id` in `cmd` or any of its
/// subcommands (the same id names the same flag in every subcommand).
fn long_of(cmd: &clap::Command, id: &str) -> Option<String> {
    cmd.get_arguments()
        .find(|a| a.get_id() == id)
        .and_then(|a| a.get_long())
        .map(|l| format!("--{l}"))
        .or_else(|| cmd.get_subcommands().find_map(|c| long_of(c, id)))
}

/// The flag that sets `o`, read from `rcx`'s clap definition; `None` when
/// `rcx` has no such flag (a unit test checks there is one for every
/// option).
pub fn flag(o: OptionName) -> Option<String> {
    long_of(&crate::Cli::command(), arg_id(o))
}

/// Each option as library texts quote it, with its flag.
fn table() -> &'static [(&'static str, String)] {
    static TABLE: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        OptionName::ALL
            .iter()
            .filter_map(|&o| Some((o.quoted(), flag(o)?)))
            .collect()
    })
}

/// `text` with every quoted option name (`` `date_order` ``) written as
/// its flag (`--date-order`).
pub fn spell(text: &str) -> Cow<'_, str> {
    if !text.contains('`') {
        return Cow::Borrowed(text);
    }
    let table = table();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(i) = rest.find('`') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match table.iter().find(|(quoted, _)| rest.starts_with(quoted)) {
            Some((quoted, flag)) => {
                out.push_str(flag);
                rest = &rest[quoted.len()..];
                changed = true;
            }
            None => {
                out.push('`');
                rest = &rest[1..];
            }
        }
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `d` with its message [spelled](spell) (the value is left as read).
pub fn diagnostic(d: &Diagnostic) -> Cow<'_, Diagnostic> {
    match spell(&d.message) {
        Cow::Borrowed(_) => Cow::Borrowed(d),
        Cow::Owned(message) => Cow::Owned(Diagnostic {
            message,
            ..d.clone()
        }),
    }
}

/// The error as `rcx` prints it: a usage message or a finding's message
/// [spelled](spell); an I/O error as it is.
pub fn error(e: &Error) -> String {
    match e.kind() {
        ErrorKind::Usage(m) => spell(m).into_owned(),
        ErrorKind::Data(d) => diagnostic(d).to_string(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_is_a_flag_of_rcx() {
        let cmd = crate::Cli::command();
        for &o in OptionName::ALL {
            let flag = flag(o).unwrap_or_else(|| panic!("{o:?} has no rcx flag"));
            // The flag is one `rcx <subcommand> --help` lists.
            // (A flag with a value is followed by it, a switch ends its line.)
            let listed = cmd.get_subcommands().any(|sub| {
                let help = sub.clone().render_long_help().to_string();
                help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n"))
            });
            assert!(listed, "{flag} ({o:?}) is in no subcommand's help");
        }
    }

    #[test]
    fn flags_are_the_clap_longs() {
        assert_eq!(flag(OptionName::Columns).as_deref(), Some("--columns"));
        assert_eq!(flag(OptionName::SourceTz).as_deref(), Some("--source-tz"));
        assert_eq!(flag(OptionName::DateOrder).as_deref(), Some("--date-order"));
        assert_eq!(flag(OptionName::CrossCheck).as_deref(), Some("--against"));
    }

    #[test]
    fn quoted_option_names_become_flags_and_nothing_else_changes() {
        assert_eq!(
            spell("no row kept by `days`/`hours`/`from`/`to` (4 rows read)"),
            "no row kept by --days/--hours/--from/--to (4 rows read)"
        );
        assert_eq!(
            spell(&format!(
                "{}: metric column \"x\" is given twice",
                OptionName::Columns
            )),
            "--columns: metric column \"x\" is given twice"
        );
        // Backquotes around anything else, or an unclosed one, stay.
        for s in [
            "the `parquet` cargo feature",
            "`columnsx` and `",
            "`",
            "`by",
        ] {
            assert_eq!(spell(s), s);
        }
    }

    #[test]
    fn a_finding_keeps_its_value_as_read() {
        use ringcx_reports::{Code, Location, Position};
        let d = Diagnostic::new(
            Code::BadDate,
            Location::new("q.csv", Position::new(0, 2, 0)).with_field("date_from"),
            "give `date_order` dmy",
            Some("`date_order`".into()),
        );
        assert_eq!(
            error(&Error::from(d)),
            "q.csv:2: error[V106] date_from: give --date-order dmy (value \"`date_order`\")"
        );
    }
}
