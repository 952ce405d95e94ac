//! Custom hooks: the page's side effects, each in `use_effect_with`.

mod use_embed;
mod use_keyboard;
mod use_lanes;
mod use_permalink;

pub use use_embed::{use_embed_height, use_root_marks};
pub use use_keyboard::use_keyboard;
pub use use_lanes::use_lanes;
pub use use_permalink::{use_hash_change, use_permalink};
