//! Instants of interaction metadata: read from the export's two forms
//! (RFC 3339 text, epoch milliseconds), printed as RFC 3339.

use chrono::{DateTime, SecondsFormat, Utc};

use super::interval::PRINTABLE_YEARS;

/// Parses a timestamp of interaction metadata: an RFC 3339 string
/// (`2020-07-21T17:32:28.001Z`, any offset) or epoch milliseconds written
/// as digits. The result is truncated to the millisecond, and its UTC year
/// is in [`PRINTABLE_YEARS`], so that it, and every bucket around it in any
/// zone, prints as RFC 3339 (which has four-digit years) and parses back.
///
/// ```
/// use ringcx_reports::model::{parse_instant, format_instant};
/// let t = parse_instant("2020-07-21T19:32:28.001+02:00").unwrap();
/// assert_eq!(format_instant(t), "2020-07-21T17:32:28.001+00:00");
/// assert_eq!(parse_instant("1595352748001"), Some(t));
/// assert_eq!(parse_instant("yesterday"), None);
/// // Year 56526: epoch digits that RFC 3339 cannot print.
/// assert_eq!(parse_instant("1721640055000000"), None);
/// ```
// Parsing plumbing, public for tests/fuzzing.rs and the fuzz targets; not part of the supported API.
#[doc(hidden)]
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    let s = super::trim(s);
    let t = if let Some(t) = utc_millis(s.as_bytes()) {
        t
    } else if !s.is_empty() && s.len() <= 16 && s.bytes().all(|b| b.is_ascii_digit()) {
        instant_from_millis(s.parse().ok()?)?
    } else {
        let t = DateTime::parse_from_rfc3339(s).ok()?.with_timezone(&Utc);
        instant_from_millis(t.timestamp_millis())?
    };
    PRINTABLE_YEARS.contains(&t.year()).then_some(t)
}

/// The form nearly every export writes, `2020-07-21T17:32:28.001Z`, read
/// without the general parser; `None` for any other text (the general
/// parser then reads it, and gives the same instant for this form).
fn utc_millis(s: &[u8]) -> Option<DateTime<Utc>> {
    let s: &[u8; 24] = s.try_into().ok()?;
    let seps = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
        (23, b'Z'),
    ];
    if seps.iter().any(|&(i, c)| s[i] != c) {
        return None;
    }
    let digit = |i: usize| {
        let d = s[i].wrapping_sub(b'0');
        (d <= 9).then_some(u32::from(d))
    };
    let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
    let year = two(0)? * 100 + two(2)?;
    let (month, day) = (two(5)?, two(8)?);
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    let milli = digit(20)? * 100 + two(21)?;
    // A leap second is the general parser's.
    if second > 59 {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    Some(
        date.and_hms_milli_opt(hour, minute, second, milli)?
            .and_utc(),
    )
}

/// The instant `ms` milliseconds after the Unix epoch.
// Parsing plumbing, public for tests and the fuzz targets; not part of the supported API.
#[doc(hidden)]
pub fn instant_from_millis(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// RFC 3339 with milliseconds and `+00:00`, as `rcx parse` prints segment
/// times.
pub fn format_instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_timestamp_form_reads_as_the_general_parser_reads_it() {
        let general = |s: &str| {
            let t = DateTime::parse_from_rfc3339(s).ok()?;
            instant_from_millis(t.timestamp_millis())
        };
        let mut read = 0;
        for y in [0, 1970, 2000, 2023, 2024, 2100, 9999] {
            for mo in 0..=13 {
                for d in [0, 1, 28, 29, 30, 31, 32] {
                    for (h, mi, se) in [
                        (0, 0, 0),
                        (23, 59, 59),
                        (24, 0, 0),
                        (12, 60, 0),
                        (12, 0, 60),
                    ] {
                        for ms in [0, 1, 999] {
                            let s =
                                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}.{ms:03}Z");
                            match utc_millis(s.as_bytes()) {
                                Some(t) => {
                                    assert_eq!(Some(t), general(&s), "{s}");
                                    read += 1;
                                }
                                // A leap second is left to the general parser.
                                None => assert!(general(&s).is_none() || se == 60, "{s}"),
                            }
                        }
                    }
                }
            }
        }
        assert!(read > 1000, "{read}");
        for other in [
            "2024-01-01T00:00:22Z",
            "2024-01-01t00:00:22.183Z",
            "2024-01-01T00:00:22.183+00:00",
            "+2024-01-01T00:00:22.18Z",
        ] {
            assert_eq!(utc_millis(other.as_bytes()), None, "{other}");
        }
    }
}
