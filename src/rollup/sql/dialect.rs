//! What differs between the engines: functions, quoting, the relation
//! read.

/// The SQL dialect of [`Rollup::sql`](crate::rollup::Rollup::sql).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum SqlDialect {
    /// DuckDB: reads the Parquet file or dataset at the input path.
    Duckdb,
    /// Spark SQL (3.1 or later): reads the Parquet at the input path.
    Spark,
    /// Trino: the input names a table over the Parquet (a Hive or Iceberg
    /// table), since Trino reads tables, not paths.
    Trino,
}

impl SqlDialect {
    /// The command-line name.
    pub const fn as_str(self) -> &'static str {
        match self {
            SqlDialect::Duckdb => "duckdb",
            SqlDialect::Spark => "spark",
            SqlDialect::Trino => "trino",
        }
    }

    /// A quoted identifier.
    pub(super) fn ident(self, name: &str) -> String {
        match self {
            SqlDialect::Spark => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// The relation the query reads.
    pub(super) fn relation(self, input: &str) -> String {
        match self {
            SqlDialect::Duckdb => {
                let dir = std::path::Path::new(input).is_dir();
                let path = if dir {
                    format!("{}/**/*.parquet", input.trim_end_matches('/'))
                } else {
                    input.to_owned()
                };
                format!("read_parquet({})", text(&path))
            }
            SqlDialect::Spark => format!("parquet.{}", self.ident(input)),
            SqlDialect::Trino => input.to_owned(),
        }
    }

    /// The text type.
    pub(super) const fn text_type(self) -> &'static str {
        match self {
            SqlDialect::Spark => "STRING",
            _ => "VARCHAR",
        }
    }

    /// Integer division of non-negative `a` by positive `b`.
    pub(super) fn div(self, a: &str, b: i64) -> String {
        match self {
            SqlDialect::Duckdb => format!("({a} // {b})"),
            SqlDialect::Spark => format!("({a} div {b})"),
            SqlDialect::Trino => format!("({a} / {b})"),
        }
    }

    /// Unix seconds of the Parquet column `start` (a UTC timestamp).
    pub(super) fn start_secs(self) -> String {
        match self {
            SqlDialect::Duckdb => "(epoch_ms(\"start\") // 1000)".into(),
            SqlDialect::Spark => "unix_seconds(`start`)".into(),
            SqlDialect::Trino => "CAST(to_unixtime(\"start\") AS BIGINT)".into(),
        }
    }

    /// The UTC offset of `tz` at the instant `s` (Unix seconds), seconds.
    pub(super) fn offset(self, tz: &str, s: &str) -> String {
        let z = text(tz);
        match self {
            SqlDialect::Duckdb => {
                format!("(epoch_ms(timezone({z}, to_timestamp({s}))) // 1000 - ({s}))")
            }
            SqlDialect::Spark => {
                format!("(unix_seconds(from_utc_timestamp(timestamp_seconds({s}), {z})) - ({s}))")
            }
            SqlDialect::Trino => format!(
                "(timezone_hour(from_unixtime({s}, {z})) * 3600 + \
                 timezone_minute(from_unixtime({s}, {z})) * 60)"
            ),
        }
    }

    /// The date `d` days after 1970-01-01.
    pub(super) fn date(self, d: &str) -> String {
        match self {
            SqlDialect::Duckdb => format!("(DATE '1970-01-01' + CAST({d} AS INTEGER))"),
            SqlDialect::Spark => format!("date_add(DATE '1970-01-01', CAST({d} AS INT))"),
            SqlDialect::Trino => format!("date_add('day', {d}, DATE '1970-01-01')"),
        }
    }

    /// The first day of the month of `date`, `months` months on.
    pub(super) fn month_first(self, date: &str, months: i32) -> String {
        match self {
            SqlDialect::Duckdb => {
                format!("CAST(date_trunc('month', {date}) + INTERVAL {months} MONTH AS DATE)")
            }
            SqlDialect::Spark => format!("add_months(trunc({date}, 'MM'), {months})"),
            SqlDialect::Trino => {
                format!("date_add('month', {months}, date_trunc('month', {date}))")
            }
        }
    }

    /// The instant (Unix seconds) of local midnight of `date` in `tz`.
    pub(super) fn midnight(self, tz: &str, date: &str) -> String {
        let z = text(tz);
        match self {
            SqlDialect::Duckdb => {
                format!("(epoch_ms(timezone({z}, CAST({date} AS TIMESTAMP))) // 1000)")
            }
            SqlDialect::Spark => format!(
                "unix_seconds(make_timestamp(year({date}), month({date}), day({date}), 0, 0, 0, {z}))"
            ),
            SqlDialect::Trino => format!(
                "CAST(to_unixtime(with_timezone(CAST({date} AS timestamp), {z})) AS BIGINT)"
            ),
        }
    }

    /// An expression that fails the query with `message`.
    pub(super) fn fail(self, message: &str) -> String {
        let m = text(message);
        match self {
            SqlDialect::Duckdb => format!("error({m})"),
            SqlDialect::Spark => format!("raise_error({m})"),
            SqlDialect::Trino => format!("fail({m})"),
        }
    }

    /// Whether the text `c` is all ASCII digits (and not empty).
    pub(super) fn is_integer(self, c: &str) -> String {
        match self {
            SqlDialect::Duckdb => format!("regexp_full_match({c}, '[0-9]+')"),
            SqlDialect::Spark => format!("({c} RLIKE '^[0-9]+$')"),
            SqlDialect::Trino => format!("regexp_like({c}, '^[0-9]+$')"),
        }
    }

    /// `c` without its leading zeros.
    pub(super) fn trim_zeros(self, c: &str) -> String {
        match self {
            SqlDialect::Duckdb => format!("ltrim({c}, '0')"),
            SqlDialect::Spark => format!("TRIM(LEADING '0' FROM {c})"),
            SqlDialect::Trino => format!("regexp_replace({c}, '^0+', '')"),
        }
    }

    /// The number `n` as text, at least two digits.
    pub(super) fn two_digits(self, n: &str) -> String {
        format!("lpad(CAST({n} AS {}), 2, '0')", self.text_type())
    }
}

impl std::fmt::Display for SqlDialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string literal.
pub(super) fn text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}
