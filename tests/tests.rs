//! The one integration-test binary: a module per area, helpers in `util`.

mod util;

mod fuzzing;
mod properties;
mod smoke;
mod validate;
