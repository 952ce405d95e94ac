//! The KMS Playground page: a Yew app over the simulation's trace.
//!
//! `state` holds the one reducer, `layout` and `describe` turn a trace step into what the
//! diagram draws and says (all pure and tested natively); `components` are the views and
//! `hooks` the side effects (keyboard, window size).

#![forbid(unsafe_code)]

mod app;
mod clipboard;
mod components;
mod describe;
mod hooks;
mod layout;
mod link;
mod state;

fn main() {
    // boot.js's "Loading the playground…": gone before the app's first render, which
    // follows in the same task (Yew renders from a microtask), so no frame shows neither.
    if let Some(loading) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot-loading"))
    {
        loading.remove();
    }
    yew::Renderer::<app::App>::new().render();
}
