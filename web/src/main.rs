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
    yew::Renderer::<app::App>::new().render();
}
