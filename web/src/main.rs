//! The KMS Playground page: a Yew app over the simulation's trace.

#![forbid(unsafe_code)]

mod app;
mod components;
mod engine_check;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
