//! The one integration-test binary: a module per area, helpers in `util`.

mod util;

mod csv_errors;
mod csv_read;
mod expected;
mod smoke;
