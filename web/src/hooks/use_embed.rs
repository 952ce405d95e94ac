//! Embed mode's side effects: the forced theme on the root element, and the page's
//! height posted to the embedding page whenever it changes, so its iframe fits.

use std::cell::Cell;

use wasm_bindgen::JsValue;
use yew::{hook, use_effect_with, NodeRef};

use super::resize::Watch;
use crate::link::Theme;

/// The message type the embedding page's `embed.js` listens for.
pub const HEIGHT_MESSAGE: &str = "kms-playground:height";

/// Marks the root element: `data-theme` for a forced theme (the stylesheet follows the
/// system otherwise) and the class `embed`.
#[hook]
pub fn use_root_marks(theme: Option<Theme>, embed: bool) {
    use_effect_with((theme, embed), |&(theme, embed)| {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            if let Some(theme) = theme {
                let _ = root.set_attribute("data-theme", theme.attribute());
            }
            if embed {
                let _ = root.class_list().add_1("embed");
            }
        }
    });
}

/// Posts `{type: "kms-playground:height", height}` to `window.parent` when the element
/// `root` refers to first gets a size and whenever its height changes.
#[hook]
pub fn use_embed_height(root: NodeRef, enabled: bool) {
    use_effect_with((root, enabled), |(root, enabled)| {
        let last = Cell::new(-1.0_f64);
        let watch = enabled
            .then(|| root.cast::<web_sys::Element>())
            .flatten()
            .and_then(|element| {
                // Reports the size the page loads with at once, then each change.
                Watch::new(element, move |measured| {
                    let height = measured.get_bounding_client_rect().height().ceil();
                    if height > 0.0 && height != last.get() {
                        last.set(height);
                        post_height(height);
                    }
                })
            });
        move || drop(watch)
    });
}

fn post_height(height: f64) {
    let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &HEIGHT_MESSAGE.into());
    let _ = js_sys::Reflect::set(&message, &"height".into(), &JsValue::from_f64(height));
    // The height is not a secret: any embedding page may have it.
    let _ = parent.post_message(&message, "*");
}
