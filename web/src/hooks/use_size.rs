//! The size an element has for its content, measured again whenever it changes (a
//! window resized, a drawer opened), so the diagram is laid out for the size it is shown
//! at.

use std::cell::Cell;

use yew::{hook, use_effect_with, use_state_eq, NodeRef};

use super::resize::Watch;

/// The inner size (`clientWidth`, `clientHeight`, CSS pixels) of the element `node`
/// refers to, measured once it is laid out; until then what `guess` says, asked on the first
/// render only (`None`: nothing is known, and the caller draws nothing yet).
///
/// Yew may yield to the browser between a render and its effects, so whatever the first
/// render draws from the guess can be painted before the measurement replaces it: a
/// diagram laid out for a wrong width was seen to jump from two lanes to three. Where
/// the element's size does not depend on what it holds, pass no guess; where it does
/// (its height follows the content), the guess must be right.
#[hook]
pub fn use_size(node: NodeRef, guess: impl FnOnce() -> Option<(f64, f64)>) -> Option<(f64, f64)> {
    let size = use_state_eq(guess);
    {
        let size = size.clone();
        use_effect_with(node, move |node| {
            let last = Cell::new((-1.0_f64, -1.0_f64));
            let watch = node.cast::<web_sys::Element>().and_then(|element| {
                Watch::new(element, move |measured| {
                    let now = (
                        f64::from(measured.client_width()),
                        f64::from(measured.client_height()),
                    );
                    if now.0 > 0.0 && now != last.get() {
                        last.set(now);
                        size.set(Some(now));
                    }
                })
            });
            move || drop(watch)
        });
    }
    *size
}
