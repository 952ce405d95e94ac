//! Custom hooks: the page's side effects, each in `use_effect_with`.

mod after_paint;
mod resize;
mod use_embed;
mod use_keyboard;
mod use_measure;
mod use_permalink;
mod use_popover;
mod use_size;

pub use after_paint::AfterPaint;
pub use use_embed::{use_embed_height, use_root_marks, HEIGHT_MESSAGE};
pub use use_keyboard::use_keyboard;
pub use use_measure::use_measure;
pub use use_permalink::{use_hash_change, use_permalink};
pub use use_popover::use_popover;
pub use use_size::use_size;
