//! The size an element has for its content, measured again whenever it changes (a
//! window resized, a drawer opened), so the diagram is laid out for the size it is shown
//! at.

use std::cell::Cell;

use yew::{hook, use_effect_with, use_state_eq, NodeRef};

use super::resize::Watch;

/// The inner size (`clientWidth`, `clientHeight`, CSS pixels) of the element `node`
/// refers to; a guess from the window until it is measured.
#[hook]
pub fn use_size(node: NodeRef) -> (f64, f64) {
    let size = use_state_eq(|| {
        // A first guess from the window, so a phone never lays out three lanes first.
        let w = web_sys::window()
            .and_then(|w| w.inner_width().ok())
            .and_then(|w| w.as_f64())
            .unwrap_or(1200.0);
        let width = if w >= 1100.0 {
            (w * 0.62).floor()
        } else {
            (w - 20.0).max(280.0)
        };
        (width, 0.0)
    });
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
                        size.set(now);
                    }
                })
            });
            move || drop(watch)
        });
    }
    *size
}
