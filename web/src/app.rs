//! The page shell: what the playground is, and the views it will hold.

use yew::{component, html, Html};

use crate::components::engine_status::EngineStatus;

/// The whole page.
#[component]
pub fn App() -> Html {
    html! {
        <>
            <header class="masthead">
                <h1>{ "KMS Playground" }</h1>
                <p class="tagline">
                    { "A faithful, deterministic simulation of AWS KMS and the envelope \
                       encryption of Amazon WorkMail and Amazon SES, running entirely in \
                       your browser: see every key, wrap, grant and CloudTrail event." }
                </p>
            </header>
            <main>
                <EngineStatus />
            </main>
            <footer>
                { "Nothing leaves this page: no AWS account, no network calls, no real keys." }
            </footer>
        </>
    }
}
