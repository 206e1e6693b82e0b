//! The one integration-test binary: a module per area, helpers in `util`.

mod util;

mod alloc;
mod analytics;
mod analytics_calls;
mod analytics_keys;
mod architecture;
mod calls;
mod chunked;
mod cli_parse;
mod convert;
mod csv_errors;
mod csv_read;
mod date_order;
mod dialects;
mod expected;
#[cfg(feature = "cli")]
mod formats;
mod fuzzing;
mod gen;
#[cfg(feature = "compressed")]
mod input;
mod no_panic;
#[cfg(unix)]
mod open_limit;
mod open_once;
#[cfg(feature = "cli")]
mod options;
mod output;
#[cfg(feature = "parquet")]
mod parquet_duckdb;
#[cfg(feature = "plot")]
mod plot;
mod properties;
mod pulls;
mod refusals;
mod repull;
mod rollup;
mod rollup_columns;
mod rollup_reference;
mod segments_issue14;
#[cfg(all(feature = "serde", feature = "cli"))]
mod serialize;
mod smoke;
mod sql;
mod timeline;
mod validate;
mod validate_repulls;
mod validate_segments;
mod wire;
mod wrong_answers;
mod xml_json;
