//! The clipboard, as the page writes to it.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// `navigator.clipboard.writeText(text)`; false when there is no clipboard API or it
/// refuses. Looked up dynamically: calling a missing API through web-sys would throw.
pub async fn write_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator = window.navigator();
    let Some(clipboard) = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .ok()
        .filter(|c| c.is_object())
    else {
        return false;
    };
    let Some(write) = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        return false;
    };
    let Ok(promise) = write.call1(&clipboard, &text.into()) else {
        return false;
    };
    let Ok(promise) = promise.dyn_into::<js_sys::Promise>() else {
        return false;
    };
    JsFuture::from(promise).await.is_ok()
}
