//! A minimal Yew page: one function component that draws one SVG. `cargo xtask bench`
//! builds it with the playground's profile, wasm-bindgen and wasm-opt, and compares the
//! playground's load time against it.

use yew::prelude::*;

#[function_component]
fn App() -> Html {
    html! {
        <main>
            <h1>{ "Yew floor" }</h1>
            <svg data-testid="diagram" width="100" height="40" role="img" aria-label="ready"><rect width="100" height="40" /></svg>
        </main>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
