//! The one integration-test binary: a module per area, helpers in `util`.

mod util;

mod convert;
mod gen;
mod smoke;
mod validate;
