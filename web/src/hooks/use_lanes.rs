//! How many lanes the diagram has room for: measured from its container, again whenever
//! the window is resized.

use gloo_events::EventListener;
use yew::{hook, use_effect_with, use_state_eq, NodeRef};

use crate::layout::lanes_for_width;

/// The lane count for the width of the element `container` refers to.
#[hook]
pub fn use_lanes(container: NodeRef) -> usize {
    let lanes = use_state_eq(|| {
        // A first guess from the window, so a phone never draws three lanes first.
        let width = web_sys::window()
            .and_then(|w| w.inner_width().ok())
            .and_then(|w| w.as_f64())
            .unwrap_or(1200.0);
        lanes_for_width(if width >= 1100.0 { width * 0.6 } else { width })
    });
    {
        let lanes = lanes.clone();
        use_effect_with(container, move |container| {
            let measure = {
                let container = container.clone();
                move || {
                    if let Some(element) = container.cast::<web_sys::Element>() {
                        let width = f64::from(element.client_width());
                        if width > 0.0 {
                            lanes.set(lanes_for_width(width));
                        }
                    }
                }
            };
            measure();
            let listener = web_sys::window()
                .map(|window| EventListener::new(&window, "resize", move |_| measure()));
            move || drop(listener)
        });
    }
    *lanes
}
