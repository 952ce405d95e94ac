//! Custom hooks: the page's side effects, each in `use_effect_with`.

mod use_keyboard;
mod use_lanes;

pub use use_keyboard::use_keyboard;
pub use use_lanes::use_lanes;
