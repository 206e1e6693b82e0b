//! The one integration-test binary: a module per area, helpers in `util`.

mod util;

mod smoke;
mod xml_json;
